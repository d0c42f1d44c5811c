"""Faults with real processes (issue 15): what a resident gets, and that nothing they sent is lost."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser, Ticket
from api.replies import ACKNOWLEDGEMENT, STILL_WAITING
from api.security import hash_password
from tests.gateway.conftest import PASSWORD, make_settings
from tests.gateway.server import free_port, serve
from tests.gateway.test_residents import complaint
from tests.own_servers import OwnPostgres, OwnRedis
from tests.senders import internal_sender, issued_sender
from tests.web.conftest import ANSWER, FakeRasa, Gateway

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
    with httpx.Client(base_url=gateway.url, timeout=20) as http:
        issued = issued_sender(http)
        sender = internal_sender(issued)
        health = http.get("/health").json()
        assert health["status"] == "degraded" and health["checks"]["rasa"]["ok"] is False

        first = http.post("/api/chat", json={"sender": issued, "message": "我的社保卡丢了，电话13812345678"})
        assert first.status_code == 200
        messages = first.json()["messages"]
        match = re.search(r"工单(GD\d{8,})", messages[0]["text"])
        assert match and "12345" in messages[0]["text"], messages
        assert messages[1:] == [{"text": ACKNOWLEDGEMENT}]
        # Later messages go to the agents too, not to the missing assistant.
        second = http.post("/api/chat", json={"sender": issued, "message": "补办要带什么材料"}).json()
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


def test_redis_down_and_back_no_error_for_residents_and_recovery_without_restart(
    own_redis: OwnRedis, fake_rasa: FakeRasa, tmp_path: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'redis-down.db'}"
    upgrade(database_url)
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "fake")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    settings = make_settings(database_url, knowledge_enabled=True, rasa_url=fake_rasa.url, redis_url=own_redis.url)
    fake_rasa.service_token = settings.service_token
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=20) as http:
        fake_rasa.gateway_url = url
        assert http.get("/health").json()["checks"]["redis"]["ok"] is True
        residents = [issued_sender(http) for _ in range(5)]  # issued while Redis is up: it is not needed
        own_redis.stop()
        # Every resident still gets the assistant's answer, no 500; health names the missing part.
        answers = [http.post("/api/chat", json={"sender": r, "message": "社保卡怎么办"}) for r in residents]
        assert [a.status_code for a in answers] == [200] * 5
        assert all(a.json()["messages"][0]["text"] == ANSWER for a in answers)
        health = http.get("/health")
        assert health.json()["checks"]["redis"]["ok"] is False and health.json()["status"] == "degraded"
        own_redis.start()
        # Back without a restart: the handoff (held in Redis) works again.
        deadline = time.monotonic() + 20
        while http.get("/health").json()["checks"]["redis"]["ok"] is not True:
            assert time.monotonic() < deadline, "the gateway did not see Redis come back"
            time.sleep(0.2)
        reply = http.post("/api/chat", json={"sender": issued_sender(http), "message": "我要转人工"}).json()
        assert "工单编号" in reply["messages"][0]["text"]
        assert redis.Redis(port=own_redis.port).keys("*handoff*")


def test_postgres_restarted_the_gateway_reconnects_by_itself(own_postgres: OwnPostgres) -> None:
    upgrade(own_postgres.url)
    settings = make_settings(own_postgres.url)
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=20) as http:
        assert http.post("/api/complaints", json=complaint()).status_code == 201
        own_postgres.stop()
        down = http.post("/api/complaints", json=complaint(description="物业收费不公开，多次反映没有结果。"))
        # While it is down: a clear 503 with a Chinese message, never a 500.
        assert down.status_code == 503 and down.json()["detail"] == "database_unavailable", down.text
        own_postgres.start()
        again = http.post("/api/complaints", json=complaint(description="小区门口的路灯坏了一个月了。"))
        assert again.status_code == 201, again.text
