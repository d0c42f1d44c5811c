"""What a search returns; ``to_dict`` is the JSON of ``GET /api/knowledge/search`` (contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    service: str
    department: str
    score: float
    answer: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "department": self.department,
            "score": self.score,
            "answer": self.answer,
            "source": self.source,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    confident: bool
    hits: list[Hit] = field(default_factory=list)
    aspect: str = "general"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "confident": self.confident,
            "hits": [hit.to_dict() for hit in self.hits],
        }
