"""The circuit breaker of each department for lookups (api/department_lookup.py, docs/departments.md "Lookups").

One state machine (CircuitBreakers) over one of two stores of its state:
- RedisBreakerStore when REDIS_URL is set: every gateway worker and replica shares one breaker per department,
  so a dead department costs DEPARTMENT_BREAKER_FAILURES failed lookups in all, not per worker, and the
  half-open trial is one call across all workers (SET NX; it lapses after `trial_seconds` should its worker
  die mid-call). Cool-downs and trials expire on Redis's clock, so the replicas' clocks do not matter. While
  Redis cannot be reached, each operation uses this process's breaker instead: no lookup waits or fails for it.
- MemoryBreakerStore otherwise (`make run` without Redis): this process's breaker, as the fallback above is.

A breaker is open while its department has failed `threshold` times in a row (a success resets the count) and
the cool-down since the last of those failures runs; after it, half-open: one caller gets the trial, whose
failure counts once more and so opens the breaker again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from api.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A local Redis answers in well under a millisecond; one that hangs must not eat the lookup's budget.
REDIS_TIMEOUT_SECONDS = 0.25

# The trial, granted only while the breaker is not cooling down (it may have opened again since it was read).
_CLAIM_TRIAL = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
if redis.call('set', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
"""


class BreakerStore(Protocol):
    async def read(self, department: str) -> tuple[int, bool]:
        """Failures in a row, and whether the breaker is cooling down."""
        ...

    async def count_failure(self, department: str) -> int:
        """One more failure in a row; the count so far."""
        ...

    async def open(self, department: str, seconds: float) -> None:
        """Cool down for `seconds` from now; any trial is over."""
        ...

    async def claim_trial(self, department: str, seconds: float) -> bool:
        """The trial for this caller, unless the breaker is cooling down or another holds it (for `seconds`)."""
        ...

    async def reset(self, department: str) -> None:
        """Closed: no failures, no cool-down, no trial."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class _Breaker:
    failures: int = 0
    open_until: float = 0.0
    trial_until: float = 0.0


@dataclass
class MemoryBreakerStore:
    """This process's breakers (no awaits inside, so each operation is atomic within the process)."""

    clock: Callable[[], float] = time.monotonic
    breakers: dict[str, _Breaker] = field(default_factory=dict)

    async def read(self, department: str) -> tuple[int, bool]:
        breaker = self.breakers.get(department, _Breaker())
        return breaker.failures, self.clock() < breaker.open_until

    async def count_failure(self, department: str) -> int:
        breaker = self.breakers.setdefault(department, _Breaker())
        breaker.failures += 1
        return breaker.failures

    async def open(self, department: str, seconds: float) -> None:
        breaker = self.breakers.setdefault(department, _Breaker())
        breaker.open_until, breaker.trial_until = self.clock() + seconds, 0.0

    async def claim_trial(self, department: str, seconds: float) -> bool:
        breaker = self.breakers.setdefault(department, _Breaker())
        now = self.clock()
        if now < breaker.open_until or now < breaker.trial_until:
            return False
        breaker.trial_until = now + seconds
        return True

    async def reset(self, department: str) -> None:
        self.breakers.pop(department, None)

    async def aclose(self) -> None:
        return None


