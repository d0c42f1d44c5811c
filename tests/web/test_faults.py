"""Faults with real processes (issue 15): what a resident gets, and that nothing they sent is lost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser, Ticket
from api.replies import ACKNOWLEDGEMENT, STILL_WAITING
from api.security import hash_password
from tests.gateway.conftest import PASSWORD, make_settings
from tests.gateway.server import free_port, serve
from tests.web.conftest import Gateway

Staff = dict[str, str]


@pytest.fixture
def gateway_without_rasa(index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """The gateway configured with a Rasa server that is not running (nothing listens on its port)."""
    database_url = f"sqlite:///{tmp_path / 'faults.db'}"
    upgrade(database_url)
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "fake")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    settings = make_settings(database_url, knowledge_enabled=True, rasa_url=f"http://127.0.0.1:{free_port()}")
    app = create_app(settings)
    with serve(app) as url:
        yield Gateway(app, url, settings)


def test_rasa_down_the_message_becomes_a_ticket_that_agents_answer(gateway_without_rasa: Gateway) -> None:
    gateway = gateway_without_rasa
    sender = "web-rasa-down"
    with httpx.Client(base_url=gateway.url, timeout=20) as http:
        health = http.get("/health").json()
        assert health["status"] == "degraded" and health["checks"]["rasa"]["ok"] is False

        first = http.post("/api/chat", json={"sender": sender, "message": "我的社保卡丢了，电话13812345678"})
        assert first.status_code == 200
        messages = first.json()["messages"]
        match = re.search(r"工单(GD\d{8,})", messages[0]["text"])
        assert match and "12345" in messages[0]["text"], messages
        assert messages[1:] == [{"text": ACKNOWLEDGEMENT}]
        # Later messages go to the agents too, not to the missing assistant.
        second = http.post("/api/chat", json={"sender": sender, "message": "补办要带什么材料"}).json()
        assert second["messages"] == [{"text": STILL_WAITING[0]}]

        sessions = make_session_factory(make_engine(gateway.settings.database_url))
        with transaction(sessions) as session:
            ticket = session.scalars(select(Ticket).where(Ticket.number == match.group(1))).one()
            assert ticket.summary == "我的社保卡丢了，电话13812345678"
            assert ticket.sender == sender and ticket.origin == "bot"

        token = _agent_token(http, gateway)
        queue = http.get("/api/staff/handoff/queue", headers=token).json()
        row = next(r for r in queue["conversations"] if r["sender"] == sender)
        assert row["ticket"] == match.group(1)
        detail = http.get(f"/api/staff/handoff/conversations/{sender}", headers=token).json()
        texts = [line["text"] for line in detail["lines"] if line["role"] == "resident"]
        assert texts[-1] == "补办要带什么材料" and "社保卡丢了" in texts[0]


def _agent_token(http: httpx.Client, gateway: Gateway) -> Staff:
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        password_hash = hash_password(PASSWORD)
        session.add(StaffUser(username="agent9", display_name="值班坐席", role="agent", password_hash=password_hash))
    login = http.post("/api/auth/login", json={"username": "agent9", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
