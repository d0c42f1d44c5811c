"""Department systems (docs/departments.md): registering a department's endpoint, its credential (only a hash is
kept), the queue of deliveries of its dispatched cases, and the dead-letter list.

A case is delivered to a department whenever it gets one: filed with it, assigned or dispatched to it by an
agent, moved to it by the resident. Those happen in several services; the session hook below sees every one of
them at flush, in the same transaction as the change, so no path can forget it and a rolled-back dispatch
queues nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from api import audit
from api.categories import Category
from api.errors import ApiError
from api.models import RESIDENT_FOLLOW_UPS, Case, DepartmentDelivery, DepartmentEndpoint, SupervisionEvent, utcnow

DISPATCHED = "case.dispatched"
# A resident's follow-up on a case its department holds (群众再次反映, 催办, 不满意重办, 补充说明): the department's own
# system hears it as its console does, with the case's supervision history (the newest event last).
FOLLOWED_UP = "case.followed_up"
# Statuses in which a case waits for a 12345 agent and is no department's yet: a hotline ticket is the agent's
# until it is dispatched, whatever department the router suggested when it was filed.
HELD_BY_AGENTS: dict[str, frozenset[str]] = {"ticket": frozenset({"open"})}
CREDENTIAL_PREFIX = "dep_"


def _held(case: Case) -> bool:
    return case.status in HELD_BY_AGENTS.get(case.kind, frozenset())


def _changed(case: Case, attribute: str) -> bool:
    return bool(inspect(case).attrs[attribute].history.has_changes())


def _newly_dispatched(case: Case, new: bool) -> bool:
    """The case has a department now that it did not have (or was held from) before this flush."""
    if case.department is None or _held(case):
        return False
    return new or _changed(case, "department") or _changed(case, "status")


def _queue(session: Session, case: Case, event: str) -> None:
    with session.no_autoflush:
        endpoint = session.get(DepartmentEndpoint, case.department)
    if endpoint is not None:
        session.add(DepartmentDelivery(case=case, department=case.department, event=event))


def queue_deliveries(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush hook: queue a delivery for each case newly dispatched to a department with an endpoint, and
    for each resident's follow-up on a case a department with an endpoint holds.

    A status change alone queues only when the case leaves a held status (a ticket dispatched to the department
    it already had); other status changes are the department's own doing.
    """
    for followed in [e for e in session.new if isinstance(e, SupervisionEvent) and e.kind in RESIDENT_FOLLOW_UPS]:
        with session.no_autoflush:
            case = session.get(Case, followed.case_id)
        if case is not None and case.department is not None and not _held(case):
            _queue(session, case, FOLLOWED_UP)
    candidates = [(case, True) for case in session.new if isinstance(case, Case)]
    candidates += [(case, False) for case in session.dirty if isinstance(case, Case)]
    for case, new in candidates:
        if not _newly_dispatched(case, new):
            continue
        if not new and not _changed(case, "department"):
            before = inspect(case).attrs["status"].history.deleted
            if not before or before[0] not in HELD_BY_AGENTS.get(case.kind, frozenset()):
                continue
        _queue(session, case, DISPATCHED)


def install(factory: sessionmaker[Session]) -> None:
    """Queue deliveries from every session of `factory` (the gateway's, api/runtime.py)."""
    from sqlalchemy import event

    event.listen(factory, "before_flush", queue_deliveries)


# ---- endpoints and credentials ------------------------------------------------------------------------


def credential_hash(credential: str) -> str:
    """sha256 is enough: a credential is 32 random bytes, nothing to guess a dictionary against."""
    return hashlib.sha256(credential.encode()).hexdigest()


def new_credential() -> str:
    return CREDENTIAL_PREFIX + secrets.token_urlsafe(32)


def known_departments(categories: dict[str, Category]) -> set[str]:
    return {department for category in categories.values() for department in category.departments}


def department_of(session: Session, credential: str) -> str | None:
    """The department whose credential this is, or None."""
    return session.scalar(
        select(DepartmentEndpoint.department).where(DepartmentEndpoint.credential_hash == credential_hash(credential))
    )


