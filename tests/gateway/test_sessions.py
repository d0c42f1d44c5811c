"""The request's session (api/deps.py SessionDep): committed before the answer goes out, rolled back when
the route refuses with an ApiError (which still answers with its own status and Chinese message)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import SessionTransaction

from api import audit
from api.db import make_engine, make_session_factory
from api.deps import SessionDep
from api.errors import ApiError, install_error_handlers
from api.main import create_app
from api.models import AuditEntry
from api.settings import Settings
from tests.gateway.server import serve

COMMIT_DELAY_SECONDS = 0.5


@pytest.fixture
def slow_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every commit takes a while, so an answer sent before its commit would be caught by the next request."""
    commit = SessionTransaction.commit

    def slow(self: SessionTransaction, *args: Any, **kwargs: Any) -> Any:
        time.sleep(COMMIT_DELAY_SECONDS)
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(SessionTransaction, "commit", slow)


def test_a_filed_case_is_readable_by_the_next_request(settings: Settings, slow_commits: None) -> None:
    # The PostgreSQL run is the telling one: SQLite's writer lock would make the reader wait anyway.
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(3):
            filed = http.post("/api/complaints", json={"description": "小区路灯坏了一个月", "phone": "13812345678"})
            assert filed.status_code == 201, filed.text
            # A new connection: nothing but the database links the two requests.
            with httpx.Client(base_url=url, timeout=30) as other:
                status = other.get(f"/api/status/{filed.json()['number']}", params={"phone_last4": "5678"})
            assert status.status_code == 200, status.text


@pytest.fixture
def refusing_app(settings: Settings) -> Iterator[tuple[TestClient, Any]]:
    """A route that writes an audit entry and then refuses, on the gateway's session dependency."""
    sessions = make_session_factory(make_engine(settings.database_url))
    app = FastAPI()
    install_error_handlers(app)
    app.state.runtime = SimpleNamespace(sessions=sessions)

    @app.post("/refuse")
    def refuse(session: SessionDep) -> None:
        audit.record(session, "tester", "admin", "written_then_refused", None)
        session.flush()
        raise ApiError(409, "refused", "操作未完成")

    @app.post("/accept")
    def accept(session: SessionDep) -> dict[str, str]:
        audit.record(session, "tester", "admin", "accepted", None)
        return {"ok": "yes"}

    with TestClient(app) as client:
        yield client, sessions


def test_an_api_error_rolls_back_and_keeps_its_answer(refusing_app: tuple[TestClient, Any]) -> None:
    client, sessions = refusing_app
    refused = client.post("/refuse")
    assert refused.status_code == 409
    assert refused.json() == {"detail": "refused", "message": "操作未完成"}
    assert client.post("/accept").status_code == 200
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "written_then_refused" not in actions and "accepted" in actions
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
