"""Where a request goes, as the gateway's router answers it (`POST /api/routing`, api/routes/routing.py): read
by the action server to ask for a place only when the request's category needs one and the text has none."""

from __future__ import annotations

from dataclasses import dataclass

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
