"""Per-sender/IP rate limiting of resident endpoints: in Redis when configured (shared by all workers)."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


class RateLimiter(Protocol):
    def allow(self, key: str) -> bool:
        """Count one request for `key`; False when it is over the limit for the current minute."""
        ...


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, prefix: str, per_minute: int) -> None:
        self._client = client
        self._prefix = prefix
        self._limit = per_minute

    def allow(self, key: str) -> bool:
        window = int(time.time() // 60)
        name = f"{self._prefix}rl:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, 120)
        count, _ = pipe.execute()
        return int(count) <= self._limit


class MemoryRateLimiter:
    """Single-process fallback for `make run` without Redis."""

    def __init__(self, per_minute: int) -> None:
        self._limit = per_minute
        self._counts: dict[str, int] = {}
        self._window = 0
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        window = int(time.time() // 60)
        with self._lock:
            if window != self._window:
                self._counts.clear()
                self._window = window
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key] <= self._limit
