"""The assistant's turn log: one `assistant_turns` row per resident message the assistant answered.

The outcome comes from the markers the actions add to their replies (contract/turns.py), taken out of the
replies by api/rasa_client.py. Questions the assistant could not answer also go to the unanswered-question
inbox (api/services/unanswered.py). Both are written after the reply has gone out, in a background task:
the resident never waits for the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from api.db import transaction
from api.metrics import CHAT_TURNS
from api.models import AssistantTurn, utcnow
from api.runtime import Runtime
from api.services import unanswered
from contract.turns import TurnMark, turn_outcome

logger = logging.getLogger(__name__)


def sender_hash(key: str, sender: str) -> str:
    """A keyed hash of the sender: the same resident counts once, yet no raw id is kept."""
    return hmac.new(key.encode(), b"turn:" + sender.encode(), hashlib.sha256).hexdigest()


def write_turn(
    runtime: Runtime, channel: str, sender: str, marks: list[TurnMark], latency_ms: int, at: datetime
) -> None:
    outcome = turn_outcome(marks)
    with transaction(runtime.sessions) as session:
        session.add(
            AssistantTurn(
                at=at,
                channel=channel[:16],
                sender_hash=sender_hash(runtime.settings.pii_key, sender),
                outcome=outcome.outcome,
                latency_ms=latency_ms,
                service=outcome.service,
            )
        )
    for mark in marks:
        if mark.question and not mark.question.startswith("/"):  # a button's payload is no question
            unanswered.keep(runtime.sessions, mark.question, at)


class TurnLog:
    """Writes turns in the background; `drain` waits for those still being written (shutdown, tests)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._pending: set[asyncio.Task[None]] = set()

    def record(self, channel: str, sender: str, marks: list[TurnMark], latency_ms: int) -> None:
        CHAT_TURNS.labels(channel, turn_outcome(marks).outcome).inc()
        task = asyncio.create_task(self._write(channel, sender, marks, latency_ms, utcnow()))
        self._pending.add(task)  # a task nobody references may be garbage-collected before it runs
        task.add_done_callback(self._pending.discard)

    async def _write(self, channel: str, sender: str, marks: list[TurnMark], latency_ms: int, at: datetime) -> None:
        try:
            await run_in_threadpool(write_turn, self._runtime, channel, sender, marks, latency_ms, at)
        except Exception:  # the log must never break a conversation; the error is logged with its trace
            logger.exception("assistant turn not recorded")

    async def drain(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
