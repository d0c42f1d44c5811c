"""The WeChat Official Account channel: one push in, one answer out, delivered exactly once.

WeChat waits 5 seconds for the passive reply and then retries the same push (up to three times), possibly
while the first one is still being answered. The first copy of a push claims it in the channel store; a
retry waits for the first one's outcome and repeats its passive reply, or answers `success` when the answer
goes through the customer-service API (客服消息) because it was not ready within the reply budget. The claim is
a lease its worker renews while answering: if that worker is killed, the claim lapses and the retry answers.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from wechatpy.messages import BaseMessage

from api.channels.wechat_api import CustomerService, mask_openid
from api.channels.wechat_envelope import Envelope
from api.channels.wechat_store import ChannelStore, MemoryChannelStore, RedisChannelStore
from api.channels.wechat_text import Choice, chosen, render
from api.conversation import converse
from api.errors import ApiError
from api.replies import PHOTO_NOT_RECEIVED, TEXT_ONLY, TOO_FAST, WELCOME
from api.runtime import Runtime
from api.senders import wechat_openid, wechat_sender
from api.services import photos
from api.services.photos import PHOTO_SHOWN

logger = logging.getLogger(__name__)

_MEDIA = {"voice", "location", "video", "shortvideo", "link"}
_WELCOMED_EVENTS = {"subscribe", "subscribe_scan"}
_POLL_SECONDS = 0.05
_DRAIN_SECONDS = 10.0
# A pending claim lives this long unless its worker renews it (every third of it) while answering. Shorter than
# the reply budget: a retry waiting on a killed worker's claim sees it lapse and answers the push itself.
_CLAIM_SECONDS = 3

# States of a push in the store: being answered (`pending:<claim>`, one claim per worker that answers it),
# answered passively with this text, or nothing to say passively (the answer, if any, goes through the
# customer-service API).
PENDING = "pending:"
REPLIED = "replied:"
LATER = "later"

# Behind the channel a resident is `wx:<openid>` (api/senders.py); WeChat's own APIs and this channel's store
# take the bare openid.
# (sender, text for the assistant, text as the resident saw it) -> messages; api/conversation.py's converse.
Converse = Callable[[str, str, str | None], Awaitable[list[dict[str, Any]]]]
# (sender, the image's bytes) -> the stored photo's id (api/services/photos.py; ApiError when refused).
KeepPhoto = Callable[[str, bytes], Awaitable[str]]


class WeChatChannel:
    def __init__(
        self,
        *,
        envelope: Envelope | None,
        store: ChannelStore,
        customer_service: CustomerService,
        converse: Converse,
        keep_photo: KeepPhoto,
        allow: Callable[[str], bool],
        reply_budget_seconds: float,
        dedupe_seconds: int,
        choices_seconds: int,
    ) -> None:
        self.envelope = envelope  # None while WECHAT_TOKEN is not set
        self._store = store
        self._customer_service = customer_service
        self._converse = converse
        self._keep_photo = keep_photo
        self._allow = allow
        self._budget = reply_budget_seconds
        self._dedupe_seconds = dedupe_seconds
        self._choices_seconds = choices_seconds
        self._deliveries: set[asyncio.Task[None]] = set()

    @classmethod
    def start(cls, app: FastAPI, runtime: Runtime) -> WeChatChannel:
        settings = runtime.settings
        store: ChannelStore = (
            RedisChannelStore(runtime.redis, f"{settings.redis_prefix}wechat:")
            if runtime.redis is not None
            else MemoryChannelStore()
        )
        return cls(
            envelope=Envelope.from_settings(settings, nonces=store),
            store=store,
            customer_service=CustomerService.from_settings(settings, runtime.redis),
            converse=functools.partial(converse, app, "wechat"),
            keep_photo=lambda sender, data: run_in_threadpool(
                photos.keep_resident_photo, runtime.sessions, settings, data, sender
            ),
            allow=runtime.limiter.allow,
            reply_budget_seconds=settings.wechat_reply_budget_seconds,
            dedupe_seconds=settings.wechat_dedupe_seconds,
            choices_seconds=settings.wechat_choices_seconds,
        )

    async def reply(self, message: BaseMessage) -> str | None:
        """The passive reply to a push, or None to answer `success` (nothing to say, or said through 客服消息)."""
        key = f"push:{message.id}" if message.id else f"push:{message.source}:{message.time}"
        deadline = asyncio.get_running_loop().time() + self._budget
        while True:
            claim = PENDING + uuid.uuid4().hex
            if self._store.add(key, claim, _CLAIM_SECONDS):
                return await self._answer_claimed(message, key, claim, deadline)
            lapsed, outcome = await self._outcome_of_first(key, deadline)
            if not lapsed:
                return outcome

    async def _answer_claimed(self, message: BaseMessage, key: str, claim: str, deadline: float) -> str | None:
        logger.info("wechat push", extra={"type": message.type, "from": mask_openid(message.source)})
        answer = asyncio.create_task(self._answer(message))
        renewal = asyncio.create_task(self._renew(key, claim))
        try:
            budget = max(0.0, deadline - asyncio.get_running_loop().time())
            done, _ = await asyncio.wait({answer}, timeout=budget)
        finally:
            renewal.cancel()
        if done and answer.exception() is None:
            parts = answer.result()
            # Marked replied only now that the answer (and whatever it filed) is done.
            if parts and self._store.replace(key, claim, REPLIED + parts[0], self._dedupe_seconds):
                if len(parts) > 1:
                    self._deliver_later(message.source, answer, skip=1)  # the rest of a long answer
                return parts[0]
        self._store.replace(key, claim, LATER, self._dedupe_seconds)
        self._deliver_later(message.source, answer, skip=0)
        return None

    async def _renew(self, key: str, claim: str) -> None:
        """Keep this worker's claim alive while it answers; stops once the claim changed (replied or later)."""
        while True:
            await asyncio.sleep(_CLAIM_SECONDS / 3)
            if not self._store.replace(key, claim, claim, _CLAIM_SECONDS):
                return

    async def deliver(self, sender: str, messages: list[dict[str, Any]]) -> bool:
        """Outbound sender (agent replies after a handoff, case notices): numbered choices and parts as for the
        assistant, to the bare openid. A sender without the `wx:` prefix is that of a case filed before senders
        had one: it is the openid itself."""
        openid = wechat_openid(sender) or sender
        rendered = render(messages)
        self._remember_choices(openid, rendered.choices)
        return await self._customer_service.send_texts(openid, rendered.parts)

    async def aclose(self) -> None:
        """Let answers still on their way through 客服消息 go out before the app stops."""
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=_DRAIN_SECONDS)
        for task in self._deliveries:
            task.cancel()
        self._customer_service.close()

    async def _outcome_of_first(self, key: str, deadline: float) -> tuple[bool, str | None]:
        """A retry: (False, the first copy's passive reply, or None for `success`), or (True, None) when the
        first copy's claim lapsed unanswered (its worker died) and this copy should answer the push itself."""
        while True:
            state = self._store.get(key)
            if state is None:
                return True, None
            if state.startswith(REPLIED):
                return False, state.removeprefix(REPLIED)
            if not state.startswith(PENDING):
                return False, None
            if asyncio.get_running_loop().time() >= deadline:
                # Hand the answer to 客服消息 so that neither copy can still reply passively: exactly one delivery.
                if self._store.replace(key, state, LATER, self._dedupe_seconds):
                    return False, None
                continue
            await asyncio.sleep(_POLL_SECONDS)

    async def _answer(self, message: BaseMessage) -> list[str]:
        """The texts to send for one push, in order (empty: nothing to say)."""
        if message.type == "text":
            return await self._ask_assistant(message.source, message.content or "")
        if message.type == "image":
            return await self._photo(message.source, message.media_id)
        if message.type == "voice" and message.recognition:
            return await self._ask_assistant(message.source, message.recognition)
        if message.type in _MEDIA:
            return [TEXT_ONLY]
        if message.type == "event" and message.event in _WELCOMED_EVENTS:
            return [WELCOME]
        return []

    async def _photo(self, openid: str, media_id: str | None) -> list[str]:
        """An image: fetched by its MediaId, stored as the resident's photo, and the conversation goes on with
        it (`/share_photo`, as from the widget), so that a report being written takes it."""
        sender = wechat_sender(openid)
        if not self._allow(f"sender:{sender}"):
            return [TOO_FAST]
        data = await self._customer_service.download(media_id) if media_id else None
        if data is None:
            return [PHOTO_NOT_RECEIVED]
        try:
            photo_id = await self._keep_photo(sender, data)
        except ApiError as exc:  # not a JPEG, PNG or WebP, or too large: the resident reads why
            return [exc.message]
        return self._rendered(openid, await self._converse(sender, photos.share_photo_message(photo_id), PHOTO_SHOWN))

    async def _ask_assistant(self, openid: str, text: str) -> list[str]:
        sender = wechat_sender(openid)
        if not self._allow(f"sender:{sender}"):
            return [TOO_FAST]
        # Empty and over-long texts are answered by converse, as for the web widget.
        choice = chosen(text, self._recall_choices(openid))
        if choice is not None:
            messages = await self._converse(sender, choice.payload, choice.title)
        else:
            messages = await self._converse(sender, text, None)
        return self._rendered(openid, messages)

    def _rendered(self, openid: str, messages: list[dict[str, Any]]) -> list[str]:
        rendered = render(messages)
        self._remember_choices(openid, rendered.choices)
        return rendered.parts

    def _deliver_later(self, openid: str, answer: asyncio.Task[list[str]], skip: int) -> None:
        task = asyncio.create_task(self._deliver(openid, answer, skip))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, openid: str, answer: asyncio.Task[list[str]], skip: int) -> None:
        try:
            parts = (await answer)[skip:]
        except Exception:
            logger.exception("wechat answer failed", extra={"to": mask_openid(openid)})
            return
        if parts:
            await self._customer_service.send_texts(openid, parts)

    def _remember_choices(self, openid: str, choices: list[Choice]) -> None:
        # A reply without buttons clears them: a later "5" is then a rating or an answer, not a choice.
        if choices:
            stored = json.dumps([[c.title, c.payload] for c in choices], ensure_ascii=False)
            self._store.put(f"choices:{openid}", stored, self._choices_seconds)
        else:
            self._store.delete(f"choices:{openid}")

    def _recall_choices(self, openid: str) -> list[Choice]:
        stored = self._store.get(f"choices:{openid}")
        # A plain payload is what earlier versions stored (still there for a while after an upgrade).
        items = json.loads(stored) if stored else []
        return [Choice(*item) if isinstance(item, list) else Choice(title=item, payload=item) for item in items]
