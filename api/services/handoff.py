"""The 12345 agent console's work: the queue's rows, the tickets behind handed-off conversations,
dispatching, and closing a handoff (resolve or hand back to the assistant).

Called from the async handoff routes: the database parts are plain functions the routes run in the
thread pool, each in its own transaction.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import audit, case_access
from api.case_views import staff_view, summary_view
from api.cases import change_status
from api.categories import Category
from api.db import transaction
from api.deps import Staff
from api.errors import ApiError
from api.handoff import IN_QUEUE, WAITING, Conversation, HandoffHub, Line, send_to_channel
from api.models import Case, Service, Ticket, utcnow
from api.replies import HANDED_BACK, RATING_BUTTONS, RATING_PROMPT
from api.runtime import Runtime
from api.services.handoff_transcript import add_to_ticket
from api.services.routing_corrections import note_correction
from contract.knowledge import SearchResult
from contract.personal_data import mask_text

# How long a resident may wait for the first agent reply before the queue shows a yellow / red card.
WAIT_YELLOW_SECONDS = 2 * 60
WAIT_RED_SECONDS = 5 * 60
SUGGESTED_ANSWERS = 3


def _not_in_queue() -> ApiError:
    return ApiError(404, "conversation_not_found", "该会话不在人工队列中（可能已办结或已转回智能助手）")


async def held_conversation(hub: HandoffHub, sender: str) -> Conversation:
    conversation = await hub.conversation(sender)
    if conversation is None or conversation.state not in IN_QUEUE:
        raise _not_in_queue()
    return conversation


def _conversation_ticket(
    session: Session, staff: Staff, number: str | None, attempted: str, *, for_update: bool = False
) -> Case | None:
    """The conversation's ticket, if the staff member may work it (api/case_access.py): an agent of a department
    meets a conversation whose ticket is another department's (or the centre's, not dispatched) as one that is
    not in the queue."""
    if number is None:
        if not case_access.sees_all(staff):
            case_access.refuse(session, staff, None, attempted, _not_in_queue())
        return None
    return case_access.find_case_for(session, staff, number, attempted, for_update=for_update, error=_not_in_queue())


def visible_conversations(runtime: Runtime, staff: Staff, conversations: list[Conversation]) -> list[Conversation]:
    """The queue's conversations whose ticket the staff member may see."""
    if case_access.sees_all(staff):
        return conversations
    numbers = [c.ticket for c in conversations if c.ticket]
    with transaction(runtime.sessions) as session:
        query = select(Case.number).where(Case.number.in_(numbers), case_access.visible(staff))
        seen = set(session.scalars(query))
    return [c for c in conversations if c.ticket in seen]


def conversation_row(conversation: Conversation, last: Line | None, now: float) -> dict[str, Any]:
    age = now - conversation.since
    card = "none"
    if conversation.state == WAITING:
        card = "red" if age >= WAIT_RED_SECONDS else "yellow" if age >= WAIT_YELLOW_SECONDS else "green"
    return {
        "sender": conversation.sender,
        "channel": conversation.channel,
        "state": conversation.state,
        "ticket": conversation.ticket,
        "agent": conversation.agent,
        "since": conversation.since,
        "age_seconds": int(age),
        "card": card,
        "last_message": last.text if last else None,
    }


def open_tickets(runtime: Runtime, staff: Staff) -> list[dict[str, Any]]:
    """The open tickets the staff member may see, oldest first."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.status.in_(("open", "dispatched")), case_access.visible(staff))
            .order_by(Ticket.created_at)
            .limit(200)
        )
        return [
            {
                **summary_view(t, runtime.calendar, now),
                "summary": mask_text(t.summary),
                "age_seconds": int((now - t.created_at).total_seconds()),
            }
            for t in tickets
        ]


def read_ticket(runtime: Runtime, staff: Staff, number: str) -> dict[str, Any]:
    with transaction(runtime.sessions) as session:
        ticket = case_access.find_case_for(session, staff, number, "read", error=_not_in_queue())
        audit.record(session, staff.username, staff.role, "read", ticket.number, via="handoff")
        return staff_view(ticket, runtime.calendar, utcnow())


def suggestions_for(runtime: Runtime, question: str | None) -> SearchResult:
    """Knowledge answers the agent may reuse for the resident's latest question."""
    if runtime.knowledge is None or not question:
        return SearchResult(query=question or "", confident=False, hits=[])
    return runtime.knowledge.search(question, k=SUGGESTED_ANSWERS)


