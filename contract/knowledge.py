"""Knowledge matches: what a search returns, and what the NLU component puts into every parse result.

`SearchResult.to_dict()` is the JSON of `GET /api/knowledge/search` (contract.md) and, with the aspect,
the `knowledge` part of a Rasa parse (`KNOWLEDGE_KEY`); the actions read it back with `from_parse`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Key of the knowledge matches in a Rasa parse result (bot/knowledge_component.py writes it).
KNOWLEDGE_KEY = "knowledge"
GENERAL_ASPECT = "general"


@dataclass(frozen=True)
class Hit:
    service: str
    department: str
    score: float
    answer: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hit:
        return cls(
            service=str(data["service"]),
            department=str(data.get("department") or ""),
            score=float(data.get("score") or 0.0),
            answer=str(data.get("answer") or ""),
            source=str(data.get("source") or ""),
        )


@dataclass(frozen=True)
class SearchResult:
    query: str
    confident: bool
    hits: list[Hit] = field(default_factory=list)
    aspect: str = GENERAL_ASPECT
    # The message asks about an aspect and names nothing else ("那要多少钱", "在哪里办"): it is about the
    # service the conversation is on, whatever the search matched for its few words.
    follow_up: bool = False
    # The question is about a document or asks for a procedure that the best guide does not deal with ("个体户
    # 注销执照" and 个体工商户设立登记): never confident, and the service's name in the question is no reason to
    # answer with it.
    another_subject: bool = False

    @property
    def best(self) -> Hit | None:
        """The hit to answer with: the first one, and only when the search is confident."""
        return self.hits[0] if self.confident and self.hits else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "confident": self.confident,
            "aspect": self.aspect,
            "follow_up": self.follow_up,
            "another_subject": self.another_subject,
            "hits": [hit.to_dict() for hit in self.hits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchResult:
        return cls(
            query=str(data.get("query") or ""),
            confident=bool(data.get("confident")),
            hits=[Hit.from_dict(hit) for hit in data.get("hits") or []],
            aspect=str(data.get("aspect") or GENERAL_ASPECT),
            follow_up=bool(data.get("follow_up")),
            another_subject=bool(data.get("another_subject")),
        )

    @classmethod
    def from_parse(cls, parse_data: dict[str, Any] | None) -> SearchResult | None:
        """The matches the NLU component added to a parse result, or None when it added none."""
        knowledge = (parse_data or {}).get(KNOWLEDGE_KEY)
        return cls.from_dict(knowledge) if isinstance(knowledge, dict) else None


@dataclass(frozen=True)
class ServiceSuggestion:
    """A candidate service with its score, as a hotline ticket carries it for the agent."""

    service: str
    score: float

    @classmethod
    def of(cls, hit: Hit) -> ServiceSuggestion:
        return cls(service=hit.service, score=round(hit.score, 4))
