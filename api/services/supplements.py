"""A resident adds to or corrects their open case (群众补充说明): "补充一下 是3号楼东单元的电梯", "说错了 不是电梯
是楼道灯".

The case's description stays as filed (nothing accepted is lost or rewritten); the supplement is a supervision event
on the case holding the resident's words, pushed to the consoles of the staff who may see it, so that whoever deals
with the case reads both. A retry of the same words records nothing; a case takes at most `MAX_SUPPLEMENTS`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.errors import ApiError
from api.models import Case, SupervisionEvent
from api.services.supervision import SUPPLEMENT, FollowUp, push_event

# Beyond this the resident is better served by a person than by more lines on the case.
MAX_SUPPLEMENTS = 10


def supplement(session: Session, case: Case, text: str, actor: str, now: datetime) -> FollowUp:
    """Record `text` on the open `case` (locked by the caller), unless the same words are recorded already."""
    if case.is_closed:
        after = "如果问题仍未解决，可以申请重办或再次反映。" if case.SPEC.reopenable else "如有新的情况，可以再次反映。"
        raise ApiError(
            409, "case_closed", f"{case.SPEC.name}{case.number}当前为“{case.status_text}”，不能再补充。{after}"
        )
    earlier = select(SupervisionEvent).where(SupervisionEvent.case_id == case.id, SupervisionEvent.kind == SUPPLEMENT)
    same = session.scalars(earlier.where(SupervisionEvent.note == text).limit(1)).first()
    if same is not None:
        return FollowUp(at=same.at, event=None)
    count = session.scalar(select(func.count()).select_from(earlier.subquery())) or 0
    if count >= MAX_SUPPLEMENTS:
        raise ApiError(
            409,
            "too_many_supplements",
            f"{case.SPEC.name}{case.number}已补充{count}次，如还有情况需要说明，请转人工，由工作人员记录。",
        )
    event = SupervisionEvent(
        case_id=case.id, kind=SUPPLEMENT, at=now, by=audit.RESIDENT, note=text, deadline=case.deadline
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, audit.RESIDENT, "supplement", case.number)
    return FollowUp(at=now, event=push_event(event, case.number, case.department))
