"""The assistant (Rasa) does not answer: the resident's message is not lost but goes to the 12345 agents.

It is filed as a hotline ticket (its text the summary) and the resident is queued for an agent, as when the
assistant escalates; later messages then reach the agents too (api/waiting.py), until Rasa is back and an
agent resolves or releases the conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.db import transaction
from api.errors import ApiError
from api.handoff import HandoffHub
from api.replies import assistant_down
from api.runtime import Runtime
from api.schemas import TicketCreate
from api.services.filing import file_ticket
from api.waiting import while_handed_off

logger = logging.getLogger(__name__)


def _file(runtime: Runtime, channel: str, sender: str, text: str) -> str:
    with transaction(runtime.sessions) as session:
        body = TicketCreate(summary=text, sender=sender, channel=channel)
        ticket, _ = file_ticket(session, runtime, body, origin="bot", actor="assistant", role="system")
        return ticket.number


async def keep_for_agents(app: FastAPI, channel: str, sender: str, text: str, shown: str) -> list[dict[str, Any]]:
    """The replies for the resident; empty when the message could not be kept either (the database is down
    too), so that the caller shows the plain apology with the hotline number."""
    hub: HandoffHub = app.state.handoff
    try:
        number = await run_in_threadpool(_file, app.state.runtime, channel, sender, shown)
    except (SQLAlchemyError, ApiError) as exc:
        logger.error("message not kept while the assistant is down: %s", type(exc).__name__)
        return []
    conversation = await hub.escalate(sender, channel, number)
    acknowledged = await while_handed_off(app, conversation, channel, text, shown)
    return [{"text": assistant_down(number)}, *acknowledged]
