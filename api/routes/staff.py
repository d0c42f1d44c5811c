"""Staff endpoints (agents, supervisors, admins): case lists, details, status, assignment, statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import case as sa_case
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api import audit
from api.case_views import staff_view, summary_view
from api.cases import change_status, file_case, find_case
from api.catalogue import sync_catalogue
from api.db import transaction
from api.deps import AdminDep, AgentDep, RuntimeDep, SupervisorDep
from api.errors import ApiError
from api.models import CASE_KINDS, AuditEntry, Case, Consultation, Evaluation, StaffUser, utcnow
from api.routes.tickets import new_ticket
from api.schemas import (
    Assignment,
    CaseCreated,
    ConsultationCreate,
    ConsultationPublic,
    StaffCreate,
    StatusChange,
    TicketCreate,
)
from api.security import Role, hash_password
from knowledge.schema import KnowledgeFormatError

router = APIRouter(prefix="/api/staff", tags=["staff"])

KindQuery = Annotated[str | None, Query(pattern="^(" + "|".join(CASE_KINDS) + ")$")]


@router.get("/me")
def me(staff: AgentDep) -> dict[str, str]:
    return {"username": staff.username, "role": staff.role.value, "display_name": staff.display_name}


@router.get("/cases")
def list_cases(
    staff: AgentDep,
    runtime: RuntimeDep,
    kind: KindQuery = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    assigned_to: Annotated[str | None, Query(max_length=64)] = None,
    card: Annotated[str | None, Query(pattern="^(yellow|red)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Newest first; `card` keeps only open cases near (yellow) or past (red) their deadline."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        query = select(Case)
        filters = (
            (Case.kind, kind),
            (Case.status, status),
            (Case.department, department),
            (Case.assigned_to, assigned_to),
        )
        for column, value in filters:
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(Case.created_at.desc())
        if card is None:
            total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
            page = list(session.scalars(query.limit(limit).offset(offset)))
        else:
            # The card depends on the holiday calendar, so it is computed here on the few cases due soon.
            horizon = now + timedelta(days=14) if card == "yellow" else now
            due = session.scalars(query.where(Case.deadline.is_not(None), Case.deadline <= horizon))
            matching = [c for c in due if not c.is_closed and runtime.calendar.card(now, c.deadline).value == card]
            total = len(matching)
            page = matching[offset : offset + limit]
        audit.record(session, staff.username, staff.role, "list", None, kind=kind, status=status, count=len(page))
        return {"total": total, "items": [summary_view(c, runtime.calendar, now) for c in page]}


@router.get("/cases/{number}")
def read_case(number: str, staff: AgentDep, runtime: RuntimeDep, reveal: bool = False) -> dict[str, Any]:
    """Personal data is masked; supervisors may reveal it, and every read is audited."""
    if reveal and not staff.role.allows(Role.SUPERVISOR):
        raise ApiError(403, "forbidden", "查看完整个人信息需要主管及以上权限")
    with transaction(runtime.sessions) as session:
        case = find_case(session, number)
        audit.record(session, staff.username, staff.role, "read_pii" if reveal else "read", case.number)
        return staff_view(case, runtime.calendar, utcnow(), reveal=reveal)


@router.post("/cases/{number}/status")
def set_status(number: str, body: StatusChange, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    with transaction(runtime.sessions) as session:
        case = find_case(session, number, for_update=True)
        change_status(session, case, body.status, staff.username, staff.role, body.note)
        return staff_view(case, runtime.calendar, utcnow())


@router.post("/cases/{number}/assign")
def assign(number: str, body: Assignment, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    if body.department is None and body.category is None and body.agent is None:
        raise ApiError(422, "nothing_to_assign", "请至少指定承办部门、分类或坐席之一")
    with transaction(runtime.sessions) as session:
        case = find_case(session, number, for_update=True)
        if body.agent is not None:
            exists = session.scalar(select(StaffUser.id).where(StaffUser.username == body.agent))
            if exists is None:
                raise ApiError(422, "unknown_agent", f"坐席账号“{body.agent}”不存在")
        changes = body.model_dump(exclude_none=True)
        case.department = body.department or case.department
        case.category = body.category or case.category
        case.assigned_to = body.agent or case.assigned_to
        case.updated_at = utcnow()
        audit.record(session, staff.username, staff.role, "assign", case.number, **changes)
        return staff_view(case, runtime.calendar, utcnow())


@router.post("/tickets", status_code=201, response_model=CaseCreated)
def create_ticket(body: TicketCreate, staff: AgentDep, runtime: RuntimeDep) -> CaseCreated:
    """A ticket taken on the phone by an agent."""
    with transaction(runtime.sessions) as session:
        ticket = new_ticket(body, origin="agent")
        ticket.assigned_to = staff.username
        file_case(session, ticket, runtime.settings, runtime.calendar, actor=staff.username, role=staff.role)
        return CaseCreated.of(ticket)


@router.post("/consultations", status_code=201, response_model=ConsultationPublic)
def open_consultation(body: ConsultationCreate, staff: SupervisorDep, runtime: RuntimeDep) -> Consultation:
    with transaction(runtime.sessions) as session:
        consultation = Consultation(**body.model_dump(), status="open")
        session.add(consultation)
        session.flush()
        audit.record(session, staff.username, staff.role, "create_consultation", str(consultation.id))
        return consultation


@router.post("/consultations/{consultation_id}/close", response_model=ConsultationPublic)
def close_consultation(consultation_id: int, staff: SupervisorDep, runtime: RuntimeDep) -> Consultation:
    with transaction(runtime.sessions) as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise ApiError(404, "consultation_not_found", "没有找到该意见征集活动")
        consultation.status = "closed"
        audit.record(session, staff.username, staff.role, "close_consultation", str(consultation_id))
        return consultation


@router.get("/stats")
def stats(staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Counts by kind and status, open cases by card, top categories and satisfaction per service."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        by_status = session.execute(select(Case.kind, Case.status, func.count()).group_by(Case.kind, Case.status))
        counts: dict[str, dict[str, int]] = {}
        for kind, status, n in by_status:
            counts.setdefault(kind, {})[status] = n
        cards = {"yellow": 0, "red": 0}
        for case in session.scalars(select(Case).where(Case.deadline.is_not(None))):
            if not case.is_closed:
                card = runtime.calendar.card(now, case.deadline).value
                if card in cards:
                    cards[card] += 1
        top_categories = [
            {"category": category, "count": n}
            for category, n in session.execute(
                select(Case.category, func.count())
                .where(Case.category.is_not(None))
                .group_by(Case.category)
                .order_by(func.count().desc())
                .limit(10)
            )
        ]
        return {
            "cases": counts,
            "open_cards": cards,
            "top_categories": top_categories,
            "satisfaction": satisfaction(session),
        }


def satisfaction(session: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            Evaluation.service,
            func.count(),
            func.avg(Evaluation.stars),
            func.sum(sa_case((Evaluation.stars >= 4, 1), else_=0)),
        )
        .group_by(Evaluation.service)
        .order_by(func.count().desc())
    )
    return [
        {"service": service, "count": n, "average": round(float(avg), 2), "share_4_5": round(int(good or 0) / n, 4)}
        for service, n, avg, good in rows
    ]


@router.post("/users", status_code=201)
def create_user(body: StaffCreate, staff: AdminDep, runtime: RuntimeDep) -> dict[str, str]:
    try:
        with transaction(runtime.sessions) as session:
            session.add(
                StaffUser(
                    username=body.username,
                    display_name=body.display_name,
                    role=body.role,
                    password_hash=hash_password(body.password),
                )
            )
            session.flush()
            audit.record(session, staff.username, staff.role, "create_user", body.username, granted_role=body.role)
    except IntegrityError:
        raise ApiError(409, "user_exists", f"用户名“{body.username}”已存在") from None
    return {"username": body.username, "role": body.role}


@router.post("/knowledge/reload")
def reload_knowledge(staff: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Re-import the service files after an edit: new answers at once, no retraining, no restart.

    Other gateway workers and the Rasa component notice the rebuilt index on their next search.
    """
    if runtime.knowledge is None:
        raise ApiError(409, "knowledge_disabled", "知识库检索未启用")
    try:
        count = runtime.knowledge.reload()
    except KnowledgeFormatError as error:
        raise ApiError(422, "knowledge_format", f"知识库文件有误，未生效：{error}") from None
    sync_catalogue(runtime.sessions, runtime.knowledge.services)
    with transaction(runtime.sessions) as session:
        audit.record(session, staff.username, staff.role, "knowledge_reload", None, services=count)
    return {"services": count}


@router.get("/audit")
def audit_log(
    staff: AdminDep,
    runtime: RuntimeDep,
    target: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    with transaction(runtime.sessions) as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if target:
            query = query.where(AuditEntry.target == target)
        return [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "role": e.role,
                "action": e.action,
                "target": e.target,
                "detail": e.detail,
            }
            for e in session.scalars(query)
        ]
