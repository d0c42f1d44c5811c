"""Human handoff over HTTP: the widget's stream of agent messages, and the 12345 agent console's API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, StringConstraints
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api import audit
from api.case_views import staff_view, summary_view
from api.cases import change_status, find_case
from api.db import transaction
from api.deps import AgentDep, ResidentLimit, RuntimeDep, Staff
from api.errors import ApiError
from api.handoff import (
    AGENTS_TOPIC,
    IN_QUEUE,
    WAITING,
    Conversation,
    HandoffHub,
    Line,
    resident_topic,
    send_to_channel,
)
from api.models import Service, Ticket, utcnow
from api.runtime import Runtime
from contract.personal_data import mask_text
from knowledge.settings import KnowledgeSettings

resident_router = APIRouter(prefix="/api/handoff", tags=["handoff"], dependencies=[ResidentLimit])
router = APIRouter(prefix="/api/staff/handoff", tags=["handoff"])

SenderPath = Annotated[str, Path(min_length=1, max_length=128)]
SenderQuery = Annotated[str, Query(min_length=1, max_length=128)]
ReplyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

# How long a resident may wait for the first agent reply before the queue shows a yellow / red card.
WAIT_YELLOW_SECONDS = 2 * 60
WAIT_RED_SECONDS = 5 * 60
RATING_PROMPT = "本次人工服务已办结。请为我们的服务打分（1-5分），您的评价会帮助我们改进。"
RATING_BUTTONS = [
    {"title": title, "payload": str(stars)}
    for stars, title in ((5, "5分 非常满意"), (4, "4分 满意"), (3, "3分 一般"), (2, "2分 不满意"), (1, "1分 很不满意"))
]
UNDELIVERED = (
    "上一条回复没有送达居民（渠道发送失败；微信只能在居民最近一次留言后48小时内回复）。"
    "请改用电话联系，或等居民再次留言后重发。"
)
HANDED_BACK = "人工客服已结束本次对话，接下来由智能助手继续为您服务。如需人工帮助，可以随时说“转人工”。"


class Reply(BaseModel):
    text: ReplyText


class Resolution(BaseModel):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Dispatch(BaseModel):
    category: CategoryName
    subcategory: CategoryName
    department: CategoryName | None = None


def hub_of(request: Request) -> HandoffHub:
    hub: HandoffHub = request.app.state.handoff
    return hub


async def held_conversation(hub: HandoffHub, sender: str) -> Conversation:
    conversation = await hub.conversation(sender)
    if conversation is None or conversation.state not in IN_QUEUE:
        raise ApiError(404, "conversation_not_found", "该会话不在人工队列中（可能已办结或已转回智能助手）")
    return conversation


def load_categories() -> dict[str, dict[str, list[str]]]:
    """Level-1 name -> {departments, level2} from the project's knowledge/categories.yaml."""
    path = KnowledgeSettings.from_env().categories_file
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        name: {"departments": list(entry.get("departments", [])), "level2": list(entry.get("level2", []))}
        for name, entry in (data.get("categories") or {}).items()
    }


# Resident side -------------------------------------------------------------------------------------


