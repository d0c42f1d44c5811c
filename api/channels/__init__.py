"""Resident channels beyond `POST /api/chat`: adapters between a messaging platform and `converse`.

Each channel that can reach a resident on its own (not only in reply to a request) registers an
outbound sender as `app.state.outbound[<channel>]`, so agent replies after a handoff go back the way the
resident came.
"""

from __future__ import annotations

from typing import Any, Protocol


class OutboundSender(Protocol):
    async def deliver(self, sender: str, messages: list[dict[str, Any]]) -> bool:
        """Deliver `[{"text", "buttons"?}]` to the resident `sender`; False when the platform refused it."""
        ...
