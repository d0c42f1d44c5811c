"""`GET /metrics`: Prometheus text whose counters move with the traffic, labelled by route template."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from api.channels.wechat_api import CustomerService
from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import Case, SupervisionEvent
from api.routes import metrics as metrics_route
from api.settings import REPO_ROOT as ROOT
from api.settings import Settings
from scripts.stack import wait_until_up
from tests.channels.conftest import APP_ID, SECRET, FakeRasa
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.gateway.conftest import make_settings
from tests.gateway.server import free_port
from tests.senders import issued_sender

DAY = timedelta(days=1)
COMPLAINT = {"description": "小区门口的路灯坏了两个星期没人修", "phone": "13812345678", "sender": "metrics-1"}


def sample(client: TestClient, name: str, **labels: str) -> float:
    """The value of one sample of the scrape (0 when the series does not exist yet)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def test_requests_are_counted_by_route_template_not_raw_path(client: TestClient) -> None:
    before = sample(client, "luan_http_requests_total", method="GET", route="/api/status/{number}", status="404")
    for number in ("TS20260101001", "TS20260101002", "LA20260101003"):
        assert client.get(f"/api/status/{number}", params={"phone_last4": "1234"}).status_code == 404
    assert client.get("/no/such/page/9f3a").status_code == 404
    assert client.request("BREW9F3A", "/api/status/TS20260101001").status_code == 405
    text = client.get("/metrics").text
    after = sample(client, "luan_http_requests_total", method="GET", route="/api/status/{number}", status="404")
    assert after - before == 3
    assert "TS20260101001" not in text and "9f3a" not in text
    assert sample(client, "luan_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert sample(client, "luan_http_requests_total", method="other", route="/api/status/{number}", status="405") >= 1
    assert sample(client, "luan_http_request_duration_seconds_count", method="GET", route="/api/status/{number}") >= 3


def test_a_server_error_is_counted_as_500(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/api/test-broken/{item}")
    async def broken(item: str) -> None:
        raise RuntimeError(item)

    with TestClient(app, raise_server_exceptions=False) as client:
        before = sample(client, "luan_http_requests_total", route="/api/test-broken/{item}", status="500")
        assert client.get("/api/test-broken/1").status_code == 500
        assert sample(client, "luan_http_requests_total", route="/api/test-broken/{item}", status="500") == before + 1


def test_chat_outcome_and_rasa_call_are_counted(settings: Settings) -> None:
    with FakeRasa() as rasa:
        assert isinstance(rasa, FakeRasa)
        marker = {"custom": {"luan_turn": {"outcome": "answered", "service": "社会保障卡申领"}}}
        rasa.answer("社保卡怎么办", marker, {"text": "可以在线申领。"})
        with TestClient(create_app(settings.model_copy(update={"rasa_url": rasa.url}))) as client:
            answered = sample(client, "luan_chat_turns_total", channel="web", outcome="answered")
            calls = sample(client, "luan_rasa_request_duration_seconds_count", call="message")
            reply = client.post("/api/chat", json={"sender": issued_sender(client), "message": "社保卡怎么办"})
            assert reply.json()["messages"] == [{"text": "可以在线申领。"}]
            assert sample(client, "luan_chat_turns_total", channel="web", outcome="answered") == answered + 1
            assert sample(client, "luan_rasa_request_duration_seconds_count", call="message") == calls + 1


def test_rasa_down_is_counted_as_an_error(client: TestClient) -> None:
    errors = sample(client, "luan_rasa_errors_total", call="message", error="ConnectError")
    assert client.post("/api/chat", json={"sender": issued_sender(client), "message": "你好"}).status_code == 200
    assert sample(client, "luan_rasa_errors_total", call="message", error="ConnectError") == errors + 1


@pytest.fixture
def fresh_case_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_route, "CASE_COUNTS_SECONDS", 0.0)


@pytest.mark.usefixtures("fresh_case_counts")
def test_cases_by_kind_status_and_card(client: TestClient, settings: Settings) -> None:
    labels = {"kind": "complaint", "status": "pending"}
    assert sample(client, "luan_cases", **labels, card="none") == 0
    for n in range(3):
        body = {**COMPLAINT, "description": f"{COMPLAINT['description']}（第{n + 1}处）"}
        assert client.post("/api/complaints", json=body).status_code == 201
    assert sample(client, "luan_cases", **labels, card="none") == 3
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        red, yellow, older = session.scalars(select(Case).where(Case.kind == "complaint").order_by(Case.id)).all()
        for kind in ("yellow", "red"):  # a case that went yellow, then red: it counts as red, once
            session.add(SupervisionEvent(case_id=red.id, kind=kind, by="system", deadline=red.deadline))
        session.add(SupervisionEvent(case_id=yellow.id, kind="yellow", by="system", deadline=yellow.deadline))
        # A card of a deadline the case no longer has (it was extended) is not its card.
        assert older.deadline is not None
        session.add(SupervisionEvent(case_id=older.id, kind="red", by="system", deadline=older.deadline - DAY))
    assert sample(client, "luan_cases", **labels, card="red") == 1
    assert sample(client, "luan_cases", **labels, card="yellow") == 1
    assert sample(client, "luan_cases", **labels, card="none") == 1


def test_handoff_queue_length_and_wait(client: TestClient) -> None:
    assert sample(client, "luan_handoff_queue_length", state="waiting") == 0
    assert sample(client, "luan_handoff_oldest_wait_seconds") == 0
    hub = client.app.state.handoff  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(hub.escalate, "metrics-4", "web", "GD20260101001")
    assert sample(client, "luan_handoff_queue_length", state="waiting") == 1
    assert sample(client, "luan_handoff_oldest_wait_seconds") >= 0


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi(APP_ID, SECRET) as server:
        assert isinstance(server, FakeWeChatApi)
        yield server


def test_wechat_pushes_by_outcome(client: TestClient, wechat_api: FakeWeChatApi, database_url: str) -> None:
    def pushes(outcome: str) -> float:
        return sample(client, "luan_wechat_pushes_total", outcome=outcome)

    def service(api_base: str) -> CustomerService:
        overrides = {"wechat_app_id": APP_ID, "wechat_app_secret": SECRET, "wechat_api_base": api_base}
        return CustomerService.from_settings(make_settings(database_url, **overrides), None)

    before = {outcome: pushes(outcome) for outcome in ("sent", "refused", "unreachable", "not_configured")}
    reachable, down = service(wechat_api.url), service(f"http://127.0.0.1:{free_port()}")
    wechat_api.refuse("o-refused-openid", 45047)
    assert asyncio.run(reachable.send_texts("o-resident-openid", ["您的诉求已受理。"]))
    assert not asyncio.run(reachable.send_texts("o-refused-openid", ["您的诉求已受理。"]))
    assert not asyncio.run(down.send_texts("o-resident-openid", ["您的诉求已受理。"]))
    assert not asyncio.run(CustomerService(None).send_texts("o-resident-openid", ["您的诉求已受理。"]))
    after = {outcome: pushes(outcome) for outcome in before}
    assert {outcome: after[outcome] - before[outcome] for outcome in before} == {
        "sent": 1,
        "refused": 1,
        "unreachable": 1,
        "not_configured": 1,
    }


def test_several_workers_add_up_in_any_scrape(tmp_path: Path) -> None:
    """uvicorn with two workers and PROMETHEUS_MULTIPROC_DIR: whichever worker answers the scrape counts
    every worker's requests."""
    database_url = f"sqlite:///{tmp_path / 'cases.db'}"
    upgrade(database_url)
    (tmp_path / "metrics").mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "KNOWLEDGE_ENABLED": "false",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "JWT_SECRET": "test-jwt-secret-0123456789abcdef",
        "SERVICE_TOKEN": "test-service-token-0123456789abcdef",
        "PII_KEY": "test-pii-key",
        "RATE_LIMIT_PER_MINUTE": "10000",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port), "--workers", "2"]
    gateway = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_up(f"{url}/health", 120), "gateway did not start"
        with httpx.Client(base_url=url) as http:
            for number in range(20):  # new connections: the kernel spreads them over both workers
                httpx.get(f"{url}/api/status/TS2026010100{number:02d}", params={"phone_last4": "1234"})
            for _ in range(4):
                families = text_string_to_metric_families(http.get("/metrics", headers={"Connection": "close"}).text)
                counted = sum(
                    s.value
                    for family in families
                    for s in family.samples
                    if s.name == "luan_http_requests_total" and s.labels["route"] == "/api/status/{number}"
                )
                assert counted == 20
        assert len(list((tmp_path / "metrics").glob("counter_*.db"))) == 2  # one file per worker
    finally:
        gateway.send_signal(signal.SIGINT)
        gateway.wait(timeout=30)
