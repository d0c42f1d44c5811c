"""Gateway fixtures: the real app (create_app) on a migrated database with the real catalogue files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser
from api.security import hash_password
from api.settings import Settings
from knowledge.routing.model import build
from tests.knowledge.test_routing import fixture_settings

PASSWORD = "correct-horse-battery"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": None,
        "knowledge_enabled": False,
        "rasa_url": "http://127.0.0.1:9",  # nothing listens: chat answers with the polite fallback
        "jwt_secret": "test-jwt-secret-0123456789abcdef",
        "pii_key": "test-pii-key",
        "service_token": "test-service-token-0123456789abcdef",
        "rate_limit_per_minute": 10_000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    upgrade(database_url)
    return make_settings(database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def staff_token(client: TestClient, settings: Settings) -> Callable[[str], str]:
    """Create a staff user with the given role (once) and return a bearer token for it."""
    sessions = make_session_factory(make_engine(settings.database_url))

    def token(role: str) -> str:
        username = f"{role}1"
        with transaction(sessions) as session:
            if session.query(StaffUser).filter_by(username=username).first() is None:
                session.add(
                    StaffUser(
                        username=username, display_name=f"测试{role}", role=role, password_hash=hash_password(PASSWORD)
                    )
                )
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def routing_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A router trained on the small fixture data set (tests/knowledge/test_routing.py)."""
    routing = fixture_settings(tmp_path_factory.mktemp("routing"))
    build(routing)
    return routing.routing_model_dir


@pytest.fixture
def routed_client(database_url: str, routing_model_dir: Path) -> Iterator[TestClient]:
    """The gateway with that router loaded."""
    upgrade(database_url)
    with TestClient(create_app(make_settings(database_url, routing_model_dir=routing_model_dir))) as test_client:
        yield test_client
