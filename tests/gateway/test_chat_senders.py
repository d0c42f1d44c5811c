"""The web accepts only sender ids it issued (issue 15, item 3): `POST /api/chat/session`, then every resident
route taking the widget's sender checks the signature and answers 403 `sender_not_issued` otherwise."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from api.replies import NOTHING_RECEIVED
from api.senders import web_sender
from api.settings import Settings
from tests.gateway.conftest import make_settings
from tests.senders import internal_sender, issued_sender


def tampered(sender: str) -> list[str]:
    web_id, signature = sender.split(".")
    flipped = "A" if signature[-1] != "A" else "B"
    other_id = ("B" if web_id[0] != "B" else "C") + web_id[1:]
    return [
        f"{web_id}.{signature[:-1]}{flipped}",  # signature changed
        f"{other_id}.{signature}",  # another id under this one's signature
        web_id,  # unsigned
        f"{web_id}.",
        "web-" + "0" * 32,  # what the widget made up itself before
        f"web:{web_id}",  # the internal form
        f"{web_id}.{'签' * 43}",
    ]


def refused(response: httpx.Response) -> bool:
    body = response.json()
    return response.status_code == 403 and body["detail"] == "sender_not_issued" and "刷新" in body["message"]


def test_an_issued_sender_is_answered_and_every_other_is_refused(client: TestClient) -> None:
    sender = issued_sender(client)
    assert len(sender) <= 128 and sender != issued_sender(client)
    answered = client.post("/api/chat", json={"sender": sender, "message": " "})
    assert answered.status_code == 200 and answered.json() == {"messages": [{"text": NOTHING_RECEIVED}]}
    assert client.get("/api/handoff/messages", params={"sender": sender}).json() == {"state": "bot", "lines": []}
    for forged in tampered(sender):
        assert refused(client.post("/api/chat", json={"sender": forged, "message": " "})), forged
        assert refused(client.get("/api/handoff/messages", params={"sender": forged})), forged
        with client.stream("GET", "/api/handoff/stream", params={"sender": forged}) as stream:
            stream.read()
            assert refused(stream), forged
        photo = client.post("/api/chat/photo", data={"sender": forged}, files={"file": ("a.jpg", b"x", "image/jpeg")})
        assert refused(photo), forged
        assert refused(client.get("/api/photos/abcdefghijklmnopqrstuv", params={"sender": forged})), forged


def test_a_sender_issued_under_another_jwt_secret_is_refused(client: TestClient, settings: Settings) -> None:
    other = make_settings(settings.database_url, jwt_secret="another-jwt-secret-0123456789abcdef")
    with TestClient(create_app(other)) as elsewhere:
        foreign = issued_sender(elsewhere)
    assert refused(client.post("/api/chat", json={"sender": foreign, "message": " "}))
    assert web_sender(other, foreign) == internal_sender(foreign)


def test_the_session_endpoint_and_the_refusal_are_documented() -> None:
    paths = create_app(make_settings("sqlite://")).openapi()["paths"]
    schema = paths["/api/chat/session"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ChatSession"}
    chat = paths["/api/chat"]["post"]
    assert "403" in chat["responses"] and "sender_not_issued" in chat["responses"]["403"]["description"]
