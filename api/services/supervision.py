"""Deadline supervision (督办): recording the cards of cases turning yellow or red, supervisors' notes and
deadline extensions, the case's supervision history, and who is told about each event.

The card is the one of the case lists (`WorkCalendar.case_card`): yellow on the last working day before the
deadline (a deadline in hours: in the last quarter of its window), red once it has passed. The scheduler
(api/supervision.py) calls `record_cards` every minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api import audit, case_access
from api.cases import find_case
from api.deps import Staff
from api.errors import ApiError
from api.models import REOPEN, REPEAT, SUPERVISION_CARDS, SUPPLEMENT, URGE, Case, SupervisionEvent
from api.workdays import Card, WorkCalendar
from contract.case_kinds import DEADLINE_RUNNING_STATUSES
from contract.personal_data import mask_text

KIND_TEXT = {
    "yellow": "黄牌督办",
    "red": "红牌督办",
    "note": "督办意见",
    "extension": "延长办理时限",
    REPEAT: "群众再次反映",
    URGE: "群众催办",
    REOPEN: "不满意重办",
    SUPPLEMENT: "群众补充说明",
}
CARDS = (Card.YELLOW.value, Card.RED.value)


@dataclass(frozen=True)
class FollowUp:
    """A resident's follow-up on a case (an urge, a reopening, a supplement) as recorded, or as found standing."""

    at: datetime
    # The live update for the consoles; None when an earlier follow-up stands and nothing new was recorded.
    event: dict[str, Any] | None


# A backlog (the first run on an existing case store) is inserted this many cards per statement.
CARDS_PER_INSERT = 500
# An extension beyond this is a typing error, not a plan.
LONGEST_EXTENSION = timedelta(days=366)


def _recorded(kind: str) -> ColumnElement[bool]:
    """The case has this card for its current deadline."""
    return exists().where(
        SupervisionEvent.case_id == Case.id, SupervisionEvent.kind == kind, SupervisionEvent.deadline == Case.deadline
    )


def _held_to_deadline() -> ColumnElement[bool]:
    """Cases whose deadline still runs (open, and for an incident not yet accepted), by status alone
    (contract.case_kinds.DEADLINE_RUNNING_STATUSES): PostgreSQL reads it as ranges of ix_cases_status_deadline."""
    return Case.status.in_(DEADLINE_RUNNING_STATUSES)


def _insert_cards(session: Session, cards: list[dict[str, Any]]) -> list[SupervisionEvent]:
    """Insert the cards not there already (another scheduler was first), in one statement; the new ones."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(SupervisionEvent)
        .values(cards)
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "deadline"], index_where=SUPERVISION_CARDS)
        .returning(SupervisionEvent)
    )
    return list(session.scalars(statement))


def record_cards(session: Session, calendar: WorkCalendar, now: datetime) -> list[dict[str, Any]]:
    """Record a yellow or red card on every open case that has just got one; the events to push.

    Only the cases that can be missing a card are read (in SQL): overdue ones without a red card, and those
    due by the end of the next working day without a yellow one (a later deadline leaves at least one working
    day; a deadline in hours is within that, and if extended its yellow is recorded by then at the latest);
    `WorkCalendar.case_card` decides. The cost follows the cases due now, not the size of the case store.
    """
    yellow_until = calendar.end_of(calendar.add_workdays(now.astimezone(calendar.tz).date(), 1))
    due = (
        select(Case.id, Case.number, Case.department, Case.kind, Case.created_at, Case.deadline)
        .where(
            Case.deadline.is_not(None),
            Case.deadline <= yellow_until,
            _held_to_deadline(),
            ~_recorded(Card.RED.value),
            or_(Case.deadline <= now, ~_recorded(Card.YELLOW.value)),
        )
        .order_by(Case.deadline)
    )
    cases: dict[int, tuple[str, str | None]] = {}
    cards = []
    for case_id, number, department, kind, filed_at, deadline in session.execute(due).all():
        card = calendar.case_card(now, kind, filed_at, deadline).value
        if card in CARDS:
            cases[case_id] = (number, department)
            cards.append({"case_id": case_id, "kind": card, "at": now, "by": audit.SYSTEM, "deadline": deadline})
    events = []
    for start in range(0, len(cards), CARDS_PER_INSERT):
        for event in _insert_cards(session, cards[start : start + CARDS_PER_INSERT]):
            number, department = cases[event.case_id]
            audit.record(session, audit.SYSTEM, audit.SYSTEM, "supervision", number, card=event.kind)
            events.append(push_event(event, number, department))
    return events


def _open_for_supervision(session: Session, number: str) -> Case:
    case = find_case(session, number, for_update=True)
    if case.is_closed:
        raise ApiError(409, "case_closed", f"事项{case.number}当前为“{case.status_text}”，无需督办")
    return case


def add_note(session: Session, number: str, note: str, actor: str, role: str, now: datetime) -> dict[str, Any]:
    """A supervisor's 督办 note on an open case; the event to push."""
    case = _open_for_supervision(session, number)
    event = SupervisionEvent(case_id=case.id, kind="note", at=now, by=actor, note=note, deadline=case.deadline)
    session.add(event)
    session.flush()
    audit.record(session, actor, role, "supervision_note", case.number, note=note)
    return push_event(event, case.number, case.department)


