"""A resident whose conversation is with the 12345 agents (api/handoff.py): what each message gets back.

While the handoff waits for an agent, every message is acknowledged (the first one fully, saying when a
person will read it outside working hours; later ones briefly, never the same sentence twice in a row),
and the resident may take the handoff back with a short 算了 / 不用了. Once an agent has replied, the agent
answers: the gateway stays quiet, and 不用了 is an answer to the agent, not a withdrawal.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.handoff import WAITING, Conversation, HandoffHub
from api.models import utcnow
from api.replies import ACKNOWLEDGEMENT, STILL_WAITING, after_hours, opening_text, withdrawn
from api.runtime import Runtime
from api.services.handoff_transcript import record_withdrawal

# The whole message must be one of these (with a polite word around it): "算了，我还是等等吧" or a long
# sentence that merely contains 算了 stays with the agent.
_WITHDRAW = re.compile(
    r"^(那|那就|还是|哦|噢|嗯)?"
    r"((算了|不用了|不需要了|不要了|取消|不用人工了|不需要人工了|不要人工了|取消人工|取消人工服务|我自己看看|我自己再看看)"
    r"(吧|啊|呀|哈)?){1,3}(谢谢|谢谢了|谢谢你)?$"
)
_NOISE = re.compile(r"[\s,，.。!！~～、…]+")


def wants_to_withdraw(text: str) -> bool:
    return _WITHDRAW.match(_NOISE.sub("", text)) is not None


def acknowledgement(runtime: Runtime, count: int) -> str:
    """The answer to the resident's `count`-th message while waiting (1 = the first)."""
    if count > 1:
        return STILL_WAITING[count % len(STILL_WAITING)]
    settings = runtime.settings
    now = utcnow()
    opening = runtime.calendar.next_opening(now, settings.agent_hours_start, settings.agent_hours_end)
    return ACKNOWLEDGEMENT if opening is None else after_hours(opening_text(now, opening))


async def while_handed_off(
    app: FastAPI, conversation: Conversation, channel: str, text: str, shown: str
) -> list[dict[str, Any]]:
    """`text` as typed (or the pressed button's payload), `shown` as the resident saw it (the title)."""
    hub: HandoffHub = app.state.handoff
    runtime: Runtime = app.state.runtime
    waiting = conversation.state == WAITING
    count = await hub.from_resident(conversation, channel, shown)
    if waiting and wants_to_withdraw(text):
        await hub.withdraw(conversation)
        await run_in_threadpool(record_withdrawal, runtime, conversation)
        return [{"text": withdrawn(conversation.ticket)}]
    if waiting or count == 1:
        return [{"text": acknowledgement(runtime, count)}]
    return []
