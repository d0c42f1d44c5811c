"""One resident message from any channel (web widget, WeChat, `POST /api/chat`) to whoever answers it.

Normally that is the Rasa assistant. Once a conversation is handed off to a 12345 agent, the handoff hub
(api/handoff.py) takes the resident's messages instead (api/waiting.py answers them), and agent replies go
out through the channel (the widget's stream, or `app.state.outbound[channel]`). After the agent resolves
the ticket, the resident's next message is read as the 1-5 star rating if it is one (the same parser as
the chat's rating form, contract/ratings.py).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.db import transaction
from api.handoff import RATING, Conversation, HandoffHub
from api.models import Case, Evaluation
from api.outage import keep_for_agents
from api.rasa_client import AssistantReply
from api.replies import (
    LOW_RATING_REOPEN,
    LOW_RATING_STARS,
    NOT_ANSWERED,
    NOT_ANSWERED_BUTTONS,
    NOT_TAKEN,
    NOTHING_RECEIVED,
    THANKS_FOR_RATING,
    reopen_buttons,
    too_long,
)
from api.runtime import Runtime
from api.waiting import while_handed_off
from contract.limits import MAX_LETTER_CHARS
from contract.ratings import parse_stars
from knowledge.emergencies import emergency_advice


def record_rating(runtime: Runtime, conversation: Conversation, stars: int) -> bool:
    """Store the stars for the conversation's case; whether the case is resolved and may be sent back to be done
    again (a low rating then offers it)."""
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
        return case is not None and case.is_closed and case.SPEC.reopenable


async def converse(
    app: FastAPI, channel: str, sender: str, text: str, shown: str | None = None
) -> list[dict[str, Any]]:
    """The replies to show the resident now (possibly none while an agent has the conversation).

    `text` goes to the assistant (a button's payload when one was pressed); `shown` is what the resident saw
    (the button's title), which is what agents read in the transcript. A message that tells of a danger
    ("闻到煤气味", "电梯困人了") first gets whom to call now, whoever answers the rest: a case takes days.
    """
    text = text.strip()
    replies = await _answer(app, channel, sender, text, shown)
    advice = emergency_advice(text)
    return [{"text": advice}, *replies] if advice else replies


async def _answer(app: FastAPI, channel: str, sender: str, text: str, shown: str | None) -> list[dict[str, Any]]:
    if not text:
        return [{"text": NOTHING_RECEIVED}]
    if len(text) > MAX_LETTER_CHARS:
        cut = [{"text": too_long(MAX_LETTER_CHARS)}]
        return cut + await _answer(app, channel, sender, text[:MAX_LETTER_CHARS], shown)
    hub: HandoffHub = app.state.handoff
    conversation = await hub.conversation(sender)
    if conversation is not None and conversation.state != RATING:
        return await while_handed_off(app, conversation, channel, text, (shown or "").strip() or text)
    if conversation is not None:
        await hub.finish(sender)
        stars = parse_stars(text)
        if stars is not None:
            reopenable = await run_in_threadpool(record_rating, app.state.runtime, conversation, stars)
            if reopenable and conversation.ticket and stars <= LOW_RATING_STARS:
                return [{"text": LOW_RATING_REOPEN, "buttons": reopen_buttons(conversation.ticket)}]
            return [{"text": THANKS_FOR_RATING}]
    started = time.monotonic()
    reply: AssistantReply = await app.state.rasa.exchange(sender, text, {"channel": channel})
    app.state.turn_log.record(channel, sender, reply.marks, round((time.monotonic() - started) * 1000))
    if reply.unavailable:
        return await keep_for_agents(app, channel, sender, text, (shown or "").strip() or text) or reply.messages
    if reply.action_failed:
        # Said whatever was said before the failure, and that this message was not taken (to send it again).
        return reply.messages + [{"text": NOT_TAKEN}] if reply.messages else await not_answered(app, sender, NOT_TAKEN)
    if reply.messages:
        return reply.messages
    return await not_answered(app, sender)


async def not_answered(app: FastAPI, sender: str, notice: str | None = None) -> list[dict[str, Any]]:
    """The assistant said nothing. After a /restart, or when Rasa's loop guard stopped a run of actions,
    its tracker waits for no message (no action_listen follows) and every later message would get nothing
    too: appending action_listen repairs it, and the resident gets an answer now (`notice` when the reason
    is known)."""
    hub: HandoffHub = app.state.handoff
    held = await hub.conversation(sender)
    if held is not None and held.state != RATING:
        return []  # handed over while Rasa was answering: the agents answer from now on
    await app.state.rasa.listen(sender)
    return [{"text": notice}] if notice else [{"text": NOT_ANSWERED, "buttons": NOT_ANSWERED_BUTTONS}]
