"""Filing cases and moving them through their status pipelines (shared by every case kind)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.errors import ApiError
from api.models import KIND_BY_PREFIX, Case, Service, utcnow
from api.numbering import next_number
from api.settings import Settings
from api.workdays import WorkCalendar


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
    spec = case.SPEC
    case.number = next_number(session, spec.prefix, now, calendar.tz)
    case.status = spec.initial_status
    case.created_at = now
    case.updated_at = now
    case.deadline = deadline_from(case, settings, calendar, now)
    if case.contact_phone:
        case.phone_last4 = case.contact_phone[-4:]
    session.add(case)
    session.flush()
    audit.record(session, actor, role, "create", case.number, kind=spec.kind, channel=case.channel)
    return case


def deadline_from(case: Case, settings: Settings, calendar: WorkCalendar, now: datetime) -> datetime | None:
    """The deadline of the case's kind counted from `now` (its filing, or its reopening), None without one."""
    spec = case.SPEC
    if spec.deadline_setting is None:
        return None
    if spec.deadline_in_hours:
        return now + timedelta(hours=getattr(settings, spec.deadline_setting))
    return calendar.deadline(now, getattr(settings, spec.deadline_setting))


def find_case(session: Session, number: str, *, for_update: bool = False) -> Case:
    number = number.strip().upper()
    # A number of no known kind is not looked up at all.
    case = None
    if number[:2] in KIND_BY_PREFIX:
        query = select(Case).where(Case.number == number)
        case = session.scalars(query.with_for_update() if for_update else query).first()
    if case is None:
        raise ApiError(404, "case_not_found", "未找到该编号对应的事项，请核对编号")
    return case


def change_status(session: Session, case: Case, target: str, actor: str, role: str, note: str | None) -> None:
    spec = case.SPEC
    if not spec.can_move(case.status, target):
        # An unknown target is named as typed: the kind has no text for it.
        target_text = spec.statuses.get(target, target)
        raise ApiError(
            409,
            "invalid_transition",
            f"当前状态“{case.status_text}”不能改为“{target_text}”",
            allowed=spec.allowed(case.status),
        )
    if target in spec.note_required and not (note and note.strip()):
        raise ApiError(422, "note_required", f"改为“{spec.statuses[target]}”需要填写说明，办事人会收到这条说明")
    previous = case.status
    case.status = target
    case.updated_at = utcnow()
    audit.record(session, actor, role, "status", case.number, before=previous, after=target, note=note)
