"""A resident reporting again what they reported before (再次反映): the new case is linked to the earlier one.

"上次反映的路灯到现在都没人修" is filed as a new case (nothing the resident says is lost), and when the same
sender has an earlier grievance case of the last `LOOKBACK` the two are linked: each gets a "repeat" supervision
event naming the other, so the department and the supervisors see that the matter is not solved (催办), and
the resident is told which earlier case it was joined to.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from api import audit
from api.models import Case, SupervisionEvent, utcnow
from api.services.supervision import REPEAT
from contract.case_kinds import COMPLAINT, INCIDENT, TICKET, find_case_number
from knowledge.request_kind import mentions_earlier_report

# Reports older than this are a new matter, whatever the resident says.
LOOKBACK = timedelta(days=180)
# The kinds a resident reports a problem through: a complaint, a hotline ticket, a community incident.
GRIEVANCE_KINDS = (COMPLAINT.kind, TICKET.kind, INCIDENT.kind)
# A resident has a handful of cases; the lookup stays bounded whatever a sender has filed.
MAX_EARLIER = 50


def earlier_report(
    session: Session, sender: str | None, text: str, category: str | None = None, exclude: int | None = None
) -> Case | None:
    """The sender's earlier case that ``text`` reports again: the one it names by number, else the newest of the
    same ``category``, else the only one there is (``exclude``: the new case itself, once filed). None when the
    text does not say it was reported before, or which earlier case it is cannot be told."""
    if not sender or not mentions_earlier_report(text):
        return None
    query = (
        select(Case)
        .where(
            Case.sender == sender,
            Case.id != exclude if exclude is not None else true(),
            Case.kind.in_(GRIEVANCE_KINDS),
            Case.created_at >= utcnow() - LOOKBACK,
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(MAX_EARLIER)
    )
    earlier = list(session.scalars(query))
    named = find_case_number(text)
    for candidates in (
        [c for c in earlier if c.number == named],
        [c for c in earlier if category and c.category == category],
        earlier if len(earlier) == 1 else [],
    ):
        if candidates:
            return candidates[0]
    return None


def link_repeat(session: Session, case: Case, earlier: Case) -> None:
    """Record on both cases that ``case`` reports ``earlier`` again."""
    now = utcnow()
    for on, note in (
        (earlier, f"群众再次反映，新办件{case.number}"),
        (case, f"再次反映，上次办件{earlier.number}（{earlier.status_text}）"),
    ):
        session.add(
            SupervisionEvent(case_id=on.id, kind=REPEAT, at=now, by=audit.SYSTEM, note=note, deadline=on.deadline)
        )
    session.flush()
    audit.record(session, audit.SYSTEM, audit.SYSTEM, "repeat_report", case.number, earlier=earlier.number)
