"""One resident message from any channel (web widget, WeChat, `POST /api/chat`) to whoever answers it.

Normally that is the Rasa assistant. Once a conversation is handed off to a 12345 agent, the handoff hub
(api/handoff.py) takes the resident's messages instead, and agent replies go out through the channel
(the widget's stream, or `app.state.outbound[channel]`). After the agent resolves the ticket, the
resident's next message is read as the 1-5 star rating if it is one (the same parser as the chat's
rating form, contract/ratings.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.db import transaction
from api.handoff import RATING, Conversation, HandoffHub
from api.models import Case, Evaluation
from api.replies import ACKNOWLEDGEMENT, THANKS_FOR_RATING
from api.runtime import Runtime
from contract.ratings import parse_stars


def record_rating(runtime: Runtime, conversation: Conversation, stars: int) -> None:
    with transaction(runtime.sessions) as session:
        case = session.scalars(select(Case).where(Case.number == conversation.ticket)).first()
        session.add(
            Evaluation(
                case_number=conversation.ticket,
                service=case.service if case else None,
                stars=stars,
                sender=conversation.sender,
                comment=None,
            )
        )


async def converse(app: FastAPI, channel: str, sender: str, text: str) -> list[dict[str, Any]]:
    """The replies to show the resident now (possibly none while an agent has the conversation)."""
    hub: HandoffHub = app.state.handoff
    conversation = await hub.conversation(sender)
    if conversation is not None and conversation.state != RATING:
        first = await hub.from_resident(conversation, channel, text)
        return [{"text": ACKNOWLEDGEMENT}] if first else []
    if conversation is not None:
        await hub.finish(sender)
        stars = parse_stars(text)
        if stars is not None:
            await run_in_threadpool(record_rating, app.state.runtime, conversation, stars)
            return [{"text": THANKS_FOR_RATING}]
    replies: list[dict[str, Any]] = await app.state.rasa.send(sender, text, {"channel": channel})
    return replies
