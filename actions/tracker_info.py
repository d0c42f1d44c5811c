"""Who is talking and through which channel, as the case API wants it."""

from __future__ import annotations

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
