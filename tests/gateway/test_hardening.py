"""HTTP hardening of the gateway: secrets, security headers, body size, API docs, bounded streams."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError

import api.settings as settings_module
from api.main import create_app
from api.models import EncryptedText
from api.personal_data import decrypt, encrypt
from api.rasa_client import RasaClient
from api.routes.web import STATIC_DIR
from api.settings import REPO_ROOT, Settings, get_settings
from scripts.stack import Stack, wait_until_up
from tests.gateway.server import free_port
from tests.senders import issued_sender

LONG = "x" * 32


# Secrets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["service_token", "jwt_secret"])
@pytest.mark.parametrize("value", ["", "   ", "short-secret", "y" * 31])
def test_empty_or_short_shared_secrets_are_refused_at_start(name: str, value: str) -> None:
    values: dict[str, Any] = {"service_token": LONG, "jwt_secret": LONG, name: value}
    with pytest.raises(ValidationError, match=f"{name.upper()} must be at least 32 characters"):
        Settings(**values)


def test_secrets_of_32_characters_are_accepted() -> None:
    settings = Settings(service_token=LONG, jwt_secret="z" * 40)
    assert settings.service_token == LONG


def _generate(var_dir: str, results: multiprocessing.Queue[str]) -> None:
    settings_module.VAR_DIR = Path(var_dir)
    results.put(settings_module._local_secret("race.secret"))


def test_workers_starting_together_share_one_secret_file_readable_by_the_owner_only(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_generate, args=(str(tmp_path), results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    secrets = {results.get(timeout=5) for _ in workers}
    written = (tmp_path / "race.secret").read_text()
    assert secrets == {written} and len(written) >= 32
    assert stat.S_IMODE((tmp_path / "race.secret").stat().st_mode) == 0o600


def test_a_secret_file_still_being_written_is_waited_for_not_read_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    path = tmp_path / "late.secret"
    path.touch(mode=0o600)  # another worker has created it and not yet written
    writer = threading.Timer(0.2, path.write_text, args=("the-other-workers-secret",))
    writer.start()
    assert settings_module._local_secret("late.secret") == "the-other-workers-secret"
    writer.join()


@pytest.fixture
def pii_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_personal_data_stored_under_the_old_key_reads_after_rotation(
    tmp_path: Path, pii_environment: pytest.MonkeyPatch
) -> None:
    table = sa.Table(
        "people", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("phone", EncryptedText)
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rotation.db'}")
    table.create(engine)
    pii_environment.setenv("PII_KEY", "the-old-key")
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=1, phone="13812345678"))

    get_settings.cache_clear()
    pii_environment.setenv("PII_KEY", "the-new-key")
    pii_environment.setenv("PII_PREVIOUS_KEYS", "an-older-key, the-old-key")
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=2, phone="13987654321"))
        rows = dict(connection.execute(sa.select(table.c.id, table.c.phone)).all())
        stored: dict[int, str] = dict(connection.execute(sa.text("SELECT id, phone FROM people")).all())
    assert rows == {1: "13812345678", 2: "13987654321"}
    # New data is written under the new key alone: readable once the old key is dropped.
    assert decrypt(stored[2], "the-new-key") == "13987654321"
    with pytest.raises(RuntimeError, match="PII_PREVIOUS_KEYS"):
        decrypt(stored[1], "the-new-key")


def test_rotated_keys_read_in_any_order_and_a_foreign_key_is_refused() -> None:
    token = encrypt("341502199001011234", "key-a")
    assert decrypt(token, "key-c", "key-b", "key-a") == "341502199001011234"
    with pytest.raises(RuntimeError, match="PII_KEY"):
        decrypt(token, "key-c", "key-b")


# HTTP ------------------------------------------------------------------------------------------------


def _csp(response: Any) -> dict[str, str]:
    directives = (part.strip().partition(" ") for part in response.headers["content-security-policy"].split(";"))
    return {name: value for name, _, value in directives}


def test_pages_and_api_answers_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/console", "/analytics", "/widget.js", "/health", "/api/knowledge/categories"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        csp = _csp(response)
        assert csp["frame-ancestors"] == "'none'" and response.headers["x-frame-options"] == "DENY", path
        assert csp["script-src"] == "'self'" and csp["object-src"] == "'none'", path
        assert "strict-transport-security" not in response.headers, path  # plain HTTP, HSTS not configured


def test_no_page_needs_inline_script() -> None:
    """script-src 'self' holds only while every script is a file of ours (no inline code or handlers)."""
    for page in STATIC_DIR.glob("*.html"):
        html = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.name
        assert not re.search(r"\son[a-z]+\s*=", html), page.name
        assert "javascript:" not in html, page.name


def test_hsts_over_tls_or_when_configured(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as over_tls:
        assert over_tls.get("/health").headers["strict-transport-security"].startswith("max-age=31536000")
    with TestClient(create_app(settings.model_copy(update={"hsts": True}))) as behind_proxy:
        assert "max-age=" in behind_proxy.get("/health").headers["strict-transport-security"]


def test_only_the_widget_page_may_be_framed_by_the_configured_portal(settings: Settings) -> None:
    portal = "https://www.luan.gov.cn"
    with TestClient(create_app(settings.model_copy(update={"web_frame_ancestors": portal}))) as client:
        assert _csp(client.get("/"))["frame-ancestors"] == portal
        assert "x-frame-options" not in client.get("/").headers
        assert _csp(client.get("/console"))["frame-ancestors"] == "'none'"


def test_api_docs_are_off_unless_enabled(settings: Settings, client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["message"] == "页面不存在", path
    assert "/api/chat" in create_app(settings).openapi()["paths"]  # tools still read the schema in-process
    with TestClient(create_app(settings.model_copy(update={"docs_enabled": True}))) as enabled:
        assert enabled.get("/openapi.json").status_code == 200
        assert enabled.get("/docs").status_code == 200


def test_an_oversized_body_is_413_with_the_chinese_error_shape(client: TestClient, settings: Settings) -> None:
    huge = json.dumps({"sender": "web-1", "message": "你好" * settings.max_body_bytes})
    declared = client.post("/api/chat", content=huge, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json() == {"detail": "body_too_large", "message": "提交的内容过多，请精简后再试"}

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(huge), 4096):
            yield huge[start : start + 4096].encode()

    streamed = client.post("/api/chat", content=chunked(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["detail"] == "body_too_large"
    assert "nosniff" == streamed.headers["x-content-type-options"]
    # A normal request still reaches the route (validation answers, not the size limit).
    assert client.post("/api/chat", json={"sender": "", "message": "你好"}).status_code == 422


def test_an_event_stream_ends_after_its_maximum_duration(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"sse_max_seconds": 0.5}))) as client:
        started = time.monotonic()
        with client.stream("GET", "/api/handoff/stream", params={"sender": issued_sender(client)}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            body = b"".join(response.iter_bytes())
        assert 0.4 < time.monotonic() - started < 10
        assert body.endswith(b"retry: 1000\n\n")


# Rasa and the action server --------------------------------------------------------------------------


def test_the_gateway_sends_the_rasa_token_on_every_call() -> None:
    paths: list[str] = []

    class RecordingRasa(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = "rasa-auth-token-" + "r" * 32

    async def talk() -> None:
        client = RasaClient([f"http://127.0.0.1:{server.server_address[1]}"], 5.0, token=token)
        await client.send("web-token-1", "你好")
        assert await client.resume("web-token-1")
        await client.close()

    try:
        asyncio.run(talk())
    finally:
        server.shutdown()
        server.server_close()
    assert len(paths) == 3
    assert all(parse_qs(urlsplit(path).query) == {"token": [token]} for path in paths), paths


def _outward_address() -> str | None:
    """This machine's address on its network (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def test_the_stack_gives_rasa_a_token_and_keeps_the_action_server_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    stack = Stack(env={"PATH": os.environ.get("PATH", "")}, actions_port=port)
    commands = stack.commands()
    rasa_command = commands["rasa"][0]
    token = next(arg.removeprefix("--auth-token=") for arg in rasa_command if arg.startswith("--auth-token="))
    assert len(token) >= 32 and commands["gateway"][1]["RASA_TOKEN"] == token
    assert Stack(env={}).commands()["gateway"][1]["RASA_TOKEN"] != token  # a new one for every stack
    # a token that starts like an option stays the option's value (one argument, not two)
    dashed = Stack(env={"RASA_TOKEN": "-" + "t" * 40}).commands()["rasa"][0]
    assert f"--auth-token=-{'t' * 40}" in dashed and "--auth-token" not in dashed

    command, env = commands["actions"]
    actions = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until_up(f"http://127.0.0.1:{port}/health", 120), "the action server did not start"
        outward = _outward_address()
        if outward is None:
            pytest.skip("no network address besides loopback to try")
        with pytest.raises(OSError), socket.create_connection((outward, port), timeout=2):
            pass
    finally:
        actions.terminate()
        actions.wait(30)
