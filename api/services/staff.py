"""The staff side of the case store: filtered case lists, assignment, statistics, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy import case as sa_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker, with_polymorphic

from api import audit, case_access
from api.case_views import resident_text, summary_view
from api.categories import Category
from api.db import transaction
from api.deps import Staff
from api.errors import ApiError
from api.models import AuditEntry, Case, Complaint, Evaluation, StaffUser, Ticket, utcnow
from api.schemas import (
    Assignment,
    AuditEntryPublic,
    CaseList,
    RoutingSuggestion,
    StaffCreate,
    StaffStats,
    TriageCase,
    TriageList,
)
from api.security import hash_password
from api.services.case_routing import split_category
from api.services.commendations import per_department
from api.services.routing_corrections import note_correction
from api.workdays import WorkCalendar


@dataclass(frozen=True)
class CaseFilter:
    kind: str | None = None
    status: str | None = None
    department: str | None = None
    assigned_to: str | None = None
    card: str | None = None  # yellow: near the deadline, red: past it (open cases only)


def list_cases(
    session: Session,
    calendar: WorkCalendar,
    wanted: CaseFilter,
    limit: int,
    offset: int,
    visible: ColumnElement[bool],
) -> CaseList:
    """Newest first, of the `visible` cases (api/case_access.py)."""
    now = utcnow()
    query = select(Case).where(visible)
    for column, value in (
        (Case.kind, wanted.kind),
        (Case.status, wanted.status),
        (Case.department, wanted.department),
        (Case.assigned_to, wanted.assigned_to),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(Case.created_at.desc())
    if wanted.card is None:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        page = list(session.scalars(query.limit(limit).offset(offset)))
    else:
        # The card depends on the holiday calendar, so it is computed here on the few cases due soon.
        horizon = now + timedelta(days=14) if wanted.card == "yellow" else now
        due = session.scalars(query.where(Case.deadline.is_not(None), Case.deadline <= horizon))
        matching = [
            c
            for c in due
            if c.deadline_runs and calendar.case_card(now, c.kind, c.created_at, c.deadline).value == wanted.card
        ]
        total = len(matching)
        page = matching[offset : offset + limit]
    return CaseList.model_validate({"total": total, "items": [summary_view(c, calendar, now) for c in page]})


def assign(
    session: Session,
    number: str,
    body: Assignment,
    staff: Staff,
    categories: dict[str, Category] | None = None,
) -> Case:
    """Department, category and/or agent, on a case the staff member may work (it may go to any department).
    Naming a department or a category makes the agent the case's router (`routed_by`); a case without a
    department that gets a known category gets its first department too."""
    if body.department is None and body.category is None and body.subcategory is None and body.agent is None:
        raise ApiError(422, "nothing_to_assign", "请至少指定承办部门、分类或坐席之一")
    actor, role = staff.username, staff.role
    case = case_access.find_case_for(session, staff, number, "assign", for_update=True)
    if body.agent is not None:
        exists = session.scalar(select(StaffUser.id).where(StaffUser.username == body.agent))
        if exists is None:
            raise ApiError(422, "unknown_agent", f"坐席账号“{body.agent}”不存在")
    if body.category is not None:
        level1, level2 = split_category(body.category)
        if level1 != split_category(case.category)[0] or level2 is not None:
            case.subcategory = level2  # a new level-1 category: the old level-2 no longer applies
        case.category = level1
    elif case.category and "/" in case.category:
        case.category, case.subcategory = split_category(case.category)
    if body.subcategory is not None:
        case.subcategory = body.subcategory
    case.department = body.department or case.department
    entry = (categories or {}).get(case.category or "")
    if case.department is None and body.category is not None and entry is not None and entry.departments:
        case.department = entry.departments[0]
    if body.department is not None or body.category is not None or body.subcategory is not None:
        case.routed_by = actor
    if body.category is not None or body.subcategory is not None:
        note_correction(session, case, actor)
    case.assigned_to = body.agent or case.assigned_to
    case.updated_at = utcnow()
    audit.record(session, actor, role, "assign", case.number, **body.model_dump(exclude_none=True))
    return case


TRIAGE_KINDS = (Complaint, Ticket)


def open_of_kind(kind: type[Case]) -> ColumnElement[bool]:
    """Cases of this kind not yet in one of its closed statuses."""
    closed = [status for status in kind.SPEC.statuses if kind.SPEC.is_closed(status)]
    return and_(Case.kind == kind.SPEC.kind, Case.status.not_in(closed))


def triage(
    session: Session,
    calendar: WorkCalendar,
    threshold: float,
    limit: int,
    offset: int,
    visible: ColumnElement[bool],
) -> TriageList:
    """Open complaints and tickets without a department (待分拨), oldest first: the router was below the
    threshold, or there was no router when they were filed. Dispatching or assigning a department ends it.
    Of the `visible` cases: the centre's work, so none for an agent of a department."""
    now = utcnow()
    kinds = with_polymorphic(Case, list(TRIAGE_KINDS))
    waiting = and_(visible, Case.department.is_(None), or_(*(open_of_kind(kind) for kind in TRIAGE_KINDS)))
    total = session.scalar(select(func.count()).select_from(Case).where(waiting)) or 0
    query = select(kinds).where(waiting).order_by(Case.created_at, Case.id).limit(limit).offset(offset)
    items = []
    for case in session.scalars(query):
        category, subcategory = split_category(case.category)
        items.append(
            TriageCase(
                number=case.number,
                kind=case.kind,
                status=case.status,
                status_text=case.status_text,
                service=case.service,
                category=category,
                subcategory=case.subcategory or subcategory,
                routed_by=case.routed_by,
                routing_confidence=case.routing_confidence,
                alternatives=[RoutingSuggestion.model_validate(a) for a in case.routing_alternatives or []],
                text=resident_text(case),
                channel=case.channel,
                created_at=case.created_at.isoformat(),
                deadline=case.deadline.isoformat() if case.deadline else None,
                card=calendar.case_card(now, case.kind, case.created_at, case.deadline).value,
            )
        )
    return TriageList(threshold=threshold, total=total, items=items)


