"""Exactly one leader across gateway workers and replicas, for work that must run once per interval
(the 督办 scheduler, api/supervision.py).

- PostgreSQL: a session-level advisory lock on a dedicated connection. PostgreSQL releases it when that
  connection ends, so a crashed leader is replaced at another worker's next try.
- Redis (with a database that has no advisory locks): SET NX PX with a token, renewed by the holder at every
  try; a leader that stops renewing loses it when the key expires.
- Otherwise (SQLite: one process) the process is the leader.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from typing import Protocol

import redis
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

# Compare-and-act on the holder's token, so a leader whose key expired never touches its successor's.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class Leadership(Protocol):
    def hold(self) -> bool:
        """Take the leadership or keep it; whether this process holds it now. Blocking (I/O)."""
        ...

    def release(self) -> None: ...


class LocalLeadership:
    """A single process (SQLite): always the leader."""

    def hold(self) -> bool:
        return True

    def release(self) -> None:
        return None


class PostgresLeadership:
    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        # Advisory locks are keyed by a 64-bit number; a stable one per purpose (and per database).
        self._key = zlib.crc32(name.encode())
        self._connection: Connection | None = None

    def hold(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                # The connection died, and the lock with it: someone else may hold it now.
                logger.warning("leader connection lost", extra={"lock": self._key})
                self._connection.invalidate()
                self._connection = None
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}))
        except DBAPIError:
            connection.close()
            raise
        if taken:
            self._connection = connection
        else:
            connection.close()
        return taken

    def release(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except DBAPIError:
            connection.invalidate()  # gone already, and the lock with it
        finally:
            connection.close()


class RedisLeadership:
    def __init__(self, client: redis.Redis, key: str, ttl_seconds: float) -> None:
        self._client = client
        self._key = key
        self._ttl_ms = max(1, int(ttl_seconds * 1000))
        self._token = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        if self._client.set(self._key, self._token, nx=True, px=self._ttl_ms):
            return True
        return bool(self._renew(keys=[self._key], args=[self._token, self._ttl_ms]))

    def release(self) -> None:
        try:
            self._release(keys=[self._key], args=[self._token])
        except redis.RedisError as exc:
            # Redis is gone: the lock expires by itself within its time to live.
            logger.warning("leadership not released: %s", type(exc).__name__)


def leadership_for(
    name: str, engine: Engine, client: redis.Redis | None, prefix: str, ttl_seconds: float
) -> Leadership:
    """The advisory lock with PostgreSQL, else the Redis lock when there is Redis, else this process."""
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine, name)
    if client is not None:
        return RedisLeadership(client, f"{prefix}leader:{name}", ttl_seconds)
    return LocalLeadership()
