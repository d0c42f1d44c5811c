"""What became of a resident's message: the marker the actions add to their replies for the gateway's turn log.

An action that answers from the knowledge base, cannot answer, hands over or files a case also sends a
`json_message` holding `mark(...)`; Rasa's REST channel returns it as `{"custom": {...}}` and the gateway
(api/rasa_client.py) takes it out of the replies, so no resident ever sees it, and records the turn
(api/turns.py). A marker is sent before the visible reply: the actions read "what the assistant said last"
from the last bot event's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MARKER_KEY = "luan_turn"
# Sent by the Rasa server itself (bot/serve.py) when a custom action could not run (the action server down or
# failing): the resident's message was not taken, and the gateway says so instead of the assistant's silence.
ACTION_FAILED_KEY = "luan_action_failed"

ANSWERED = "answered"
UNANSWERED = "unanswered"
HANDOFF = "handoff"
CASE = "case"
OTHER = "other"  # small talk, a question back, a form's next step: nothing to count either way
# When several actions mark one turn (a fallback that then hands over), the later step in this order wins.
OUTCOMES = (OTHER, UNANSWERED, ANSWERED, HANDOFF, CASE)


@dataclass(frozen=True)
class TurnMark:
    outcome: str
    service: str | None = None
    # A resident question the assistant could not answer: kept (masked) in the unanswered-question inbox.
    question: str | None = None


def mark(outcome: str, service: str | None = None, question: str | None = None) -> dict[str, Any]:
    """The json_message an action sends along with its reply."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown turn outcome {outcome!r}")
    return {MARKER_KEY: {"outcome": outcome, "service": service, "question": question}}


def read_mark(custom: Any) -> TurnMark | None:
    """The marker in a reply's `custom` payload, or None when it holds none (or a malformed one)."""
    if not isinstance(custom, dict) or not isinstance(custom.get(MARKER_KEY), dict):
        return None
    body = custom[MARKER_KEY]
    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        return None
    service, question = body.get("service"), body.get("question")
    return TurnMark(
        outcome=outcome,
        service=service if isinstance(service, str) and service else None,
        question=question if isinstance(question, str) and question.strip() else None,
    )


def turn_outcome(marks: list[TurnMark]) -> TurnMark:
    """The turn's outcome and service from all its markers (OTHER when there are none)."""
    if not marks:
        return TurnMark(OTHER)
    return max(marks, key=lambda m: OUTCOMES.index(m.outcome))
