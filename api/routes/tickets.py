"""12345 hotline tickets filed by the assistant on escalation (internal: service token)."""

from __future__ import annotations

from anyio import from_thread
from fastapi import APIRouter, Request, Response

from api.case_views import receipt
from api.deps import RuntimeDep, ServiceTokenDep, SessionDep
from api.schemas import TicketCreate
from api.services.filing import file_ticket
from contract.receipts import CaseReceipt

router = APIRouter(prefix="/api", tags=["tickets"])


@router.post(
    "/tickets",
    status_code=201,
    response_model=CaseReceipt,
    dependencies=[ServiceTokenDep],
    responses={200: {"model": CaseReceipt, "description": "the same sender filed the same summary a moment ago"}},
)
def escalate(
    body: TicketCreate, runtime: RuntimeDep, session: SessionDep, request: Request, response: Response
) -> CaseReceipt:
    """201 and a new ticket; 200 and the existing ticket's receipt when the same sender filed the same summary
    (whitespace collapsed) within FILING_DEDUPE_MINUTES. A repeat does not restart a handoff in progress."""
    ticket, created = file_ticket(session, runtime, body, origin="bot", actor="assistant", role="system")
    # Stored before the resident is queued, so an agent who opens the conversation finds the ticket.
    session.commit()
    if not created:
        response.status_code = 200
    if body.sender and (created or not _queued(request, body.sender, ticket.number)):
        # The resident now waits for an agent; this route runs in a worker thread, the hub on the event loop.
        from_thread.run(request.app.state.handoff.escalate, body.sender, body.channel, ticket.number)
    return receipt(ticket)


def _queued(request: Request, sender: str, number: str) -> bool:
    """The resident is already in the handoff for this ticket (waiting or with an agent): not queued again, which
    would drop the conversation an agent may have started."""
    conversation = from_thread.run(request.app.state.handoff.conversation, sender)
    return conversation is not None and conversation.ticket == number
