"""12345 hotline tickets filed by the assistant on escalation (internal: service token)."""

from __future__ import annotations

from anyio import from_thread
from fastapi import APIRouter, Request

from api.cases import file_case
from api.db import transaction
from api.deps import RuntimeDep, ServiceTokenDep
from api.models import Ticket
from api.schemas import CaseCreated, TicketCreate

router = APIRouter(prefix="/api", tags=["tickets"])


def new_ticket(body: TicketCreate, origin: str) -> Ticket:
    return Ticket(
        summary=body.summary,
        origin=origin,
        sender=body.sender,
        channel=body.channel,
        contact_phone=body.phone,
        contact_name=body.name,
        category=body.category,
        department=body.department,
        service=body.service,
        transcript=[line.model_dump(mode="json") for line in body.transcript],
        suggestions=body.suggestions,
    )


@router.post("/tickets", status_code=201, response_model=CaseCreated, dependencies=[ServiceTokenDep])
def escalate(body: TicketCreate, runtime: RuntimeDep, request: Request) -> CaseCreated:
    with transaction(runtime.sessions) as session:
        ticket = new_ticket(body, origin="bot")
        file_case(session, ticket, runtime.settings, runtime.calendar, actor="assistant", role="system")
        created = CaseCreated.of(ticket)
    if body.sender:
        # The resident now waits for an agent; this route runs in a worker thread, the hub on the event loop.
        from_thread.run(request.app.state.handoff.escalate, body.sender, body.channel, created.number)
    return created
