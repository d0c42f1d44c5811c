"""Human handoff over HTTP: the widget's stream of agent messages, and the 12345 agent console's API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, StringConstraints
from starlette.concurrency import run_in_threadpool

from api.case_views import staff_view
from api.deps import AgentDep, ResidentLimit, RuntimeDep, SessionDep
from api.handoff import AGENTS_TOPIC, HandoffHub, resident_topic, send_to_channel
from api.models import utcnow
from api.replies import UNDELIVERED
from api.schemas import (
    CategoryTable,
    ConversationDetail,
    HandoffClosed,
    HandoffQueue,
    ReplySent,
    StaffCaseView,
)
from api.senders import SENDER_REFUSED, WebSenderQuery
from api.services import supervision
from api.services.handoff import (
    audit_ticket,
    close_handoff,
    conversation_row,
    dispatch_ticket,
    held_conversation,
    open_tickets,
    read_ticket,
    suggestions_for,
    visible_conversations,
)

resident_router = APIRouter(prefix="/api/handoff", tags=["handoff"], dependencies=[ResidentLimit])
router = APIRouter(prefix="/api/staff/handoff", tags=["handoff"])

SenderPath = Annotated[str, Path(min_length=1, max_length=128)]
ReplyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class Reply(BaseModel):
    text: ReplyText


class Dispatch(BaseModel):
    category: CategoryName
    subcategory: CategoryName
    department: CategoryName | None = None


def hub_of(request: Request) -> HandoffHub:
    hub: HandoffHub = request.app.state.handoff
    return hub


# Resident side -------------------------------------------------------------------------------------


@resident_router.get("/messages", responses=SENDER_REFUSED)
async def messages(request: Request, sender: WebSenderQuery, after: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Polling alternative to the stream: agent and system lines after `after`, and the state."""
    hub = hub_of(request)
    conversation = await hub.conversation(sender)
    lines = [line.public() for line in await hub.lines(sender, after) if line.role != "resident"]
    return {"state": conversation.state if conversation else "bot", "lines": lines}


@resident_router.get("/stream", response_class=EventSourceResponse, responses=SENDER_REFUSED)
async def stream(
    request: Request,
    sender: WebSenderQuery,
    after: Annotated[int, Query(ge=0)] = 0,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events with agent replies for the widget; replays what a reconnecting client missed."""
    hub = hub_of(request)
    seen = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    async with hub.bus.subscribe(resident_topic(sender)) as events:
        # Subscribed before reading the transcript, so nothing falls between the two.
        for line in await hub.lines(sender, seen):
            if line.role != "resident":
                yield ServerSentEvent(data=line.public(), event="line", id=str(line.seq))
            seen = line.seq
        while True:
            event = await events.get()
            line_data = event["line"]
            if line_data["seq"] > seen:
                seen = line_data["seq"]
                yield ServerSentEvent(data=line_data, event="line", id=str(seen))


# Agent side ----------------------------------------------------------------------------------------


@router.get("/queue", response_model=HandoffQueue)
async def queue(request: Request, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Conversations waiting for or held by an agent (oldest first), and the open tickets: of the tickets the
    agent may see (api/case_access.py)."""
    hub = hub_of(request)
    now = time.time()
    rows = []
    for conversation in await run_in_threadpool(visible_conversations, runtime, staff, await hub.queue()):
        lines = await hub.lines(conversation.sender, conversation.start_seq)
        last = next((line for line in reversed(lines) if line.role == "resident"), None)
        rows.append(conversation_row(conversation, last, now))
    return {"conversations": rows, "tickets": await run_in_threadpool(open_tickets, runtime, staff)}


@router.get("/events", response_class=EventSourceResponse)
async def agent_events(request: Request, staff: AgentDep) -> AsyncIterator[ServerSentEvent]:
    """Live updates for the console: queue changes, new resident messages, and 督办 of the agent's department
    (every 督办 for supervisors)."""
    hub = hub_of(request)
    async with hub.bus.subscribe(AGENTS_TOPIC) as events:
        yield ServerSentEvent(data={"type": "ready"}, event="update")
        while True:
            event = await events.get()
            if supervision.reaches(event, staff):
                yield ServerSentEvent(data=event, event="update")


@router.get("/categories", response_model=CategoryTable)
def categories(staff: AgentDep, runtime: RuntimeDep) -> CategoryTable:
    return CategoryTable.model_validate({"categories": runtime.categories}, from_attributes=True)


@router.get("/conversations/{sender}", response_model=ConversationDetail, response_model_exclude_unset=True)
async def conversation_view(
    request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The transcript (the bot part from the ticket, then the handed-off part) and suggested answers."""
    hub = hub_of(request)
    conversation = await held_conversation(hub, sender)
    lines = await hub.lines(sender, conversation.start_seq)
    ticket = await run_in_threadpool(read_ticket, runtime, staff, conversation.ticket) if conversation.ticket else None
    if ticket is not None and isinstance(ticket.get("transcript"), list):
        # This handoff's lines are kept with the ticket as they happen; they are shown once, from `lines`.
        ticket["transcript"] = [e for e in ticket["transcript"] if e.get("seq", 0) <= conversation.start_seq]
    latest = next((line.text for line in reversed(lines) if line.role == "resident"), None)
    question = latest or (ticket or {}).get("summary")
    return {
        "conversation": conversation_row(conversation, None, time.time()),
        "ticket": ticket,
        "lines": [line.public() for line in lines],
        "suggestions": await run_in_threadpool(suggestions_for, runtime, question),
    }


@router.post("/conversations/{sender}/reply", response_model=ReplySent)
async def reply(
    request: Request, sender: SenderPath, body: Reply, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    hub = hub_of(request)
    conversation = await held_conversation(hub, sender)
    await run_in_threadpool(audit_ticket, runtime, staff, conversation.ticket, "handoff_reply")
    line = await hub.from_agent(conversation, staff.username, staff.display_name, body.text)
    delivered = await send_to_channel(request.app, conversation, [line])
    if delivered is False:
        # Kept in the conversation (and so in the ticket's transcript): the agent must not assume it arrived.
        await hub.system_line(conversation, UNDELIVERED)
    return {**line.public(), "delivered": delivered is not False}


@router.post("/conversations/{sender}/resolve", response_model=HandoffClosed)
async def resolve(request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep) -> HandoffClosed:
    """Close the ticket, ask the resident to rate the service, and let the bot answer again afterwards."""
    conversation = await close_handoff(request.app, runtime, staff, sender, resolve=True)
    return HandoffClosed(state=conversation.state, ticket=conversation.ticket)


@router.post("/conversations/{sender}/release", response_model=HandoffClosed)
async def release(request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep) -> HandoffClosed:
    """Hand the conversation back to the assistant; the ticket stays open (e.g. dispatched)."""
    conversation = await close_handoff(request.app, runtime, staff, sender, resolve=False)
    return HandoffClosed(state="bot", ticket=conversation.ticket)


@router.post("/tickets/{number}/dispatch", response_model=StaffCaseView, response_model_exclude_unset=True)
def dispatch(
    number: Annotated[str, Path(max_length=24)],
    body: Dispatch,
    staff: AgentDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Send the ticket to a department under a level-1/level-2 category of knowledge/categories.yaml."""
    ticket = dispatch_ticket(
        session, runtime.categories, number, body.category, body.subcategory, body.department, staff
    )
    return staff_view(ticket, runtime.calendar, utcnow())
