"""不满意重办: the resident who filed a case says its resolution did not solve the problem ("说是办结了 路灯还是不亮").

As a 12345 centre sends back a case that fails its follow-up call (回访不满意), the case goes back to its kind's
`reopen_status` with a new deadline counted from now, and the resident's words become a supervision event (不满意重办)
on the consoles of the staff who may see the case. Once per case: a second dissatisfaction is for a person (转人工),
not another round. A retry of the same request finds the case reopened and is told so, nothing recorded twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.cases import deadline_from
from api.errors import ApiError
from api.models import Case, Incident, SupervisionEvent
from api.services.incidents import back_to_the_grid
from api.services.supervision import REOPEN, FollowUp, push_event
from api.settings import Settings
from api.workdays import WorkCalendar

# A resolution older than this is a new matter: the resident reports it again.
REOPEN_WITHIN = timedelta(days=30)
# What the event says when the resident pressed the button without words of their own.
PLAIN_REOPEN = "群众对办理结果不满意，申请重办"


def reopen(
    session: Session,
    case: Case,
    reason: str | None,
    actor: str,
    settings: Settings,
    calendar: WorkCalendar,
    now: datetime,
) -> FollowUp:
    """Send the resolved ``case`` (locked by the caller) back to be done again, with the resident's ``reason``."""
    spec = case.SPEC
    if spec.reopen_status is None:
        raise ApiError(409, "not_reopenable", f"{spec.name}{case.number}的办理结果不适用重办。如有问题，可以再次反映。")
    earlier = session.scalars(
        select(SupervisionEvent.at)
        .where(SupervisionEvent.case_id == case.id, SupervisionEvent.kind == REOPEN)
        .order_by(SupervisionEvent.at.desc())
        .limit(1)
    ).first()
    if earlier is not None and not case.is_closed:
        return FollowUp(at=earlier, event=None)
    if earlier is not None:
        raise ApiError(
            409,
            "already_reopened",
            f"{spec.name}{case.number}已经按您的意见重办过一次。如仍不满意，可以转人工，由工作人员跟进。",
        )
    if not case.is_closed:
        raise ApiError(
            409, "case_open", f"{spec.name}{case.number}还在办理中（当前为“{case.status_text}”），如需加快可以催办。"
        )
    if now - case.updated_at > REOPEN_WITHIN:
        raise ApiError(
            409,
            "reopen_expired",
            f"{spec.name}{case.number}办结已超过{REOPEN_WITHIN.days}天，不能申请重办。如果问题仍未解决，可以再次反映。",
        )
    previous, old_deadline = case.status, case.deadline
    case.status = spec.reopen_status
    case.deadline = deadline_from(case, settings, calendar, now)
    case.updated_at = now
    if isinstance(case, Incident):
        back_to_the_grid(session, case, reason or PLAIN_REOPEN)
    event = SupervisionEvent(
        case_id=case.id,
        kind=REOPEN,
        at=now,
        by=audit.RESIDENT,
        note=reason or PLAIN_REOPEN,
        deadline=old_deadline,
        new_deadline=case.deadline,
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, audit.RESIDENT, "reopen", case.number, before=previous, after=case.status)
    return FollowUp(at=now, event=push_event(event, case.number, case.department))
