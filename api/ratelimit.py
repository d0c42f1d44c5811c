"""Request and failure counting per key (a resident, an address, a case number, a login): in Redis when
configured (shared by all workers), in the process otherwise."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


class RateLimiter(Protocol):
    def allow(self, key: str, per_minute: int | None = None) -> bool:
        """Count one request for `key`; False when it is over the limit (default: the configured one) for the
        current minute."""
        ...

    def failures(self, key: str) -> int:
        """Failures counted for `key` in its current window."""
        ...

    def fail(self, key: str, window_seconds: int) -> int:
        """Count one failure for `key`; the window starts at its first failure. The count so far."""
        ...

    def forget(self, key: str) -> None:
        """Drop the failures of `key` (a successful login)."""
        ...


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, prefix: str, per_minute: int) -> None:
        self._client = client
        self._prefix = prefix
        self._limit = per_minute

    def allow(self, key: str, per_minute: int | None = None) -> bool:
        window = int(time.time() // 60)
        name = f"{self._prefix}rl:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, 120)
        count, _ = pipe.execute()
        return int(count) <= (per_minute or self._limit)

    def failures(self, key: str) -> int:
        return int(self._client.get(f"{self._prefix}fail:{key}") or 0)

    def fail(self, key: str, window_seconds: int) -> int:
        name = f"{self._prefix}fail:{key}"
        pipe = self._client.pipeline()
        pipe.set(name, 0, ex=window_seconds, nx=True)
        pipe.incr(name)
        _, count = pipe.execute()
        return int(count)

    def forget(self, key: str) -> None:
        self._client.delete(f"{self._prefix}fail:{key}")


class MemoryRateLimiter:
    """Single-process fallback for `make run` without Redis."""

    # Expired failure windows are swept once this many keys are held, so probing cannot grow memory forever.
    SWEEP_AT = 10_000

    def __init__(self, per_minute: int) -> None:
        self._limit = per_minute
        self._counts: dict[str, int] = {}
        self._window = 0
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, monotonic end of its window)
        self._lock = threading.Lock()

    def allow(self, key: str, per_minute: int | None = None) -> bool:
        window = int(time.time() // 60)
        with self._lock:
            if window != self._window:
                self._counts.clear()
                self._window = window
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key] <= (per_minute or self._limit)

    def failures(self, key: str) -> int:
        with self._lock:
            count, ends = self._failures.get(key, (0, 0.0))
            return count if ends > time.monotonic() else 0

    def fail(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= self.SWEEP_AT:
                self._failures = {k: v for k, v in self._failures.items() if v[1] > now}
            count, ends = self._failures.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + window_seconds
            self._failures[key] = (count + 1, ends)
            return count + 1

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
