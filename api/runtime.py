"""What the gateway holds while it runs: built in the app's lifespan, never at import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.categories import Category, project_categories
from api.db import make_engine, make_session_factory
from api.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from api.services import departments
from api.settings import Settings
from api.sms import LogSmsSender, SmsSender, make_sms_sender
from api.workdays import WorkCalendar

if TYPE_CHECKING:
    from knowledge import KnowledgeBase
    from knowledge.routing import Router


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    calendar: WorkCalendar
    limiter: RateLimiter
    redis: redis.Redis | None
    # The one knowledge base of the process (search, agent suggestions, reload); None when disabled.
    knowledge: KnowledgeBase | None
    categories: dict[str, Category] = field(default_factory=dict)
    # The request router (GET /api/routing); None when its model is not built (the route answers 503).
    router: Router | None = None
    # Filing without a router is logged once per process, not once per case.
    unrouted_logged: bool = False
    # Texts to residents' phones (api/sms.py): the budget vote's one-time codes.
    sms: SmsSender = field(default_factory=LogSmsSender)

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        client = redis.Redis.from_url(settings.redis_url) if settings.redis_url else None
        limiter: RateLimiter = (
            RedisRateLimiter(client, settings.redis_prefix, settings.rate_limit_per_minute)
            if client is not None
            else MemoryRateLimiter(settings.rate_limit_per_minute)
        )
        sessions = make_session_factory(engine)
        departments.install(sessions)  # cases dispatched to a department are queued for its webhook
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            calendar=WorkCalendar.from_file(settings.holidays_file, settings.timezone),
            limiter=limiter,
            redis=client,
            knowledge=None,
            categories=project_categories(),
            sms=make_sms_sender(settings),
        )

    def reload_categories(self) -> None:
        self.categories = project_categories()

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()
        self.engine.dispose()
