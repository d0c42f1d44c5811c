"""One resident message from any channel (web widget, WeChat, `POST /api/chat`) to whoever answers it.

Today that is the Rasa assistant; once a conversation is handed off to a 12345 agent, the handoff hub
(api/handoff.py) takes the resident's messages instead and agent replies go out through the channel's
outbound sender (`app.state.outbound[channel]`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


async def converse(app: FastAPI, channel: str, sender: str, text: str) -> list[dict[str, Any]]:
    """The replies to show the resident now (possibly none while an agent has the conversation)."""
    replies: list[dict[str, Any]] = await app.state.rasa.send(sender, text, {"channel": channel})
    return replies
