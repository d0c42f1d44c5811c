"""Fuzzing the gateway's whole HTTP API from its own OpenAPI document (schemathesis, a bounded run): no request
gets a 500, and every error has the documented shape (a precise `detail`, a Chinese `message`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser
from api.security import hash_password
from tests.gateway.conftest import PASSWORD, make_settings
from tests.gateway.server import serve

# Streams never end and would hold a worker for the whole run; the WeChat webhook is fuzzed in tests/channels.
EXCLUDED = r"^/(api/handoff/stream|api/staff/handoff/events|api/staff/supervision/events|wechat)"
HAN = range(0x4E00, 0xA000)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The gateway on a real server, and the headers of an administrator who is also the action server."""
    folder = tmp_path_factory.mktemp("fuzz")
    database_url = f"sqlite:///{folder / 'fuzz.db'}"
    upgrade(database_url)
    app_settings = make_settings(database_url, login_per_minute=10_000, knowledge_enabled=True)
    with transaction(make_session_factory(make_engine(database_url))) as session:
        session.add(
            StaffUser(username="fuzz", display_name="测试", role="admin", password_hash=hash_password(PASSWORD))
        )
    with pytest.MonkeyPatch.context() as env:
        # Knowledge search with the fast deterministic embedder (the real model is tested in tests/knowledge).
        env.setenv("KNOWLEDGE_EMBEDDER", "fake")
        env.setenv("KNOWLEDGE_INDEX_DIR", str(folder / "index"))
        with serve(create_app(app_settings)) as url:
            login = httpx.post(f"{url}/api/auth/login", json={"username": "fuzz", "password": PASSWORD})
            headers = {
                "Authorization": f"Bearer {login.json()['access_token']}",
                "X-Service-Token": app_settings.service_token,
            }
            yield url, headers


# The document does not depend on settings: read from an app that is never started.
schema = schemathesis.openapi.from_dict(create_app(make_settings("sqlite://")).openapi()).exclude(path_regex=EXCLUDED)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_errors_in_the_documented_shape(case: Any, fuzzed: tuple[str, dict[str, str]]) -> None:
    url, headers = fuzzed
    response = case.call(base_url=url, headers=headers)
    # 503 is documented (the router or knowledge base not loaded here); a 500 is a bug.
    assert response.status_code != 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
    content_type = " ".join(response.headers.get("content-type", []))  # schemathesis: lists of values
    if response.status_code >= 400 and content_type.startswith("application/json"):
        body = response.json()
        assert "detail" in body, body
        message = body.get("message")
        assert isinstance(message, str) and any(ord(ch) in HAN for ch in message), body
