"""`GET /metrics`: Prometheus text (contract: ../shared/spec/contract.md), the instruments of api/metrics.py
plus the states read at scrape time: the handoff queue, and cases by kind, status and 督办 card."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.deps import RuntimeDep
from api.handoff import WAITING, HandoffHub
from api.models import Case, SupervisionEvent
from api.services.supervision import CARDS
from api.workdays import Card
from contract.case_kinds import DEADLINE_RUNNING_STATUSES

router = APIRouter(tags=["operations"])

# Prometheus scrapes every 15-60 s from each replica: the counts are one GROUP BY over all cases, not
# worth running more often than this.
CASE_COUNTS_SECONDS = 5.0


@dataclass
class CaseCounts:
    """Cases by kind, status and the card recorded for their current deadline (open cases only; "none"
    otherwise), cached for CASE_COUNTS_SECONDS."""

    sessions: sessionmaker[Session]
    _counts: list[tuple[str, str, str, int]] = field(default_factory=list)
    _at: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self) -> list[tuple[str, str, str, int]]:
        with self._lock:
            if time.monotonic() - self._at > CASE_COUNTS_SECONDS:
                self._counts = self._query()
                self._at = time.monotonic()
            return self._counts

    def _query(self) -> list[tuple[str, str, str, int]]:
        # The cards are few: grouped once and hash-joined, rather than looked up case by case (on PostgreSQL
        # with 300,000 cases 0.42-0.54 s instead of 1.3-1.7 s). "red" sorts before "yellow": min() is the worse
        # card of a case's deadline.
        cards = (
            select(SupervisionEvent.case_id, SupervisionEvent.deadline, func.min(SupervisionEvent.kind).label("card"))
            .where(SupervisionEvent.kind.in_(CARDS))
            .group_by(SupervisionEvent.case_id, SupervisionEvent.deadline)
            .subquery()
        )
        held = Case.status.in_(DEADLINE_RUNNING_STATUSES)
        card = case((held & cards.c.card.is_not(None), cards.c.card), else_=Card.NONE.value).label("card")
        statement = (
            select(Case.kind, Case.status, card, func.count())
            .outerjoin(cards, (cards.c.case_id == Case.id) & (cards.c.deadline == Case.deadline))
            .group_by(Case.kind, Case.status, card)
        )
        with self.sessions() as session:
            return [(kind, status, card, int(n)) for kind, status, card, n in session.execute(statement).all()]


class _Snapshot:
    """Collectors for one scrape: the process's (or all workers') instruments, then the states."""

    def __init__(self, sources: Iterable[Collector], states: list[Metric]) -> None:
        self._sources = sources
        self._states = states

    def collect(self) -> Iterator[Metric]:
        for source in self._sources:
            yield from source.collect()
        yield from self._states


async def handoff_states(hub: HandoffHub) -> list[Metric]:
    queue = await hub.queue()
    length = GaugeMetricFamily("luan_handoff_queue_length", "Conversations with the 12345 agents", labels=["state"])
    for state in sorted({conversation.state for conversation in queue} | {WAITING}):
        length.add_metric([state], sum(1 for conversation in queue if conversation.state == state))
    waiting = [conversation.since for conversation in queue if conversation.state == WAITING]
    oldest = GaugeMetricFamily(
        "luan_handoff_oldest_wait_seconds",
        "How long the longest-waiting resident has waited for an agent's first reply (0: nobody waits)",
        value=time.time() - min(waiting) if waiting else 0.0,
    )
    return [length, oldest]


def case_states(counts: list[tuple[str, str, str, int]]) -> Metric:
    family = GaugeMetricFamily("luan_cases", "Cases by kind, status and 督办 card", labels=["kind", "status", "card"])
    for kind, status, card, n in counts:
        family.add_metric([kind, status, card], n)
    return family


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    states = await handoff_states(request.app.state.handoff)
    states.append(case_states(await run_in_threadpool(request.app.state.case_counts.current)))
    directory = runtime.settings.prometheus_multiproc_dir
    if directory is not None:
        workers = CollectorRegistry()
        MultiProcessCollector(workers, path=str(directory))
        sources: list[Collector] = [workers]
    else:
        sources = [REGISTRY]
    return Response(generate_latest(_Snapshot(sources, states)), media_type=CONTENT_TYPE_LATEST)
