"""A resident's web sender, got as the widget gets it (`POST /api/chat/session`): every test, script and tool that
talks to `/api/chat`, the photo upload or the handoff stream starts here."""

from __future__ import annotations

import httpx

from api.senders import WEB_PREFIX


def issued_sender(client: httpx.Client) -> str:
    """`client`: an httpx.Client with the gateway's base URL, or FastAPI's TestClient (one too)."""
    response = client.post("/api/chat/session")
    assert response.status_code == 201, response.text
    sender: str = response.json()["sender"]
    return sender


def internal_sender(issued: str) -> str:
    """The id the gateway hands on for an issued sender (to Rasa, cases, the handoff hub): `web:<id>`."""
    return WEB_PREFIX + issued.split(".", 1)[0]
