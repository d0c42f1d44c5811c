"""Short-lived state of the WeChat channel: pushes already seen (dedupe) and the last numbered choices.

In Redis when configured, so that every gateway worker sees the same state; in-process otherwise.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

import redis


class ChannelStore(Protocol):
    def add(self, key: str, value: str, ttl: int) -> bool:
        """Set `key` only if it is absent; True when this call set it."""
        ...

    def replace(self, key: str, expected: str, value: str, ttl: int) -> bool:
        """Set `key` only while it still holds `expected`; True when this call set it."""
        ...

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str, ttl: int) -> None: ...

    def delete(self, key: str) -> None: ...


# Compare-and-set must be atomic across workers: a Lua script runs in one step on the server.
_REPLACE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


class RedisChannelStore:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._replace = client.register_script(_REPLACE_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self._prefix}{key}"

    def add(self, key: str, value: str, ttl: int) -> bool:
        return bool(self._client.set(self._key(key), value, nx=True, ex=ttl))

    def replace(self, key: str, expected: str, value: str, ttl: int) -> bool:
        return bool(self._replace(keys=[self._key(key)], args=[expected, value, ttl]))

    def get(self, key: str) -> str | None:
        value = self._client.get(self._key(key))
        return None if value is None else bytes(value).decode()  # type: ignore[arg-type]

    def put(self, key: str, value: str, ttl: int) -> None:
        self._client.set(self._key(key), value, ex=ttl)

    def delete(self, key: str) -> None:
        self._client.delete(self._key(key))


class MemoryChannelStore:
    """Single-process fallback for `make run` without Redis."""

    _SWEEP_ABOVE = 10_000

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> str | None:
        entry = self._values.get(key)
        if entry is None or entry[1] <= now:
            return None
        return entry[0]

    def _set(self, key: str, value: str, ttl: int, now: float) -> None:
        if len(self._values) > self._SWEEP_ABOVE:
            self._values = {k: v for k, v in self._values.items() if v[1] > now}
        self._values[key] = (value, now + ttl)

    def add(self, key: str, value: str, ttl: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._live(key, now) is not None:
                return False
            self._set(key, value, ttl, now)
            return True

    def replace(self, key: str, expected: str, value: str, ttl: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._live(key, now) != expected:
                return False
            self._set(key, value, ttl, now)
            return True

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key, time.monotonic())

    def put(self, key: str, value: str, ttl: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._set(key, value, ttl, now)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)
