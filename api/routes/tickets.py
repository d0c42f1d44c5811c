"""12345 hotline tickets filed by the assistant on escalation (internal: service token)."""

from __future__ import annotations

from anyio import from_thread
from fastapi import APIRouter, Request

from api.case_views import receipt
from api.deps import RuntimeDep, ServiceTokenDep, SessionDep
from api.schemas import TicketCreate
from api.services.filing import file_ticket
from contract.receipts import CaseReceipt

router = APIRouter(prefix="/api", tags=["tickets"])


@router.post("/tickets", status_code=201, response_model=CaseReceipt, dependencies=[ServiceTokenDep])
def escalate(body: TicketCreate, runtime: RuntimeDep, session: SessionDep, request: Request) -> CaseReceipt:
    ticket = file_ticket(session, runtime, body, origin="bot", actor="assistant", role="system")
    # Stored before the resident is queued, so an agent who opens the conversation finds the ticket.
    session.commit()
    if body.sender:
        # The resident now waits for an agent; this route runs in a worker thread, the hub on the event loop.
        from_thread.run(request.app.state.handoff.escalate, body.sender, body.channel, ticket.number)
    return receipt(ticket)
