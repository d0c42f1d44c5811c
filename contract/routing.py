"""Where a request goes, as the gateway's router answers it (`POST /api/routing`, api/routes/routing.py): read
by the action server to ask for a place only when the request's category needs one and the text has none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.receipts import _FromJson


@dataclass(frozen=True)
class RoutingAdvice(_FromJson):
    category: str
    subcategory: str | None = None
    department: str | None = None
    confidence: float = 0.0
    # The place the text names ("金安区三里桥街道 梅山路"), None when it names none.
    place: str | None = None
    # The category needs a place and the text names none: ask for it.
    needs_place: bool = False
    # The three best level-1 categories with their scores, best first (the first is the answer itself).
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    @property
    def two_best(self) -> float:
        """How surely the request is one of two neighbouring categories ("公园里健身器材坏了": 文体设施 or
        市政设施): a department's matter even when neither alone is sure."""
        return float(sum(float(item.get("score") or 0.0) for item in self.alternatives[:2]))
