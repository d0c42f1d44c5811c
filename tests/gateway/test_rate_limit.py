"""Rate limiting of resident endpoints against the real Redis, shared by several gateway workers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.gateway.conftest import make_settings


@pytest.mark.redis
def test_limit_is_shared_across_workers_and_answered_in_chinese(
    tmp_path: pytest.TempPathFactory, redis_url: str, redis_prefix: str
) -> None:
    from api.migrate import upgrade

    database_url = f"sqlite:///{tmp_path}/rl.db"
    upgrade(database_url)
    settings = make_settings(database_url, redis_url=redis_url, redis_prefix=redis_prefix, rate_limit_per_minute=5)
    # Two app instances stand for two gateway workers: the count lives in Redis, not in either process.
    with TestClient(create_app(settings)) as worker_a, TestClient(create_app(settings)) as worker_b:
        codes = [
            (worker_a if i % 2 else worker_b)
            .get("/api/status/TS2026010100001", params={"phone_last4": "1234"})
            .status_code
            for i in range(7)
        ]
        assert codes[:5] == [404] * 5
        assert codes[5:] == [429, 429]
        refused = worker_a.get("/api/services")
        assert refused.status_code == 429
        assert refused.json()["message"] == "您的操作太频繁了，请稍等一分钟再试。"
        assert worker_a.get("/health").json()["checks"]["redis"]["ok"] is True
