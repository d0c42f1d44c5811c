"""The whole assistant for real: trained Rasa model, action server and gateway, on PostgreSQL and Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from scripts.stack import ROOT, Stack
from tests.conftest import POSTGRES_ADMIN_URL, REDIS_TEST_URL
from tests.gateway.server import free_port
from tests.senders import internal_sender, issued_sender

MODEL = ROOT / "models" / "luan.tar.gz"


@dataclass
class LiveStack:
    gateway: str
    database_url: str
    # The processes themselves, for the fault tests that kill and restart one (tests/e2e/test_faults_processes.py).
    processes: Stack | None = None
    # A test's name for a resident ("e2e-apply") -> the sender the gateway issued for them.
    issued: dict[str, str] = field(default_factory=dict)

    def sender(self, resident: str) -> str:
        """The issued sender of the resident a test calls `resident` (one per name, got on first use)."""
        if resident not in self.issued:
            with httpx.Client(base_url=self.gateway, timeout=60) as client:
                self.issued[resident] = issued_sender(client)
        return self.issued[resident]

    def internal(self, resident: str) -> str:
        """The resident's id in the database and the handoff hub (`web:<id>`)."""
        return internal_sender(self.sender(resident))

    def chat(self, resident: str, message: str) -> list[dict[str, Any]]:
        payload = {"sender": self.sender(resident), "message": message}
        response = httpx.post(f"{self.gateway}/api/chat", json=payload, timeout=60)
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return list(conn.execute(sql, params).fetchall())

    def execute(self, sql: str, **params: Any) -> None:
        with psycopg.connect(self.database_url) as conn:
            conn.execute(sql, params)


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    with start_live_stack() as stack:
        yield stack


STARTS = 3  # a port handed out by free_port() can be taken before the server binds it: start again


def _started(env: dict[str, str], standin_port: int, logs: Path) -> Stack:
    """The stack up and answering, on new ports if a process ended while it came up; else the test fails with
    the end of the dead processes' output (logs/<name>.log)."""
    for attempt in range(1, STARTS + 1):
        stack = Stack(
            env=env,
            gateway_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            standin_port=standin_port,
            quiet=not os.environ.get("E2E_VERBOSE"),
            log_dir=logs,
        )
        stack.start()
        if stack.wait_ready(600):
            return stack
        dead = stack.exited()
        stack.stop()
        if not dead or attempt == STARTS:
            tails = "\n".join(f"--- {name} (exit {code}):\n{stack.log_tail(name)}" for name, code in dead.items())
            pytest.fail(f"the stack did not come up (attempt {attempt})\n{tails}")
    raise AssertionError("unreachable")


@contextmanager
def start_live_stack(**extra_env: str) -> Iterator[LiveStack]:
    """A stack of its own (database, Redis prefix, ports); `extra_env` on top of the usual environment."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it)")
    name = f"luan_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    standin_port = free_port()  # seed-demo registers the stand-in department systems at this port
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_TEST_URL,
        REDIS_PREFIX=prefix,
        SERVICE_TOKEN=secrets.token_urlsafe(32),
        RATE_LIMIT_PER_MINUTE="100000",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        STANDIN_PORT=str(standin_port),
        **extra_env,
    )
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "api", command], env=env, cwd=ROOT, check=True)
    logs = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    stack = _started(env, standin_port, logs)
    try:
        yield LiveStack(stack.gateway_url, database_url, stack)
    finally:
        stack.stop()
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def payloads(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons", [])]


__all__ = ["LiveStack", "Path", "payloads", "text_of"]
