"""Rasa's Redis tracker store, reading and rebuilding only the current conversation session.

Rasa 3.6's `RedisTrackerStore` turns the whole stored history of a conversation (every earlier session)
into tracker events three times per message: once to read it, twice more to merge it on write. A WeChat
resident keeps one openid for years, so each message would cost more than the one before (measured: about
0.5 ms more per earlier message). This store keeps the same Redis value (one JSON dialogue per
conversation, readable by Rasa's own store), but the earlier sessions stay JSON: reading rebuilds the last
session only, writing keeps the stored earlier sessions and replaces the rest with the tracker. Nothing
needs merging: the lock store lets one message at a time change a conversation.

Personal data does not outlive its session (issue 15): slots are not carried over (domain.yml), and once a
session is closed its stored events are masked (ID and phone numbers, names), once; `masked_until` in the
stored dialogue says how far. The whole record expires `record_exp` seconds after its last message
(TRACKER_RECORD_SECONDS, endpoints.redis.yml).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.trackers import DialogueStateTracker

from contract.personal_data import mask_name, mask_text


def current_session_start(events: list[dict[str, Any]]) -> int:
    """Index of the event that started the last session (0 when none did): where Rasa splits sessions."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "action" and event.get("name") == ACTION_SESSION_START_NAME:
            return index
    return 0


def earlier_events(stored: list[dict[str, Any]], first_new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The stored events that come before the tracker being saved, which starts with `first_new`.

    The tracker was read with its current session only, so it starts at one of the stored events; one
    that starts nowhere in the history (a conversation replaced through the HTTP API) keeps nothing.
    """
    if first_new is None:
        return stored
    for index, event in enumerate(stored):
        if event == first_new:
            return stored[:index]
    return []


def _masked_value(name: str | None, value: str) -> str:
    # A name slot or entity holds the bare name ("张三"), which text masking would not recognise.
    if name and name.endswith("name"):
        return mask_name(value) or "*"
    return mask_text(value, names=True)


def masked(event: dict[str, Any]) -> dict[str, Any]:
    """A stored event of a closed session with the personal data in its texts, entities and slot value masked."""
    event = dict(event)
    if isinstance(event.get("text"), str):
        event["text"] = mask_text(event["text"], names=True)
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data = dict(parse_data)
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = mask_text(parse_data["text"], names=True)
        parse_data["entities"] = [
            {**e, "value": _masked_value(e.get("entity"), e["value"])} if isinstance(e.get("value"), str) else e
            for e in parse_data.get("entities") or []
        ]
        event["parse_data"] = parse_data
    if event.get("event") == "slot" and isinstance(event.get("value"), str):
        event["value"] = _masked_value(event.get("name"), event["value"])
    return event


class SessionRedisTrackerStore(RedisTrackerStore):
    def __init__(self, domain: Any, record_exp: float | str | None = None, **kwargs: Any) -> None:
        # From endpoints.redis.yml the setting arrives as text; empty means no expiry.
        expiry = float(record_exp) if record_exp is not None and record_exp != "" else None
        super().__init__(domain, record_exp=expiry, **kwargs)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        stored = self.red.get(self.key_prefix + sender_id)
        if stored is None:
            return None
        dialogue = json.loads(stored)
        dialogue["events"] = dialogue["events"][current_session_start(dialogue["events"]) :]
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue.from_parameters(dialogue))
        return tracker

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        await self.stream_events(tracker)
        key = self.key_prefix + tracker.sender_id
        dialogue = tracker.as_dialogue().as_dict()
        stored = self.red.get(key)
        masked_until = 0
        if stored is not None:
            before = json.loads(stored)
            masked_until = int(before.get("masked_until", 0))
            # Only the first event is compared, in its stored (JSON) form.
            first_new = json.loads(json.dumps(dialogue["events"][0])) if dialogue["events"] else None
            dialogue["events"] = earlier_events(before["events"], first_new) + dialogue["events"]
        events = dialogue["events"]
        closed = current_session_start(events)
        if closed > masked_until:
            events[masked_until:closed] = [masked(event) for event in events[masked_until:closed]]
        dialogue["masked_until"] = max(closed, masked_until)
        expiry = timeout or self.record_exp
        self.red.set(key, json.dumps(dialogue), ex=int(expiry) if expiry else None)