def extend_deadline(
    session: Session, calendar: WorkCalendar, number: str, day: date, reason: str, actor: str, role: str, now: datetime
) -> dict[str, Any]:
    """Move an open case's deadline to the end of a later working day, with the reason; the event to push."""
    case = _open_for_supervision(session, number)
    if case.deadline is None:
        raise ApiError(422, "no_deadline", f"事项{case.number}没有办理时限，无法延期")
    current = case.deadline.astimezone(calendar.tz).date()
    if day <= current:
        raise ApiError(422, "deadline_not_later", f"新的办理时限须晚于当前时限（{current.isoformat()}）")
    if not calendar.is_workday(day):
        raise ApiError(422, "deadline_not_workday", f"新的办理时限（{day.isoformat()}）不是工作日，请选择工作日")
    if calendar.end_of(day) - now > LONGEST_EXTENSION:
        raise ApiError(422, "deadline_too_far", "新的办理时限距今不能超过一年")
    old = case.deadline
    case.deadline = calendar.end_of(day)
    case.updated_at = now
    event = SupervisionEvent(
        case_id=case.id, kind="extension", at=now, by=actor, note=reason, deadline=old, new_deadline=case.deadline
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        role,
        "deadline_extension",
        case.number,
        old=old.isoformat(),
        new=case.deadline.isoformat(),
        reason=reason,
    )
    return push_event(event, case.number, case.department)


def _plain(event: SupervisionEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "kind_text": KIND_TEXT[event.kind],
        "at": event.at.isoformat(),
        "by": event.by,
        # Supervisors write about residents' cases: a phone or ID number typed into a note stays masked.
        "note": mask_text(event.note) if event.note else None,
        "deadline": event.deadline.isoformat() if event.deadline else None,
        "new_deadline": event.new_deadline.isoformat() if event.new_deadline else None,
    }


def history(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's supervision events, oldest first."""
    query = select(SupervisionEvent).where(SupervisionEvent.case_id == case.id).order_by(SupervisionEvent.id)
    return [_plain(event) for event in session.scalars(query)]


def push_event(event: SupervisionEvent, number: str, department: str | None) -> dict[str, Any]:
    """The live update for the consoles (GET /api/staff/handoff/events); `reaches` says whose."""
    return {"type": "supervision", "number": number, "department": department, **_plain(event)}


def reaches(event: dict[str, Any], staff: Staff) -> bool:
    """Supervision events go to the staff who may see the case (api/case_access.py: supervisors, admins, the
    centre's agents and the agents of the case's department); every other live update goes to every agent."""
    if event.get("type") != "supervision":
        return True
    return case_access.may_see(staff, event.get("department"))


def recent(session: Session, staff: Staff, since: datetime, limit: int) -> list[dict[str, Any]]:
    """The newest supervision events on open cases the staff member may see (the console's 督办 list)."""
    query = (
        select(SupervisionEvent, Case.number, Case.department)
        .join(Case, Case.id == SupervisionEvent.case_id)
        .where(SupervisionEvent.at >= since, _held_to_deadline(), case_access.visible(staff))
        .order_by(SupervisionEvent.at.desc(), SupervisionEvent.id.desc())
        .limit(limit)
    )
    return [push_event(event, number, case_department) for event, number, case_department in session.execute(query)]
