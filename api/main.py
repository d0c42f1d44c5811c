"""The gateway application: `uvicorn api.main:app` (or `create_app()` in tests)."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.catalogue import sync_catalogue
from api.channels.wechat import WeChatChannel
from api.department_deliveries import DeliveryWorker
from api.department_lookup import DepartmentLookup
from api.errors import install_error_handlers
from api.handoff import HandoffHub
from api.http_security import HttpSecurity
from api.logging_setup import configure_logging
from api.metrics import MetricsMiddleware
from api.rasa_client import RasaClient
from api.rasa_load import InFlight, RedisInFlight
from api.request_id import RequestIdMiddleware
from api.routes import (
    analytics,
    auth,
    budget,
    budget_staff,
    chat,
    communities,
    consultations,
    departments,
    handoff,
    health,
    incidents,
    knowledge,
    metrics,
    moderation,
    photos,
    residents,
    routing,
    staff,
    supervision,
    tickets,
    unanswered,
    web,
    wechat,
)
from api.routes.metrics import CaseCounts
from api.runtime import Runtime
from api.services.handoff_transcript import keep_line
from api.settings import Settings, get_settings
from api.supervision import SupervisionScheduler
from api.turns import TurnLog

logger = logging.getLogger(__name__)


def load_knowledge(runtime: Runtime) -> None:
    """Bring the case store's catalogue in step with the knowledge files, and load retrieval if enabled."""
    from knowledge.schema import load_categories, load_services
    from knowledge.settings import KnowledgeSettings

    if runtime.settings.knowledge_enabled:
        from knowledge import KnowledgeBase  # heavy (embedding model): only when the app starts

        runtime.knowledge = KnowledgeBase.from_settings()
        services = list(runtime.knowledge.services)
    else:
        paths = KnowledgeSettings.from_env()
        services = load_services(paths.services_dir, load_categories(paths.categories_file))
    count = sync_catalogue(runtime.sessions, services)
    logger.info("service catalogue synchronised", extra={"services": count})


def load_router(runtime: Runtime) -> None:
    """The request router's trained model (docs/routing.md); missing or unusable: logged, the route says 503."""
    from knowledge.routing import load_router as load
    from knowledge.settings import KnowledgeSettings

    paths = KnowledgeSettings.from_env()
    if runtime.settings.routing_model_dir is not None:
        paths = paths.with_changes(routing_dir=runtime.settings.routing_model_dir)
    runtime.router = load(paths)


def rasa_in_flight(settings: Settings) -> InFlight | None:
    """Several Rasa servers are shared by all gateway workers: count their load in Redis when there is one."""
    if settings.redis_url is None or len(settings.rasa_urls) < 2:
        return None
    client = aioredis.Redis.from_url(settings.redis_url)
    return RedisInFlight(client, settings.redis_prefix, settings.rasa_urls, settings.rasa_timeout_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Building the app is cheap; settings, connections and models are resolved when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = settings or get_settings()
        configure_logging(active.log_level)
        runtime = Runtime.start(active)
        app.state.runtime = runtime
        app.state.rasa = RasaClient(
            active.rasa_urls, active.rasa_timeout_seconds, rasa_in_flight(active), active.rasa_token
        )
        await run_in_threadpool(load_knowledge, runtime)
        await run_in_threadpool(load_router, runtime)
        keeper = functools.partial(keep_line, runtime)
        app.state.handoff = await HandoffHub.start(active, app.state.rasa, keeper)
        app.state.outbound = getattr(app.state, "outbound", {})
        app.state.outbound["wechat"] = WeChatChannel.start(app, runtime)
        app.state.supervision = SupervisionScheduler.for_runtime(runtime, app.state.handoff.bus)
        app.state.supervision.start()
        app.state.turn_log = TurnLog(runtime)
        app.state.case_counts = CaseCounts(runtime.sessions)
        app.state.department_lookup = DepartmentLookup(active)
        app.state.deliveries = DeliveryWorker(runtime.sessions, active, runtime.calendar)
        app.state.deliveries.start()
        try:
            yield
        finally:
            await app.state.deliveries.stop()
            await app.state.department_lookup.aclose()
            await app.state.supervision.stop()
            await app.state.turn_log.drain()
            await app.state.outbound["wechat"].aclose()
            await app.state.handoff.close()
            await app.state.rasa.close()
            runtime.close()

    app = FastAPI(
        title="六安政务智能助手 API",
        description="Gateway of the Lu'an government service assistant: resident cases, knowledge search, "
        "chat, and the 12345 staff endpoints.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(HttpSecurity, settings=lambda: settings or get_settings())
    # Added last, so outermost: the request id is set before the metrics (and everything else) see the request.
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    routers = (
        health,
        metrics,
        residents,
        consultations,
        budget,
        budget_staff,
        tickets,
        chat,
        knowledge,
        routing,
        auth,
        staff,
        moderation,
        supervision,
        analytics,
        unanswered,
        departments,
        communities,
        incidents,
        photos,
        wechat,
    )
    for module in routers:
        app.include_router(module.router)
    app.include_router(handoff.resident_router)
    app.include_router(handoff.router)
    app.include_router(web.router)
    return app


app = create_app()
