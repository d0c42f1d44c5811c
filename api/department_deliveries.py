"""The worker that delivers dispatched cases to department webhooks (docs/departments.md "Deliveries").

Every `DEPARTMENT_DELIVERY_INTERVAL_SECONDS` each gateway worker claims the due deliveries, sends each as a
signed POST (api/department_signing.py), and records the outcome: delivered (any 2xx), or a failure that is
retried after a growing backoff until DEPARTMENT_DELIVERY_MAX_ATTEMPTS, then dead (the console's dead-letter
list). Claiming takes the rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL) and moves their next attempt past the
send's timeout before committing: a second worker skips rows being claimed and finds claimed ones not due, so
no delivery is sent twice at once. SQLite has one gateway worker (and BEGIN IMMEDIATE serialises it anyway).
A worker that dies mid-send leaves its claim to run out: the delivery is sent again later (at least once;
`X-Luan-Delivery` lets the department drop a repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.case_views import public_status, staff_view
from api.db import transaction
from api.department_signing import signed_headers
from api.models import Case, DepartmentDelivery, DepartmentEndpoint, utcnow
from api.services.supervision import history
from api.settings import Settings
from api.workdays import WorkCalendar

logger = logging.getLogger(__name__)

DELIVERY_HEADER = "X-Luan-Delivery"
EVENT_HEADER = "X-Luan-Event"
# A claim lasts the send's timeout and this much more, so a slow send finishes before anyone may take it over.
CLAIM_MARGIN_SECONDS = 30
BATCH = 20
# The resident's channel id stays with the gateway (a department has no use for it), and so do the gateway's own
# bookkeeping columns (filing dedupe hash, the router's scores).
_NOT_SENT = ("sender", "text_hash", "routing_confidence", "routing_alternatives")


@dataclass(frozen=True)
class Outgoing:
    id: int
    url: str
    secret: str
    event: str
    body: bytes


def case_body(
    case: Case, calendar: WorkCalendar, event: str, delivery_id: int, now: datetime, supervision: list[dict[str, Any]]
) -> bytes:
    """The webhook's JSON: the event, the case as an agent sees it, personal data masked, and its supervision
    history (docs/departments.md)."""
    view = {k: v for k, v in staff_view(case, calendar, now).items() if k not in _NOT_SENT}
    status = public_status(case)
    view.update(kind_text=status.kind_text, status_text=status.status_text)
    payload = {
        "event": event,
        "delivery_id": delivery_id,
        "department": case.department,
        "case": view,
        "supervision": supervision,
    }
    return json.dumps(payload, ensure_ascii=False, default=str).encode()


class DeliveryWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        calendar: WorkCalendar,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.calendar = calendar
        self.client = client or httpx.AsyncClient(timeout=settings.department_delivery_timeout_seconds)
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: backoff, twice that, four times ..., capped."""
        seconds = self.settings.department_delivery_backoff_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(seconds, self.settings.department_delivery_backoff_max_seconds))

    def claim(self, limit: int = BATCH) -> list[Outgoing]:
        """Take up to `limit` due deliveries for this worker (blocking); see the module's docstring."""
        now = self.clock()
        lease = timedelta(seconds=self.settings.department_delivery_timeout_seconds + CLAIM_MARGIN_SECONDS)
        claimed: list[Outgoing] = []
        with transaction(self.sessions) as session:
            due = session.scalars(
                select(DepartmentDelivery)
                .where(
                    DepartmentDelivery.delivered_at.is_(None),
                    DepartmentDelivery.dead.is_(False),
                    DepartmentDelivery.next_attempt_at <= now,
                )
                .order_by(DepartmentDelivery.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for delivery in due:
                endpoint = session.get(DepartmentEndpoint, delivery.department)
                delivery.attempts += 1
                if endpoint is None:  # unregistered since: nowhere to send it
                    delivery.dead, delivery.last_error = True, "部门接口已注销"
                    continue
                delivery.next_attempt_at = now + lease
                case = delivery.case
                body = case_body(case, self.calendar, delivery.event, delivery.id, now, history(session, case))
                claimed.append(
                    Outgoing(delivery.id, endpoint.webhook_url, endpoint.signing_secret, delivery.event, body)
                )
        return claimed

    async def send(self, outgoing: Outgoing) -> str | None:
        """POST the delivery; None when the department took it (2xx), else what went wrong."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: str(outgoing.id),
            EVENT_HEADER: outgoing.event,
            **signed_headers(outgoing.secret, outgoing.body),
        }
        try:
            response = await self.client.post(outgoing.url, content=outgoing.body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"

    def record(self, outcomes: dict[int, str | None]) -> None:
        """Delivered, or retried after the backoff, or dead after the last attempt (blocking)."""
        now = self.clock()
        with transaction(self.sessions) as session:
            for delivery_id, error in outcomes.items():
                delivery = session.get(DepartmentDelivery, delivery_id)
                if delivery is None:
                    continue
                if error is None:
                    delivery.delivered_at, delivery.last_error = now, None
                    continue
                delivery.last_error = error
                if delivery.attempts >= self.settings.department_delivery_max_attempts:
                    delivery.dead = True
                    logger.warning("department delivery dead", extra={"delivery": delivery_id, "error": error})
                else:
                    delivery.next_attempt_at = now + self.backoff(delivery.attempts)

    async def run_once(self) -> dict[int, str | None]:
        """Claim, send concurrently, record: the outcome of each delivery sent."""
        claimed = await run_in_threadpool(self.claim)
        if not claimed:
            return {}
        errors = await asyncio.gather(*(self.send(outgoing) for outgoing in claimed))
        outcomes = {outgoing.id: error for outgoing, error in zip(claimed, errors, strict=True)}
        await run_in_threadpool(self.record, outcomes)
        return outcomes

    def start(self) -> None:
        if self.settings.department_delivery_interval_seconds > 0:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.aclose()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.department_delivery_interval_seconds)
            try:
                await self.run_once()
            except Exception:
                # A database blip must not end deliveries: the next tick tries again.
                logger.exception("department delivery tick failed")
