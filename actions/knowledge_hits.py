"""Reading the knowledge matches that the NLU component (bot.knowledge_component) puts into each parse."""

from __future__ import annotations

import json
from typing import Any

KNOWLEDGE_KEY = "knowledge"


def knowledge_of(parse_data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The `knowledge` part of a parse result: {confident, aspect, hits: [{service, score, ...}]}."""
    if not parse_data:
        return None
    knowledge = parse_data.get(KNOWLEDGE_KEY)
    return knowledge if isinstance(knowledge, dict) else None


def service_buttons(knowledge: dict[str, Any] | None, intent: str, limit: int = 3) -> list[dict[str, str]]:
    """One button per candidate service, its payload carrying the canonical name as an entity."""
    if not knowledge:
        return []
    buttons = []
    for hit in knowledge.get("hits", [])[:limit]:
        entity = json.dumps({"service": hit["service"]}, ensure_ascii=False)
        buttons.append({"title": hit["service"], "payload": f"/{intent}{entity}"})
    return buttons


def suggestions_of(knowledge: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What a hotline ticket carries: the candidate services and their scores."""
    if not knowledge:
        return []
    return [{"service": h["service"], "score": round(float(h["score"]), 4)} for h in knowledge.get("hits", [])]
