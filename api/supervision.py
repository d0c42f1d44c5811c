"""The 督办 scheduler: every `SUPERVISION_INTERVAL_SECONDS` (60) the leader among the gateway's workers and
replicas (api/leader.py) records the cards of cases turning yellow or red (api/services/supervision.py) and
pushes each to the consoles of the case's department's agents and of the supervisors. The same tick brings the
analytics summaries up to date (api/services/analytics_summary.py), so that a dashboard read finds at most a
minute of changes left to summarise.

Started and stopped by the app's lifespan (api/main.py). The clock is a parameter so tests can move time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.db import transaction
from api.handoff import AGENTS_TOPIC, EventBus
from api.leader import Leadership, leadership_for
from api.models import utcnow
from api.runtime import Runtime
from api.services import analytics_summary
from api.services.supervision import record_cards
from api.workdays import WorkCalendar

logger = logging.getLogger(__name__)

LEADER_NAME = "supervision"
# The leader renews its lock at every tick: missing two in a row (a stalled worker) hands it over.
LEADER_TTL_TICKS = 3


class SupervisionScheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        calendar: WorkCalendar,
        leadership: Leadership,
        bus: EventBus,
        interval_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.calendar = calendar
        self.leadership = leadership
        self.bus = bus
        self.interval_seconds = interval_seconds
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_runtime(cls, runtime: Runtime, bus: EventBus) -> SupervisionScheduler:
        interval = runtime.settings.supervision_interval_seconds
        leadership = leadership_for(
            LEADER_NAME, runtime.engine, runtime.redis, runtime.settings.redis_prefix, interval * LEADER_TTL_TICKS
        )
        return cls(runtime.sessions, runtime.calendar, leadership, bus, interval)

    def record(self) -> list[dict[str, Any]] | None:
        """One tick's database work (blocking): None when another worker leads, else the new events."""
        if not self.leadership.hold():
            return None
        with transaction(self.sessions) as session:
            return record_cards(session, self.calendar, self.clock())

    async def run_once(self) -> list[dict[str, Any]] | None:
        """Record, then push once committed, so a console reloading on the push finds the event."""
        events = await run_in_threadpool(self.record)
        for event in events or ():
            await self.bus.publish(AGENTS_TOPIC, event)
        if events:
            logger.info("supervision cards recorded", extra={"count": len(events)})
        if events is not None:
            try:
                await run_in_threadpool(self.summarise)
            except Exception:
                # The dashboard summarises what is left itself: a failure here only makes its next read slower.
                logger.exception("analytics summary failed")
        return events

    def summarise(self) -> None:
        """The leader's share of the analytics (blocking): summarise the days changed since the last summary."""
        with transaction(self.sessions) as session:
            analytics_summary.refresh(session, self.calendar)

    def start(self) -> None:
        if self.interval_seconds > 0:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # At once, so that another replica takes over at its next tick rather than after the lock expires.
        await run_in_threadpool(self.leadership.release)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_seconds)
            try:
                await self.run_once()
            except Exception:
                # A database or Redis blip must not end supervision: the next tick tries again.
                logger.exception("supervision tick failed")
