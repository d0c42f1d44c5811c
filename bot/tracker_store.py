"""Rasa's Redis tracker store, reading and rebuilding only the current conversation session.

Rasa 3.6's `RedisTrackerStore` turns the whole stored history of a conversation (every earlier session)
into tracker events three times per message: once to read it, twice more to merge it on write. A WeChat
resident keeps one openid for years, so each message would cost more than the one before (measured: about
0.5 ms more per earlier message). This store keeps the same Redis value (one JSON dialogue per
conversation, readable by Rasa's own store), but the earlier sessions stay JSON: reading rebuilds the last
session only, writing keeps the stored earlier sessions and replaces the rest with the tracker. Nothing
needs merging: the lock store lets one message at a time change a conversation.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.trackers import DialogueStateTracker


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


class SessionRedisTrackerStore(RedisTrackerStore):
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
        if stored is not None:
            # Only the first event is compared, in its stored (JSON) form.
            first_new = json.loads(json.dumps(dialogue["events"][0])) if dialogue["events"] else None
            dialogue["events"] = earlier_events(json.loads(stored)["events"], first_new) + dialogue["events"]
        self.red.set(key, json.dumps(dialogue), ex=timeout or self.record_exp)