def register(
    session: Session,
    categories: dict[str, Category],
    department: str,
    fields: dict[str, Any],
    actor: str,
    role: str,
    *,
    sample: bool = False,
    credential: str | None = None,
) -> tuple[DepartmentEndpoint, dict[str, str]]:
    """Register or change a department's endpoint; for a new one, also the secrets to show once (the stand-in
    service's derived credential when given, else a new one)."""
    if department not in known_departments(categories):
        raise ApiError(422, "unknown_department", f"部门“{department}”不在部门列表中（knowledge/categories.yaml）")
    endpoint = session.get(DepartmentEndpoint, department, with_for_update=True)
    shown: dict[str, str] = {}
    if endpoint is None:
        shown["credential"] = credential or new_credential()
        shown["signing_secret"] = fields.get("signing_secret") or secrets.token_urlsafe(32)
        endpoint = DepartmentEndpoint(
            department=department,
            credential_hash=credential_hash(shown["credential"]),
            signing_secret=shown["signing_secret"],
            sample=sample,
        )
        session.add(endpoint)
    elif fields.get("signing_secret"):
        endpoint.signing_secret = fields["signing_secret"]
    endpoint.webhook_url = str(fields["webhook_url"])
    endpoint.lookup_url = str(fields["lookup_url"]) if fields.get("lookup_url") else None
    endpoint.lookup_timeout_seconds = fields.get("lookup_timeout_seconds")
    session.flush()
    audit.record(
        session, actor, role, "department_endpoint", department, created=bool(shown), webhook_url=endpoint.webhook_url
    )
    return endpoint, shown


def rotate_credential(session: Session, department: str, actor: str, role: str) -> tuple[DepartmentEndpoint, str]:
    """A new credential for the department; the old one stops working at once."""
    endpoint = session.get(DepartmentEndpoint, department, with_for_update=True)
    if endpoint is None:
        raise ApiError(404, "endpoint_not_found", f"部门“{department}”还没有登记接口")
    credential = new_credential()
    endpoint.credential_hash = credential_hash(credential)
    endpoint.credential_rotated_at = utcnow()
    audit.record(session, actor, role, "rotate_credential", department)
    return endpoint, credential


def endpoint_views(session: Session) -> list[dict[str, Any]]:
    """Every endpoint with its pending and dead delivery counts."""
    counts: dict[tuple[str, bool], int] = {
        (department, dead): count
        for department, dead, count in session.execute(
            select(DepartmentDelivery.department, DepartmentDelivery.dead, func.count())
            .where(DepartmentDelivery.delivered_at.is_(None))
            .group_by(DepartmentDelivery.department, DepartmentDelivery.dead)
        )
    }
    endpoints = session.scalars(select(DepartmentEndpoint).order_by(DepartmentEndpoint.department))
    return [
        {
            **endpoint_view(endpoint),
            "pending": counts.get((endpoint.department, False), 0),
            "dead": counts.get((endpoint.department, True), 0),
        }
        for endpoint in endpoints
    ]


def endpoint_view(endpoint: DepartmentEndpoint) -> dict[str, Any]:
    return {
        "department": endpoint.department,
        "webhook_url": endpoint.webhook_url,
        "lookup_url": endpoint.lookup_url,
        "lookup_timeout_seconds": endpoint.lookup_timeout_seconds,
        "sample": endpoint.sample,
        "created_at": endpoint.created_at,
        "credential_rotated_at": endpoint.credential_rotated_at,
    }


# ---- the dead-letter list -------------------------------------------------------------------------------


def delivery_view(delivery: DepartmentDelivery, number: str) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "case_number": number,
        "department": delivery.department,
        "event": delivery.event,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at,
        "dead": delivery.dead,
        "created_at": delivery.created_at,
    }


def dead_letters(session: Session, limit: int, offset: int) -> dict[str, Any]:
    """Deliveries given up on, newest first."""
    dead = DepartmentDelivery.dead.is_(True)
    total = session.scalar(select(func.count()).select_from(DepartmentDelivery).where(dead)) or 0
    rows = session.execute(
        select(DepartmentDelivery, Case.number)
        .join(Case, Case.id == DepartmentDelivery.case_id)
        .where(dead)
        .order_by(DepartmentDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return {"total": total, "items": [delivery_view(delivery, number) for delivery, number in rows]}


def retry(session: Session, delivery_id: int, actor: str, role: str, now: datetime) -> dict[str, Any]:
    """Put a dead delivery back in the queue with a fresh count of attempts, due now."""
    delivery = session.get(DepartmentDelivery, delivery_id, with_for_update=True)
    if delivery is None or not delivery.dead:
        raise ApiError(404, "delivery_not_found", "没有找到这条投递失败的记录（可能已重新投递）")
    delivery.dead = False
    delivery.attempts = 0
    delivery.next_attempt_at = now
    number = session.scalar(select(Case.number).where(Case.id == delivery.case_id)) or ""
    audit.record(session, actor, role, "retry_delivery", number, delivery=delivery.id, department=delivery.department)
    return delivery_view(delivery, number)
