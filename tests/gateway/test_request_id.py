"""X-Request-ID: taken or made by the gateway, answered, logged, and passed on to Rasa with the message."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.logging_setup import JsonFormatter
from api.main import create_app
from api.settings import Settings
from tests.channels.conftest import FakeRasa
from tests.gateway.server import serve
from tests.senders import issued_sender


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The gateway's JSON log lines, as a real handler writes them (formatted when they are emitted)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_the_callers_id_is_answered_and_logged(client: TestClient, json_log: io.StringIO) -> None:
    # Rasa is down in this fixture: the gateway logs a warning while it handles the message.
    response = client.post(
        "/api/chat", json={"sender": issued_sender(client), "message": "你好"}, headers={"X-Request-ID": "lb-7f3a"}
    )
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "lb-7f3a"
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    warning = next(line for line in lines if line["logger"] == "api.rasa_client")
    assert warning["request_id"] == "lb-7f3a"


def test_a_token_in_a_logged_url_is_masked(json_log: io.StringIO) -> None:
    """httpx logs each request it sends at INFO, the URL whole: the gateway's calls to Rasa carry its token there."""
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level
    httpx_logger.setLevel(logging.INFO)
    try:
        with FakeRasa() as rasa:
            httpx.get(f"{rasa.url}/?token=s3cret-Value_1&x=1")
    finally:
        httpx_logger.setLevel(level)
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    request = next(line for line in lines if line["logger"] == "httpx")
    assert "token=***&x=1" in request["msg"] and "s3cret" not in json_log.getvalue()


def test_an_id_is_made_when_none_or_an_unsafe_one_is_given(client: TestClient) -> None:
    ids = [client.get("/health").headers["X-Request-ID"] for _ in range(2)]
    for unsafe in ("a b", "x" * 65, "<script>", "id\\n{x}"):
        ids.append(client.get("/health", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"])
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_the_id_reaches_rasa_in_the_message_metadata(settings: Settings) -> None:
    with FakeRasa() as rasa:
        assert isinstance(rasa, FakeRasa)
        with TestClient(create_app(settings.model_copy(update={"rasa_url": rasa.url}))) as client:
            sender = issued_sender(client)
            client.post("/api/chat", json={"sender": sender, "message": "你好"}, headers={"X-Request-ID": "msg-1"})
            made = client.post("/api/chat", json={"sender": sender, "message": "谢谢"}).headers["X-Request-ID"]
    assert [call["metadata"] for call in rasa.calls] == [
        {"channel": "web", "request_id": "msg-1"},
        {"channel": "web", "request_id": made},
    ]


def test_the_servers_log_of_an_unhandled_error_carries_the_id(settings: Settings, json_log: io.StringIO) -> None:
    app = create_app(settings)

    @app.get("/api/test-broken")
    async def broken() -> None:
        raise RuntimeError("broken on purpose")

    # uvicorn logs the error through its own logger, configured when the server starts (after the fixture's).
    handler = logging.StreamHandler(json_log)
    handler.setFormatter(JsonFormatter())
    server_log = logging.getLogger("uvicorn.error")
    with serve(app) as url:
        server_log.addHandler(handler)
        try:
            assert httpx.get(f"{url}/api/test-broken", headers={"X-Request-ID": "err-9"}).status_code == 500
        finally:
            server_log.removeHandler(handler)
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert any(line.get("exc") and line.get("request_id") == "err-9" for line in lines)
