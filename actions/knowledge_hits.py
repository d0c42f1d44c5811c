"""Reading the knowledge matches that the NLU component (bot.knowledge_component) puts into each parse."""

from __future__ import annotations

from typing import Any

from actions import replies
from contract.knowledge import SearchResult, ServiceSuggestion


def knowledge_of(parse_data: dict[str, Any] | None) -> SearchResult | None:
    """The matches of a parse result: confident or not, the aspect asked about, the candidate services."""
    return SearchResult.from_parse(parse_data)


def service_buttons(knowledge: SearchResult | None, intent: str, limit: int = 3) -> replies.Buttons:
    """One button per candidate service, its payload carrying the canonical name as an entity."""
    if knowledge is None:
        return []
    return [
        {"title": hit.service, "payload": replies.payload(intent, service=hit.service)}
        for hit in knowledge.hits[:limit]
    ]


def suggestions_of(knowledge: SearchResult | None) -> list[ServiceSuggestion]:
    """What a hotline ticket carries: the candidate services and their scores."""
    return [ServiceSuggestion.of(hit) for hit in knowledge.hits] if knowledge else []
