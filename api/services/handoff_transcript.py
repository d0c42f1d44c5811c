"""The handed-off part of a conversation, kept with its 12345 ticket as it happens.

Every line the hub records (resident, agent, system) is written to `Ticket.transcript` at once, masked, so
staff reading the ticket see what the resident wrote while they wait, and a gateway restart (in-process
hub) loses nothing. An entry carries the line's `seq`: closing the handoff merges the hub's lines again
and adds only the ones missing (a write that failed), in their order, so nothing is doubled.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import audit
from api.cases import find_case
from api.db import transaction
from api.errors import ApiError
from api.handoff import Conversation, Line
from api.models import Case, Ticket
from api.replies import WITHDRAWN_NOTE
from api.runtime import Runtime
from contract.personal_data import mask_text

logger = logging.getLogger(__name__)


def entry(line: Line) -> dict[str, Any]:
    return {
        "role": line.role,
        "text": mask_text(line.text),
        "at": datetime.fromtimestamp(line.at, UTC).isoformat(),
        "seq": line.seq,
    }


def merged(transcript: list[Any], lines: list[Line]) -> list[Any]:
    """The transcript with the lines it does not hold yet, each before the first entry of a later line
    (two lines written at the same moment may arrive in either order)."""
    result = list(transcript)
    present = {item.get("seq") for item in result if isinstance(item, dict)}
    for line in sorted(lines, key=lambda line: line.seq):
        if line.seq in present:
            continue
        later = (i for i, item in enumerate(result) if isinstance(item, dict) and item.get("seq", 0) > line.seq)
        result.insert(next(later, len(result)), entry(line))
        present.add(line.seq)
    return result


def add_to_ticket(session: Session, number: str, lines: list[Line], note: str | None = None) -> Case:
    """Merge the lines (and a system note for staff) into the ticket's transcript; the case, locked."""
    ticket = find_case(session, number, for_update=True)
    if isinstance(ticket, Ticket):
        transcript = merged(ticket.transcript, lines)
        if note is not None:
            transcript.append({"role": "system", "text": note, "at": datetime.now(UTC).isoformat()})
        ticket.transcript = transcript  # a new list: SQLAlchemy sees the JSON column changed
    return ticket


def keep_lines(runtime: Runtime, number: str, lines: list[Line]) -> None:
    with transaction(runtime.sessions) as session:
        add_to_ticket(session, number, lines)


async def keep_line(runtime: Runtime, conversation: Conversation, line: Line) -> None:
    """The hub's line keeper. A failed write is logged, not raised: the line stays in the hub, and closing
    the handoff adds it to the ticket then."""
    if conversation.ticket is None:
        return
    try:
        await run_in_threadpool(keep_lines, runtime, conversation.ticket, [line])
    except (SQLAlchemyError, ApiError) as exc:
        logger.warning("handoff line not kept with the ticket yet: %s", type(exc).__name__)


def record_withdrawal(runtime: Runtime, conversation: Conversation) -> None:
    """The resident took the handoff back: a note for staff in the transcript, and the audit entry."""
    if conversation.ticket is None:
        return
    with transaction(runtime.sessions) as session:
        add_to_ticket(session, conversation.ticket, [], note=WITHDRAWN_NOTE)
        audit.record(session, conversation.sender, audit.RESIDENT, "handoff_withdrawn", conversation.ticket)
