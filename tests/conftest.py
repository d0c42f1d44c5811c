"""Shared fixtures: a real database per test (SQLite file and PostgreSQL), real Redis, the gateway app."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.own_servers import OwnPostgres, OwnRedis

POSTGRES_ADMIN_URL = os.environ.get("POSTGRES_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the run's PostgreSQL (scripts/with_test_servers.sh); a test that needs it fails loudly if
    it is down."""
    with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
    return POSTGRES_ADMIN_URL


def _postgres_database(admin_url: str) -> Iterator[str]:
    name = f"luan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test runs once on a fresh SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    yield from _postgres_database(postgres_server)


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.ping()
    client.close()
    return REDIS_TEST_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test alone; its keys are removed afterwards."""
    import redis

    prefix = f"luan-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server of the test's own, which the test may stop and start again."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A PostgreSQL cluster of the test's own, which the test may stop and start again. Not under pytest's
    temporary folder: that one is private to root, and the server runs as `postgres` when we are root."""
    with tempfile.TemporaryDirectory(prefix="luan-own-postgres-") as folder:
        server = OwnPostgres(Path(folder))
        server.start()
        yield server
        server.stop()
