"""How many messages each Rasa server has in flight: what the gateway routes by (api/rasa_client.py).

Every gateway worker sends messages to the same Rasa servers, so a count kept by one worker sees only
part of the load. With Redis configured the count is shared by all workers: one sorted set per server,
a member per message in flight, scored by when it was sent. Members older than the horizon (the Rasa
timeout) are not counted and are trimmed, so a worker that died mid-message does not skew routing for
long. Without Redis (one server, `make run`) the count is the process's own.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class InFlight(Protocol):
    async def counts(self) -> list[int]:
        """Messages in flight per server, in the order of the server list."""
        ...

    async def start(self, index: int) -> str:
        """Count one message sent to server `index`; returns the token that `finish` takes."""
        ...

    async def finish(self, index: int, token: str) -> None: ...

    async def close(self) -> None: ...


class LocalInFlight:
    def __init__(self, servers: int) -> None:
        self._counts = [0] * servers

    async def counts(self) -> list[int]:
        return list(self._counts)

    async def start(self, index: int) -> str:
        self._counts[index] += 1
        return ""

    async def finish(self, index: int, token: str) -> None:
        self._counts[index] -= 1

    async def close(self) -> None:
        return None


class RedisInFlight:
    """Shared by all gateway workers. A Redis error never fails a message: routing then falls back to the
    sender's own server (all counts 0) and the error is logged."""

    def __init__(self, client: aioredis.Redis, prefix: str, urls: list[str], horizon_seconds: float) -> None:
        self._client = client
        self._keys = [f"{prefix}rasa:in-flight:{url}" for url in urls]
        self._horizon = horizon_seconds

    async def counts(self) -> list[int]:
        oldest = time.time() - self._horizon
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for key in self._keys:
                    pipe.zcount(key, oldest, "+inf")
                return [int(count) for count in await pipe.execute()]
        except RedisError as exc:
            logger.warning("in-flight counts unavailable, routing by sender: %s", type(exc).__name__)
            return [0] * len(self._keys)

    async def start(self, index: int) -> str:
        token = uuid.uuid4().hex
        now = time.time()
        key = self._keys[index]
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.zremrangebyscore(key, "-inf", now - self._horizon)
                pipe.zadd(key, {token: now})
                pipe.expire(key, int(2 * self._horizon) + 1)  # the key goes away when the servers are idle
                await pipe.execute()
        except RedisError as exc:
            logger.warning("in-flight count not recorded: %s", type(exc).__name__)
        return token

    async def finish(self, index: int, token: str) -> None:
        try:
            await self._client.zrem(self._keys[index], token)
        except RedisError as exc:
            logger.warning("in-flight count not cleared (it ages out): %s", type(exc).__name__)

    async def close(self) -> None:
        await self._client.aclose()
