"""Handoff, widget and console fixtures: a real gateway (uvicorn on a free port) with a stand-in Rasa server
that speaks the REST webhook protocol and escalates through the real `POST /api/tickets`."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Page

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser
from api.security import hash_password
from api.settings import Settings
from tests.gateway.conftest import PASSWORD, make_settings
from tests.gateway.server import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ANSWER = "办理社会保障卡，请携带本人身份证到就近的社保卡服务网点申领，也可以在线申请。"
ESCALATED = "已为您转接12345热线人工服务，工单编号：{number}。工作人员会在这里回复您，请稍候。"


@dataclass
class FakeRasa:
    """The Rasa server as the gateway sees it: answers, escalates on “人工”, records resume events."""

    url: str = ""
    gateway_url: str = ""
    service_token: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (sender, event) appended
    delay_seconds: float = 0.0  # how long each answer takes (a busy server)

    def reply(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        self.messages.append(body)
        time.sleep(self.delay_seconds)
        text = str(body.get("message", ""))
        if text == "/restart" or "沉默" in text:
            return []  # as Rasa after a restart, or when its loop guard stopped the actions
        if "人工" not in text:
            buttons = [{"title": "转人工客服", "payload": "转人工"}]
            return [{"recipient_id": body["sender"], "text": ANSWER, "buttons": buttons}]
        ticket = httpx.post(
            f"{self.gateway_url}/api/tickets",
            headers={"X-Service-Token": self.service_token},
            json={
                "sender": body["sender"],
                "channel": body.get("metadata", {}).get("channel", "web"),
                "summary": "居民咨询社会保障卡办理，要求转人工",
                "transcript": [
                    {"role": "resident", "text": m["message"]} for m in self.messages if m["sender"] == body["sender"]
                ],
            },
            timeout=10,
        )
        ticket.raise_for_status()
        return [{"recipient_id": body["sender"], "text": ESCALATED.format(number=ticket.json()["number"])}]


def _handler(rasa: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path == "/webhooks/rest/webhook":
                payload: Any = rasa.reply(body)
            elif self.path.startswith("/conversations/") and self.path.endswith("/tracker/events"):
                sender = unquote(self.path.split("/")[2])
                rasa.events.append((sender, body))
                if body.get("event") == "resume":
                    rasa.resumed.append(sender)
                payload = {}
            else:
                self.send_error(404)
                return
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def serve_fake_rasa() -> Iterator[FakeRasa]:
    """A FakeRasa listening on a free port until the block ends."""
    rasa = FakeRasa()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(rasa))
    rasa.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rasa
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with serve_fake_rasa() as rasa:
        yield rasa


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One knowledge index for the session: built by the first gateway, reused by the others."""
    return tmp_path_factory.mktemp("index")


@pytest.fixture
def handoff_settings(
    index_dir: Path,
    tmp_path: Path,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Settings:
    """SQLite in a temp dir, knowledge search with the fast deterministic embedder, the fake Rasa."""
    database_url = f"sqlite:///{tmp_path / 'handoff.db'}"
    upgrade(database_url)
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "fake")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    redis_overrides: dict[str, Any] = {}
    if getattr(request, "param", "memory") == "redis":
        redis_overrides = {
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_prefix": request.getfixturevalue("redis_prefix"),
        }
    settings = make_settings(database_url, knowledge_enabled=True, rasa_url=fake_rasa.url, **redis_overrides)
    fake_rasa.service_token = settings.service_token
    return settings


@dataclass
class Gateway:
    app: FastAPI
    url: str
    settings: Settings


@pytest.fixture
def gateway(handoff_settings: Settings, fake_rasa: FakeRasa) -> Iterator[Gateway]:
    """The gateway served by uvicorn on a free port; the fake Rasa escalates through it."""
    app = create_app(handoff_settings)
    with serve(app) as url:
        fake_rasa.gateway_url = url
        yield Gateway(app, url, handoff_settings)


@pytest.fixture
def make_staff(handoff_settings: Settings) -> Callable[[str, str], None]:
    """Create a staff account directly in the case store (as `python -m api create-admin` does)."""
    sessions = make_session_factory(make_engine(handoff_settings.database_url))

    def create(username: str, role: str) -> None:
        with transaction(sessions) as session:
            session.add(
                StaffUser(
                    username=username, display_name=f"{username}坐席", role=role, password_hash=hash_password(PASSWORD)
                )
            )

    return create


@pytest.fixture(autouse=True)
def working_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Wednesday morning, so that agents are at work (the after-hours answer: tests/web/test_waiting.py)."""
    monkeypatch.setattr("api.waiting.utcnow", lambda: WEDNESDAY_MORNING)


@pytest.fixture
def http(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, timeout=20) as client:
        yield client


@pytest.fixture
def agent(http: httpx.Client, make_staff: Callable[[str, str], None]) -> dict[str, str]:
    make_staff("agent7", "agent")
    token = http.post("/api/auth/login", json={"username": "agent7", "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's one-file build (scripts/vendor_axe.sh installs the pinned version once)."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vendor_axe.sh")], check=True, capture_output=True, text=True, timeout=300
    )
    return result.stdout.strip()


def wcag_violations(page: Page, axe_script: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now: rule ids and the nodes' selectors.

    axe is evaluated through the browser's debugging protocol, which the gateway's Content-Security-Policy
    (scripts from 'self' only) does not apply to: the pages are checked as served, without bypass_csp."""
    page.evaluate(Path(axe_script).read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