def audit_ticket(runtime: Runtime, staff: Staff, number: str | None, action: str, **detail: Any) -> None:
    """Record an agent's action on the conversation's ticket; the first reply assigns it to the agent. Refused
    before anything is sent when the agent may not work the ticket."""
    with transaction(runtime.sessions) as session:
        ticket = _conversation_ticket(session, staff, number, action, for_update=True)
        if ticket is None:
            return
        if action == "handoff_reply" and ticket.assigned_to is None:
            ticket.assigned_to = staff.username
        audit.record(session, staff.username, staff.role, action, ticket.number, **detail)


def archive(runtime: Runtime, staff: Staff, conversation: Conversation, lines: list[Line], resolve: bool) -> None:
    """Make sure every handed-off message is with the ticket (masked) and, when resolving, close it."""
    action = "handoff_resolve" if resolve else "handoff_release"
    with transaction(runtime.sessions) as session:
        ticket = _conversation_ticket(session, staff, conversation.ticket, action, for_update=True)
        if ticket is None:
            return
        # Most lines are there already (kept as they happened); this adds any whose write failed.
        add_to_ticket(session, ticket.number, lines)
        if resolve and ticket.status != "resolved":
            change_status(session, ticket, "resolved", staff.username, staff.role, "人工坐席在线办结")
        audit.record(session, staff.username, staff.role, action, ticket.number)


async def close_handoff(app: FastAPI, runtime: Runtime, staff: Staff, sender: str, *, resolve: bool) -> Conversation:
    """Archive the handed-off part with the ticket, then either resolve the ticket and ask the resident for
    stars, or hand the conversation back to the assistant with the ticket left open (e.g. dispatched)."""
    hub: HandoffHub = app.state.handoff
    conversation = await held_conversation(hub, sender)
    lines = await hub.lines(sender, conversation.start_seq)
    await run_in_threadpool(archive, runtime, staff, conversation, lines, resolve)
    if resolve:
        line = await hub.ask_rating(conversation, RATING_PROMPT, RATING_BUTTONS)
    else:
        line = await hub.hand_back(conversation, HANDED_BACK)
    await send_to_channel(app, conversation, [line])
    return conversation


def dispatch_ticket(
    session: Session,
    categories: dict[str, Category],
    number: str,
    category: str,
    subcategory: str,
    department: str | None,
    staff: Staff,
) -> Ticket:
    """Send the ticket to a department under a level-1/level-2 category; the level-1 category's first
    department unless one is named (it must be the category's or one of the catalogue's)."""
    entry = categories.get(category)
    if entry is None:
        raise ApiError(422, "unknown_category", f"一级分类“{category}”不在分类表中")
    if subcategory not in entry.level2:
        raise ApiError(422, "unknown_subcategory", f"二级分类“{subcategory}”不属于“{category}”")
    # An agent of a department may send its ticket to another department, not take one (api/case_access.py).
    ticket = case_access.find_case_for(session, staff, number, "dispatch", for_update=True)
    if not isinstance(ticket, Ticket):
        raise ApiError(422, "not_a_ticket", "只有12345工单可以派单")
    department = department or entry.departments[0]
    catalogue = set(session.scalars(select(Service.department).distinct()))
    if department not in entry.departments and department not in catalogue:
        raise ApiError(422, "unknown_department", f"承办部门“{department}”不在部门列表中")
    if ticket.status != "dispatched":
        change_status(session, ticket, "dispatched", staff.username, staff.role, department)
    ticket.category, ticket.subcategory = category, subcategory
    ticket.department = department
    ticket.routed_by = staff.username
    note_correction(session, ticket, staff.username)
    ticket.updated_at = utcnow()
    audit.record(
        session,
        staff.username,
        staff.role,
        "dispatch",
        ticket.number,
        department=department,
        category=category,
        subcategory=subcategory,
    )
    return ticket
