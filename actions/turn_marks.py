"""What the actions tell the gateway's turn log about a resident's message (contract/turns.py).

The marker rides on the visible reply it belongs to (`json_message` beside `text`): one bot event, so
"what the assistant said last" still reads its text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from contract import turns


def unanswered_mark(tracker: Tracker) -> dict[str, Any]:
    """The latest message is a question the assistant could not answer: it goes to the inbox."""
    return turns.mark(turns.UNANSWERED, question=str(tracker.latest_message.get("text") or ""))


def earlier_question(tracker: Tracker) -> str | None:
    """What the resident typed before the latest message ("没解决" refers to the answer to it)."""
    latest_seen = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not latest_seen:
            latest_seen = True
            continue
        text = str(event.get("text") or "")
        if text and not text.startswith("/"):
            return text
    return None