def _open_cards(
    session: Session, calendar: WorkCalendar, now: datetime, visible: ColumnElement[bool]
) -> dict[str, int]:
    cards = {"yellow": 0, "red": 0}
    for case in session.scalars(select(Case).where(visible, Case.deadline.is_not(None))):
        if case.deadline_runs:
            card = calendar.case_card(now, case.kind, case.created_at, case.deadline).value
            if card in cards:
                cards[card] += 1
    return cards


def _satisfaction(session: Session, staff: Staff) -> list[dict[str, Any]]:
    """Per service; for an agent of a department, of the evaluations of its cases only."""
    own = (
        true()
        if case_access.sees_all(staff)
        else Evaluation.case_number.in_(select(Case.number).where(case_access.visible(staff)))
    )
    rows = session.execute(
        select(
            Evaluation.service,
            func.count(),
            func.avg(Evaluation.stars),
            func.sum(sa_case((Evaluation.stars >= 4, 1), else_=0)),
        )
        .where(own)
        .group_by(Evaluation.service)
        .order_by(func.count().desc())
    )
    return [
        {"service": service, "count": n, "average": round(float(avg), 2), "share_4_5": round(int(good or 0) / n, 4)}
        for service, n, avg, good in rows
    ]


def stats(session: Session, calendar: WorkCalendar, staff: Staff) -> StaffStats:
    """Counts by kind and status, open cases by card, top categories, satisfaction per service (of the cases
    the staff member may see) and commendations per department (praise, not cases: every department's)."""
    visible = case_access.visible(staff)
    counts: dict[str, dict[str, int]] = {}
    for kind, status, n in session.execute(
        select(Case.kind, Case.status, func.count()).where(visible).group_by(Case.kind, Case.status)
    ):
        counts.setdefault(kind, {})[status] = n
    top_categories = [
        {"category": category, "count": n}
        for category, n in session.execute(
            select(Case.category, func.count())
            .where(visible, Case.category.is_not(None))
            .group_by(Case.category)
            .order_by(func.count().desc())
            .limit(10)
        )
    ]
    return StaffStats.model_validate(
        {
            "cases": counts,
            "open_cards": _open_cards(session, calendar, utcnow(), visible),
            "top_categories": top_categories,
            "satisfaction": _satisfaction(session, staff),
            "commendations": per_department(session),
        }
    )


def audit_entries(session: Session, target: str | None, limit: int) -> list[AuditEntryPublic]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target:
        query = query.where(AuditEntry.target == target)
    return [
        AuditEntryPublic(
            at=e.at.isoformat(), actor=e.actor, role=e.role, action=e.action, target=e.target, detail=e.detail
        )
        for e in session.scalars(query)
    ]


def create_user(sessions: sessionmaker[Session], body: StaffCreate, actor: str, role: str) -> None:
    """Its own transaction: a taken username shows only at the insert, and is answered with 409."""
    try:
        with transaction(sessions) as session:
            session.add(
                StaffUser(
                    username=body.username,
                    display_name=body.display_name,
                    role=body.role,
                    password_hash=hash_password(body.password),
                    department=body.department,
                )
            )
            session.flush()
            audit.record(
                session, actor, role, "create_user", body.username, granted_role=body.role, department=body.department
            )
    except IntegrityError:
        raise ApiError(409, "user_exists", f"用户名“{body.username}”已存在") from None