class RedisBreakerStore:
    """Breakers shared by all workers, three keys per department under the app's prefix: the failures in a row,
    the cool-down and the trial (the last two with Redis's expiry). Each operation falls back to `fallback`
    (this process's breakers) while Redis cannot be reached, and the change of place is logged once."""

    def __init__(self, client: aioredis.Redis, prefix: str, fallback: MemoryBreakerStore) -> None:
        self._client = client
        self._prefix = f"{prefix}breaker:"
        self._fallback = fallback
        self._claim = client.register_script(_CLAIM_TRIAL)
        self._degraded = False

    def _keys(self, department: str) -> tuple[str, str, str]:
        key = f"{self._prefix}{department}"
        return f"{key}:failures", f"{key}:open", f"{key}:trial"

    async def _either(self, in_redis: Callable[[], Awaitable[T]], in_process: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await in_redis()
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                logger.warning("department breakers: Redis unreachable (%s), using this process's", type(exc).__name__)
            return await in_process()
        if self._degraded:
            self._degraded = False
            logger.info("department breakers: Redis answers again, shared there")
        return result

    async def read(self, department: str) -> tuple[int, bool]:
        failures, cooling, _ = self._keys(department)

        async def in_redis() -> tuple[int, bool]:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.get(failures)
                pipe.exists(cooling)
                count, exists = await pipe.execute()
            return int(count or 0), bool(exists)

        return await self._either(in_redis, lambda: self._fallback.read(department))

    async def count_failure(self, department: str) -> int:
        failures, _, _ = self._keys(department)

        async def in_redis() -> int:
            return int(await self._client.incr(failures))

        return await self._either(in_redis, lambda: self._fallback.count_failure(department))

    async def open(self, department: str, seconds: float) -> None:
        _, cooling, trial = self._keys(department)

        async def in_redis() -> None:
            # Together: between the two, another caller would find it half-open with no trial out.
            async with self._client.pipeline(transaction=True) as pipe:
                if seconds > 0:
                    pipe.set(cooling, 1, px=max(1, round(seconds * 1000)))
                pipe.delete(trial)
                await pipe.execute()

        await self._either(in_redis, lambda: self._fallback.open(department, seconds))

    async def claim_trial(self, department: str, seconds: float) -> bool:
        _, cooling, trial = self._keys(department)

        async def in_redis() -> bool:
            return bool(await self._claim(keys=[cooling, trial], args=[max(1, round(seconds * 1000))]))

        return await self._either(in_redis, lambda: self._fallback.claim_trial(department, seconds))

    async def reset(self, department: str) -> None:
        async def in_redis() -> None:
            await self._client.delete(*self._keys(department))

        await self._either(in_redis, lambda: self._fallback.reset(department))

    async def aclose(self) -> None:
        await self._client.aclose()


class CircuitBreakers:
    """The breaker of each department: closed, open (not called) or half-open (one trial call)."""

    def __init__(self, store: BreakerStore, threshold: int, cooldown_seconds: float, trial_seconds: float) -> None:
        self.store = store
        self.threshold = threshold
        self.cooldown_seconds = cooldown_seconds
        self.trial_seconds = trial_seconds

    @classmethod
    def for_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> CircuitBreakers:
        """Shared in Redis when it is configured, else this process's. A trial lasts at most the lookup's
        budget; the second more covers recording its outcome."""
        store: BreakerStore = MemoryBreakerStore(clock)
        if settings.redis_url is not None:
            client = aioredis.Redis.from_url(
                settings.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
            store = RedisBreakerStore(client, settings.redis_prefix, MemoryBreakerStore(clock))
        trial_seconds = settings.department_lookup_budget_seconds + 1
        return cls(
            store, settings.department_breaker_failures, settings.department_breaker_cooldown_seconds, trial_seconds
        )

    async def state(self, department: str) -> str:
        failures, cooling = await self.store.read(department)
        if failures < self.threshold:
            return "closed"
        return "open" if cooling else "half_open"

    async def allow(self, department: str) -> bool:
        """Whether to call the department now; in half-open state only one caller is let through."""
        state = await self.state(department)
        if state == "closed":
            return True
        return state == "half_open" and await self.store.claim_trial(department, self.trial_seconds)

    async def succeeded(self, department: str) -> None:
        await self.store.reset(department)

    async def failed(self, department: str) -> None:
        if await self.store.count_failure(department) >= self.threshold:
            await self.store.open(department, self.cooldown_seconds)

    async def aclose(self) -> None:
        await self.store.aclose()
