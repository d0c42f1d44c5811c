"""What the tracker says: who is talking, through which channel, and what the latest message changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker

CHANNELS = ("api", "web", "wechat", "hotline", "rasa")


def sender_channel(tracker: Tracker) -> tuple[str, str]:
    """The sender id and the resident's channel.

    The gateway forwards every message through Rasa's REST channel with metadata {"channel": ...};
    Rasa's own input channel name ("rest") says nothing about where the resident is.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            channel = (event.get("metadata") or {}).get("channel")
            if channel in CHANNELS:
                return tracker.sender_id, channel
    return tracker.sender_id, "api"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def slots_set_by_latest_message(tracker: Tracker) -> set[str]:
    names: set[str] = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.add(event["name"])
    return names


def values_since_latest_message(tracker: Tracker, slot: str) -> list[Any]:
    """The values the slot was set to after the resident's latest message, in order."""
    values: list[Any] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and event.get("name") == slot:
            values.insert(0, event.get("value"))
    return values


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest message was taken in (None when it was not set)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def last_bot_text_before_latest_message(tracker: Tracker) -> str | None:
    """What the assistant said last before the resident's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "bot":
            return str(event.get("text") or "")
    return None


def bot_texts_before_latest_message(tracker: Tracker) -> list[str]:
    """What the assistant said between the resident's previous message and the latest one, oldest first."""
    said: list[str] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif users == 1 and event.get("event") == "bot":
            said.append(str(event.get("text") or ""))
    return said[::-1]


def bot_texts_since_latest_message(tracker: Tracker) -> list[str]:
    """What the assistant has said since the resident's latest message (in this turn), oldest first."""
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            said.append(str(event.get("text") or ""))
    return said[::-1]


def refused_now(tracker: Tracker, slot: str | None) -> bool:
    """The form refused the latest message as the answer to `slot` and counted a try (form_base.unusable_answer)."""
    before = (slot_before_latest_message(tracker, "failed_attempts") or {}).get(slot, 0)
    return bool(slot) and (tracker.get_slot("failed_attempts") or {}).get(slot, 0) > before


def slot_text(tracker: Tracker, slot: str) -> str:
    """A slot a finished form has filled, as text ("" if it is not set)."""
    value = tracker.get_slot(slot)
    return "" if value is None else str(value)


def user_text_before_latest_message(tracker: Tracker) -> str | None:
    """What the resident wrote in the message before the latest one (None at the start)."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest:
                return str(event.get("text") or "") or None
            seen_latest = True
    return None


def repeats_previous_message(tracker: Tracker) -> bool:
    """The latest message says again what the one before it said: an answer kept after the question was asked
    again, all the resident has to say ("广场舞太吵" twice to "请您说说遇到了什么问题")."""
    latest = str(tracker.latest_message.get("text") or "").strip()
    return bool(latest) and latest == (user_text_before_latest_message(tracker) or "").strip()


# The slots a resident's phone number is kept in while a form runs (reset when it ends).
PHONE_SLOTS = ("phone", "suggestion_phone")


def phone_given_this_session(tracker: Tracker, valid: Callable[[str], str | None]) -> str | None:
    """The phone number the resident gave an earlier form of this conversation, newest first, as `valid` reads
    it (a new session, after the session timeout, forgets it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "slot" and event.get("name") in PHONE_SLOTS and event.get("value"):
            number = valid(str(event["value"]))
            if number:
                return number
    return None
