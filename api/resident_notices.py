"""Telling a resident about one of their cases when nobody is chatting: a grid officer's update of an incident,
a department's progress report. One place for every such message, whatever the case kind.

The widget (and API clients) read the handoff stream, so the line is recorded there; a WeChat resident gets a
customer-service message through the channel's outbound sender, as agent replies do.
"""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI

from api.handoff import RATING, Conversation, HandoffHub, send_to_channel
from api.replies import RATING_BUTTONS, reopen_buttons
from contract.personal_data import mask_text

logger = logging.getLogger(__name__)


async def tell_resident(
    app: FastAPI, sender: str | None, channel: str, text: str, buttons: list[dict[str, str]] | None = None
) -> bool | None:
    """Send `text` to the resident who filed a case from `channel`.

    True or False: whether a pushed channel (WeChat) took the message; None: the resident reads the stream
    (web widget, API) and the line waits there. False also when the case has no sender to reach.
    """
    if not sender:
        return False
    hub: HandoffHub = app.state.handoff
    line = await hub.notice(sender, text, buttons)
    # send_to_channel reads only the sender and channel of the conversation.
    delivered = await send_to_channel(app, Conversation(sender, channel, "notice", None, time.time()), [line])
    if delivered is False:
        logger.warning("case notice not delivered", extra={"channel": channel, "text": mask_text(text)[:40]})
    return delivered


async def rating_asked(app: FastAPI, sender: str | None, channel: str, number: str) -> bool:
    """Read the resident's next message as the rating of case `number` (api/conversation.py), as after an agent's
    handover; not while they are talking with an agent or waiting for one (False then, and without a sender)."""
    hub: HandoffHub = app.state.handoff
    if not sender or await hub.conversation(sender) is not None:
        return False
    await hub.store.put(Conversation(sender, channel, RATING, number, time.time()))
    return True


async def tell_resolved(app: FastAPI, sender: str | None, channel: str, number: str, text: str) -> bool | None:
    """The resolution of a case the resident may send back (回访): `text` with the star buttons (their next message
    is read as the rating) and 不满意，申请重办; without the stars while they talk with an agent."""
    rated = await rating_asked(app, sender, channel, number)
    buttons = [*RATING_BUTTONS, *reopen_buttons(number)] if rated else reopen_buttons(number)
    return await tell_resident(app, sender, channel, text, buttons)


async def tell_outcome(
    app: FastAPI, sender: str | None, channel: str, number: str, text: str, redo: bool
) -> bool | None:
    """A case's outcome: with 回访 (`tell_resolved`) when it is a resolution the resident may send back (`redo`),
    else the line alone."""
    if redo:
        return await tell_resolved(app, sender, channel, number, text)
    return await tell_resident(app, sender, channel, text)
