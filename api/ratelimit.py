"""Request and failure counting per key (a resident, an address, a case number, a login): in Redis when
configured (shared by all workers), in the process otherwise."""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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
    """Counts in Redis; while Redis cannot be reached, in the process (per worker: looser, but no resident
    gets an error for it), and in Redis again as soon as it answers."""

    def __init__(self, client: redis.Redis, prefix: str, per_minute: int) -> None:
        self._client = client
        self._prefix = prefix
        self._limit = per_minute
        self._fallback = MemoryRateLimiter(per_minute)
        self._degraded = False

    def _in_redis(self, ok: bool) -> None:
        """Log the change of place once, not once per request."""
        if ok == self._degraded:
            self._degraded = not ok
            if ok:
                logger.info("rate limits: Redis answers again, counting there")
            else:
                logger.warning("rate limits: Redis unreachable, counting in this process until it is back")

    def allow(self, key: str, per_minute: int | None = None) -> bool:
        window = int(time.time() // 60)
        name = f"{self._prefix}rl:{key}:{window}"
        try:
            pipe = self._client.pipeline()
            pipe.incr(name)
            pipe.expire(name, 120)
            count, _ = pipe.execute()
        except RedisError:
            self._in_redis(False)
            return self._fallback.allow(key, per_minute)
        self._in_redis(True)
        return int(count) <= (per_minute or self._limit)

    def failures(self, key: str) -> int:
        try:
            count = int(self._client.get(f"{self._prefix}fail:{key}") or 0)
        except RedisError:
            self._in_redis(False)
            return self._fallback.failures(key)
        self._in_redis(True)
        return count

    def fail(self, key: str, window_seconds: int) -> int:
        name = f"{self._prefix}fail:{key}"
        try:
            pipe = self._client.pipeline()
            pipe.set(name, 0, ex=window_seconds, nx=True)
            pipe.incr(name)
            _, count = pipe.execute()
        except RedisError:
            self._in_redis(False)
            return self._fallback.fail(key, window_seconds)
        self._in_redis(True)
        return int(count)

    def forget(self, key: str) -> None:
        self._fallback.forget(key)
        try:
            self._client.delete(f"{self._prefix}fail:{key}")
        except RedisError:
            self._in_redis(False)


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
