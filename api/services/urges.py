"""A resident urging an open case (群众催办): "怎么还没人处理 都等三天了" after checking its progress.

An urge is a supervision event on the case (kind "urge", 群众催办) holding the resident's words, pushed to the
consoles of the staff who may see the case like a supervisor's note. One urge a day counts: pressing 催办 again, or
a retry, is told that the earlier one was passed on, and the department is not paged by the same case again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.errors import ApiError
from api.models import Case, SupervisionEvent
from api.services.supervision import URGE, FollowUp, push_event

URGE_INTERVAL = timedelta(days=1)
# What the event says when the resident pressed 催办 without words of their own.
PLAIN_URGE = "群众催办，请尽快办理"


def urge(session: Session, case: Case, note: str | None, actor: str, now: datetime) -> FollowUp:
    """Record the resident's urge on an open ``case`` (locked by the caller), unless one of the last day stands."""
    if case.is_closed:
        raise ApiError(
            409,
            "case_closed",
            f"事项{case.number}当前为“{case.status_text}”，无需催办。如果问题仍未解决，可以再次反映。",
        )
    standing = session.scalars(
        select(SupervisionEvent.at)
        .where(
            SupervisionEvent.case_id == case.id,
            SupervisionEvent.kind == URGE,
            SupervisionEvent.at > now - URGE_INTERVAL,
        )
        .order_by(SupervisionEvent.at.desc())
        .limit(1)
    ).first()
    if standing is not None:
        return FollowUp(at=standing, event=None)
    event = SupervisionEvent(
        case_id=case.id, kind=URGE, at=now, by=audit.RESIDENT, note=note or PLAIN_URGE, deadline=case.deadline
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, audit.RESIDENT, "urge", case.number)
    return FollowUp(at=now, event=push_event(event, case.number, case.department))