@resident_router.get("/messages")
async def messages(request: Request, sender: SenderQuery, after: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Polling alternative to the stream: agent and system lines after `after`, and the state."""
    hub = hub_of(request)
    conversation = await hub.conversation(sender)
    lines = [line.public() for line in await hub.lines(sender, after) if line.role != "resident"]
    return {"state": conversation.state if conversation else "bot", "lines": lines}


@resident_router.get("/stream", response_class=EventSourceResponse)
async def stream(
    request: Request,
    sender: SenderQuery,
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


def open_tickets(runtime: Runtime) -> list[dict[str, Any]]:
    now = utcnow()
    with transaction(runtime.sessions) as session:
        tickets = session.scalars(
            select(Ticket).where(Ticket.status.in_(("open", "dispatched"))).order_by(Ticket.created_at).limit(200)
        )
        return [
            {
                **summary_view(t, runtime.calendar, now),
                "summary": mask_text(t.summary),
                "age_seconds": int((now - t.created_at).total_seconds()),
            }
            for t in tickets
        ]


@router.get("/queue")
async def queue(request: Request, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Conversations waiting for or held by an agent (oldest first), and the open tickets."""
    hub = hub_of(request)
    now = time.time()
    rows = []
    for conversation in await hub.queue():
        lines = await hub.lines(conversation.sender, conversation.start_seq)
        last = next((line for line in reversed(lines) if line.role == "resident"), None)
        rows.append(conversation_row(conversation, last, now))
    return {"conversations": rows, "tickets": await run_in_threadpool(open_tickets, runtime)}


@router.get("/events", response_class=EventSourceResponse)
async def agent_events(request: Request, staff: AgentDep) -> AsyncIterator[ServerSentEvent]:
    """Live updates for the console: queue changes and new resident messages."""
    hub = hub_of(request)
    async with hub.bus.subscribe(AGENTS_TOPIC) as events:
        yield ServerSentEvent(data={"type": "ready"}, event="update")
        while True:
            yield ServerSentEvent(data=await events.get(), event="update")


@router.get("/categories")
def categories(staff: AgentDep) -> dict[str, Any]:
    return {"categories": load_categories()}


def read_ticket(runtime: Runtime, staff: Staff, number: str) -> dict[str, Any]:
    with transaction(runtime.sessions) as session:
        ticket = find_case(session, number)
        audit.record(session, staff.username, staff.role, "read", ticket.number, via="handoff")
        return staff_view(ticket, runtime.calendar, utcnow())


def suggestions_for(request: Request, question: str | None) -> dict[str, Any]:
    knowledge = request.app.state.knowledge
    if knowledge is None or not question:
        return {"query": question, "confident": False, "hits": []}
    return dict(knowledge.search(question, k=3).to_dict())


@router.get("/conversations/{sender}")
async def conversation_view(
    request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The transcript (the bot part from the ticket, then the handed-off part) and suggested answers."""
    hub = hub_of(request)
    conversation = await held_conversation(hub, sender)
    lines = await hub.lines(sender, conversation.start_seq)
    ticket = await run_in_threadpool(read_ticket, runtime, staff, conversation.ticket) if conversation.ticket else None
    latest = next((line.text for line in reversed(lines) if line.role == "resident"), None)
    question = latest or (ticket or {}).get("summary")
    suggestions = await run_in_threadpool(suggestions_for, request, question)
    return {
        "conversation": conversation_row(conversation, None, time.time()),
        "ticket": ticket,
        "lines": [line.public() for line in lines],
        "suggestions": suggestions,
    }


def audit_ticket(runtime: Runtime, staff: Staff, number: str | None, action: str, **detail: Any) -> None:
    if number is None:
        return
    with transaction(runtime.sessions) as session:
        ticket = find_case(session, number, for_update=True)
        if action == "handoff_reply" and ticket.assigned_to is None:
            ticket.assigned_to = staff.username
        audit.record(session, staff.username, staff.role, action, ticket.number, **detail)


@router.post("/conversations/{sender}/reply")
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
        # Residents outside the web widget never read the stream, so in practice only agents see it.
        await hub.system_line(conversation, UNDELIVERED)
    return {**line.public(), "delivered": delivered is not False}


def archive(runtime: Runtime, staff: Staff, conversation: Conversation, lines: list[Line], resolve: bool) -> None:
    """Keep the handed-off messages with the ticket (masked) and, when resolving, close the ticket."""
    if conversation.ticket is None:
        return
    with transaction(runtime.sessions) as session:
        ticket = find_case(session, conversation.ticket, for_update=True)
        archived = [
            {"role": line.role, "text": mask_text(line.text), "at": datetime.fromtimestamp(line.at, UTC).isoformat()}
            for line in lines
        ]
        if isinstance(ticket, Ticket):
            ticket.transcript = [*ticket.transcript, *archived]
        if resolve and ticket.status != "resolved":
            change_status(session, ticket, "resolved", staff.username, staff.role, "人工坐席在线办结")
        audit.record(
            session, staff.username, staff.role, "handoff_resolve" if resolve else "handoff_release", ticket.number
        )


@router.post("/conversations/{sender}/resolve")
async def resolve(request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Close the ticket, ask the resident to rate the service, and let the bot answer again afterwards."""
    hub = hub_of(request)
    conversation = await held_conversation(hub, sender)
    lines = await hub.lines(sender, conversation.start_seq)
    await run_in_threadpool(archive, runtime, staff, conversation, lines, True)
    line = await hub.ask_rating(conversation, RATING_PROMPT, RATING_BUTTONS)
    await send_to_channel(request.app, conversation, [line])
    return {"state": conversation.state, "ticket": conversation.ticket}


@router.post("/conversations/{sender}/release")
async def release(request: Request, sender: SenderPath, staff: AgentDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Hand the conversation back to the assistant; the ticket stays open (e.g. dispatched)."""
    hub = hub_of(request)
    conversation = await held_conversation(hub, sender)
    lines = await hub.lines(sender, conversation.start_seq)
    await run_in_threadpool(archive, runtime, staff, conversation, lines, False)
    line = await hub.hand_back(conversation, HANDED_BACK)
    await send_to_channel(request.app, conversation, [line])
    return {"state": "bot", "ticket": conversation.ticket}


@router.post("/tickets/{number}/dispatch")
def dispatch(
    number: Annotated[str, Path(max_length=24)], body: Dispatch, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Send the ticket to a department under a level-1/level-2 category of knowledge/categories.yaml."""
    known = load_categories()
    entry = known.get(body.category)
    if entry is None:
        raise ApiError(422, "unknown_category", f"一级分类“{body.category}”不在分类表中")
    if body.subcategory not in entry["level2"]:
        raise ApiError(422, "unknown_subcategory", f"二级分类“{body.subcategory}”不属于“{body.category}”")
    with transaction(runtime.sessions) as session:
        ticket = find_case(session, number, for_update=True)
        if not isinstance(ticket, Ticket):
            raise ApiError(422, "not_a_ticket", "只有12345工单可以派单")
        department = body.department or entry["departments"][0]
        catalogue = set(session.scalars(select(Service.department).distinct()))
        if department not in entry["departments"] and department not in catalogue:
            raise ApiError(422, "unknown_department", f"承办部门“{department}”不在部门列表中")
        if ticket.status != "dispatched":
            change_status(session, ticket, "dispatched", staff.username, staff.role, department)
        ticket.category = f"{body.category}/{body.subcategory}"
        ticket.department = department
        ticket.updated_at = utcnow()
        audit.record(
            session,
            staff.username,
            staff.role,
            "dispatch",
            ticket.number,
            department=department,
            category=ticket.category,
        )
        return staff_view(ticket, runtime.calendar, utcnow())
