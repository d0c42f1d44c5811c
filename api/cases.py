"""Filing cases and moving them through their status pipelines (shared by every case kind)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.errors import ApiError
from api.models import KIND_BY_PREFIX, Case, Service, utcnow
from api.numbering import next_number
from api.settings import Settings
from api.workdays import WorkCalendar

STATUS_TEXT = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理",
    "processing": "办理中",
    "done": "已办结",
    "rejected": "未予受理",
    "pending": "待处理",
    "resolved": "已办结",
    "received": "已收到",
    "adopted": "已采纳",
    "noted": "已记录",
    "open": "待处理",
    "dispatched": "已派单至承办部门",
}


def file_case(
    session: Session,
    case: Case,
    settings: Settings,
    calendar: WorkCalendar,
    actor: str = audit.RESIDENT,
    role: str = audit.RESIDENT,
    now: datetime | None = None,
) -> Case:
    """Give the case its number, initial status and deadline, store it and audit the creation.

    A case about a known service without a department goes to that service's department.
    """
    now = now or utcnow()
    if case.service and not case.department:
        service = session.get(Service, case.service)
        case.department = service.department if service else None
    case.number = next_number(session, case.PREFIX, now, calendar.tz)
    case.status = case.INITIAL_STATUS
    case.created_at = now
    case.updated_at = now
    if case.DEADLINE_WORKDAYS:
        case.deadline = calendar.deadline(now, getattr(settings, case.DEADLINE_WORKDAYS))
    if case.contact_phone:
        case.phone_last4 = case.contact_phone[-4:]
    session.add(case)
    session.flush()
    audit.record(session, actor, role, "create", case.number, kind=case.KIND, channel=case.channel)
    return case


def find_case(session: Session, number: str, *, for_update: bool = False) -> Case:
    number = number.strip().upper()
    if number[:2] not in KIND_BY_PREFIX:
        raise ApiError(404, "case_not_found", "未找到该编号对应的事项，请核对编号")
    query = select(Case).where(Case.number == number)
    if for_update:
        query = query.with_for_update()
    case = session.scalars(query).first()
    if case is None:
        raise ApiError(404, "case_not_found", "未找到该编号对应的事项，请核对编号")
    return case


def change_status(session: Session, case: Case, target: str, actor: str, role: str, note: str | None) -> None:
    if not case.can_move(case.status, target):
        allowed = sorted(case.TRANSITIONS.get(case.status, ()))
        raise ApiError(
            409,
            "invalid_transition",
            f"当前状态“{STATUS_TEXT.get(case.status, case.status)}”不能改为“{STATUS_TEXT.get(target, target)}”",
            allowed=allowed,
        )
    previous = case.status
    case.status = target
    case.updated_at = utcnow()
    audit.record(session, actor, role, "status", case.number, before=previous, after=target, note=note)
