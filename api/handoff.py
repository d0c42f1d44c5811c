"""The human handoff hub: which conversations a 12345 agent holds, their transcript, and live events.

A resident's conversation is with the bot unless the hub holds a record for it:
- "waiting": escalated (a GD ticket was filed), in the agent queue, the bot stays silent;
- "agent": an agent has replied; resident messages keep going to the agent;
- "rating": the agent resolved the ticket and the resident was asked for 1-5 stars.

State and events live in Redis when REDIS_URL is set, so every gateway worker sees the same queue and
a reply typed on one worker reaches a widget connected to another; otherwise they live in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from fastapi import FastAPI

from api.rasa_client import RasaClient
from api.replies import AGENT_PREFIX
from api.settings import Settings
from contract.personal_data import mask_text

logger = logging.getLogger(__name__)

WAITING, WITH_AGENT, RATING = "waiting", "agent", "rating"
IN_QUEUE = (WAITING, WITH_AGENT)
AGENTS_TOPIC = "agents"
# A handed-off conversation and its transcript are forgotten a week after their last change.
RETENTION_SECONDS = 7 * 24 * 3600
# Events wait in a subscriber's buffer at most this deep; a slow client catches up from the transcript.
SUBSCRIBER_BUFFER = 200


def resident_topic(sender: str) -> str:
    return f"resident:{sender}"


@dataclass
class Conversation:
    sender: str
    channel: str
    state: str
    ticket: str | None
    since: float  # epoch seconds of the escalation
    start_seq: int = 0  # transcript lines up to this one belong to earlier handoffs
    agent: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Conversation:
        return cls(**json.loads(raw))


# Channels whose residents read the hub's stream (GET /api/handoff/stream) rather than getting pushes.
STREAM_READERS = ("web", "api")


@dataclass
class Line:
    """One message of the handed-off part of a conversation; `seq` orders a sender's lines from 1."""

    role: str  # resident | agent | system
    text: str
    at: float = field(default_factory=time.time)
    agent: str | None = None  # display name of the agent who wrote it
    buttons: list[dict[str, str]] | None = None
    seq: int = 0

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "seq"}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes, seq: int) -> Line:
        return cls(**json.loads(raw), seq=seq)

    def message(self) -> dict[str, Any]:
        """The line in the shape of `POST /api/chat` messages, for the resident's channel."""
        text = f"{AGENT_PREFIX}{self.text}" if self.role == "agent" else self.text
        return {"text": text, "buttons": self.buttons} if self.buttons else {"text": text}

    def public(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message()}


class Store(Protocol):
    async def get(self, sender: str) -> Conversation | None: ...
    async def put(self, conversation: Conversation) -> None: ...
    async def drop(self, sender: str) -> None: ...
    async def queue(self) -> list[Conversation]: ...
    async def append(self, sender: str, line: Line) -> Line: ...
    async def lines(self, sender: str, after: int = 0) -> list[Line]: ...
    async def acknowledge(self, sender: str) -> int: ...
    async def close(self) -> None: ...


class MemoryStore:
    """One gateway process (no REDIS_URL)."""

    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}
        self._logs: dict[str, list[Line]] = {}
        self._acknowledged: dict[str, int] = {}

    async def get(self, sender: str) -> Conversation | None:
        return self._conversations.get(sender)

    async def put(self, conversation: Conversation) -> None:
        self._conversations[conversation.sender] = conversation

    async def drop(self, sender: str) -> None:
        self._conversations.pop(sender, None)
        self._acknowledged.pop(sender, None)

    async def queue(self) -> list[Conversation]:
        return sorted((c for c in self._conversations.values() if c.state in IN_QUEUE), key=lambda c: c.since)

    async def append(self, sender: str, line: Line) -> Line:
        log = self._logs.setdefault(sender, [])
        line.seq = len(log) + 1
        log.append(line)
        return line

    async def lines(self, sender: str, after: int = 0) -> list[Line]:
        return self._logs.get(sender, [])[after:]

    async def acknowledge(self, sender: str) -> int:
        self._acknowledged[sender] = self._acknowledged.get(sender, 0) + 1
        return self._acknowledged[sender]

    async def close(self) -> None:
        return None


class RedisStore:
    """Shared by all gateway workers: a JSON record per conversation, a sorted set as the queue, and
    a list per sender as the transcript (a line's seq is its list position, given atomically by RPUSH)."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = f"{prefix}handoff:"

    def _key(self, kind: str, sender: str = "") -> str:
        return f"{self._prefix}{kind}:{sender}" if sender else f"{self._prefix}{kind}"

    async def get(self, sender: str) -> Conversation | None:
        raw = await self._redis.get(self._key("conv", sender))
        return Conversation.from_json(raw) if raw else None

    async def put(self, conversation: Conversation) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("conv", conversation.sender), conversation.to_json(), ex=RETENTION_SECONDS)
            if conversation.state in IN_QUEUE:
                pipe.zadd(self._key("queue"), {conversation.sender: conversation.since})
            else:
                pipe.zrem(self._key("queue"), conversation.sender)
            await pipe.execute()

    async def drop(self, sender: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._key("conv", sender), self._key("ack", sender))
            pipe.zrem(self._key("queue"), sender)
            await pipe.execute()

    async def queue(self) -> list[Conversation]:
        senders = [str(s) for s in await self._redis.zrange(self._key("queue"), 0, -1)]
        if not senders:
            return []
        records = await self._redis.mget([self._key("conv", s) for s in senders])
        conversations = [Conversation.from_json(raw) for raw in records if raw]
        return [c for c in conversations if c.state in IN_QUEUE]

    async def append(self, sender: str, line: Line) -> Line:
        key = self._key("log", sender)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, line.to_json())
            pipe.expire(key, RETENTION_SECONDS)
            length, _ = await pipe.execute()
        line.seq = int(length)
        return line

    async def lines(self, sender: str, after: int = 0) -> list[Line]:
        raw_lines = await self._redis.lrange(self._key("log", sender), after, -1)
        return [Line.from_json(raw, after + i + 1) for i, raw in enumerate(raw_lines)]

    async def acknowledge(self, sender: str) -> int:
        key = self._key("ack", sender)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, RETENTION_SECONDS)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


class EventBus:
    """Fan-out of events to this process's subscribers; with Redis, every event goes through pub/sub
    first so that subscribers on all workers get it (one pattern subscription per worker)."""

    def __init__(self, client: aioredis.Redis | None, prefix: str) -> None:
        self._redis = client
        self._channel_prefix = f"{prefix}handoff:events:"
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        if self._redis is not None:
            self._listener = asyncio.create_task(self._listen(self._redis))
            await asyncio.wait_for(self._ready.wait(), timeout=5)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        if self._redis is None:
            self._deliver(topic, event)
        else:
            await self._redis.publish(self._channel_prefix + topic, json.dumps(event, ensure_ascii=False))

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self._subscribers.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            listeners = self._subscribers.get(topic, set())
            listeners.discard(queue)
            if not listeners:
                self._subscribers.pop(topic, None)

    def _deliver(self, topic: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    async def _listen(self, client: aioredis.Redis) -> None:
        while True:
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(self._channel_prefix + "*")
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "pmessage":
                            continue
                        topic = str(message["channel"]).removeprefix(self._channel_prefix)
                        self._deliver(topic, json.loads(message["data"]))
            except (aioredis.ConnectionError, aioredis.TimeoutError) as exc:
                # Redis restarted or the network blipped: subscribe again; clients replay what they missed.
                logger.warning("handoff event listener lost redis: %s", type(exc).__name__)
                await asyncio.sleep(1)


# Called with every line the hub records (api/services/handoff_transcript.py keeps it with the ticket).
LineKeeper = Callable[["Conversation", Line], Awaitable[None]]


class HandoffHub:
    def __init__(self, store: Store, bus: EventBus, rasa: RasaClient, keep_line: LineKeeper | None = None) -> None:
        self.store = store
        self.bus = bus
        self._rasa = rasa
        self._keep_line = keep_line

    @classmethod
    async def start(cls, settings: Settings, rasa: RasaClient, keep_line: LineKeeper | None = None) -> HandoffHub:
        client = aioredis.Redis.from_url(settings.redis_url, decode_responses=True) if settings.redis_url else None
        store: Store = RedisStore(client, settings.redis_prefix) if client is not None else MemoryStore()
        bus = EventBus(client, settings.redis_prefix)
        await bus.start()
        return cls(store, bus, rasa, keep_line)

    async def close(self) -> None:
        await self.bus.close()
        await self.store.close()

    async def conversation(self, sender: str) -> Conversation | None:
        """The resident's handoff, if any. With Redis unreachable, none: the assistant answers (a resident
        waiting for an agent is told by the assistant instead) rather than nobody answering at all."""
        try:
            return await self.store.get(sender)
        except (aioredis.ConnectionError, aioredis.TimeoutError) as exc:
            logger.warning("handoff state unreadable, the assistant answers: %s", type(exc).__name__)
            return None

    async def queue(self) -> list[Conversation]:
        return await self.store.queue()

    async def lines(self, sender: str, after: int = 0) -> list[Line]:
        return await self.store.lines(sender, after)

    async def escalate(self, sender: str, channel: str, ticket: str) -> Conversation:
        """The assistant filed a ticket for this resident: the bot falls silent and agents are told."""
        await self.store.drop(sender)  # a new handoff starts a new acknowledgement
        start_seq = len(await self.store.lines(sender))
        conversation = Conversation(sender, channel, WAITING, ticket, since=time.time(), start_seq=start_seq)
        await self.store.put(conversation)
        await self.bus.publish(AGENTS_TOPIC, {"type": "queue", "sender": sender})
        return conversation

    async def from_resident(self, conversation: Conversation, channel: str, text: str) -> int:
        """Record the resident's message for the agent; how many the resident has sent in this handoff
        (1 for the first), so that each can be acknowledged without repeating the previous answer."""
        if conversation.channel != channel:
            # Replies go back where the resident last wrote from.
            conversation.channel = channel
            await self.store.put(conversation)
        await self._append(conversation, Line(role="resident", text=mask_text(text)))
        await self.bus.publish(AGENTS_TOPIC, {"type": "message", "sender": conversation.sender})
        return await self.store.acknowledge(conversation.sender)

    async def from_agent(self, conversation: Conversation, username: str, display_name: str, text: str) -> Line:
        conversation.state, conversation.agent = WITH_AGENT, username
        await self.store.put(conversation)
        line = await self._append(conversation, Line(role="agent", text=text, agent=display_name))
        await self._announce(conversation, line)
        return line

    async def system_line(
        self, conversation: Conversation, text: str, buttons: list[dict[str, str]] | None = None
    ) -> Line:
        """A line from the system (not the resident or an agent), on the stream and in the agents' view."""
        line = await self._append(conversation, Line(role="system", text=text, buttons=buttons))
        await self._announce(conversation, line)
        return line

    async def notice(self, sender: str, text: str, buttons: list[dict[str, str]] | None = None) -> Line:
        """A line about one of the resident's cases outside any handoff (api/resident_notices.py): on the
        resident's stream only, with no conversation state and no agent queue event."""
        line = await self.store.append(sender, Line(role="system", text=text, buttons=buttons))
        await self.bus.publish(resident_topic(sender), {"type": "line", "line": line.public()})
        return line

    async def withdraw(self, conversation: Conversation) -> None:
        """The resident no longer wants an agent (算了, 不用了): out of the queue, the bot answers again."""
        await self.store.drop(conversation.sender)
        await self.bus.publish(AGENTS_TOPIC, {"type": "queue", "sender": conversation.sender})
        await self.resume_bot(conversation.sender)

    async def ask_rating(self, conversation: Conversation, text: str, buttons: list[dict[str, str]]) -> Line:
        """The ticket is resolved: leave the queue, ask for stars, and let the bot answer again afterwards."""
        conversation.state = RATING
        await self.store.put(conversation)
        line = await self.system_line(conversation, text, buttons)
        await self.resume_bot(conversation.sender)
        return line

    async def hand_back(self, conversation: Conversation, text: str) -> Line:
        await self.store.drop(conversation.sender)
        line = await self.system_line(conversation, text)
        await self.resume_bot(conversation.sender)
        return line

    async def finish(self, sender: str) -> None:
        """The resident answered (or skipped) the rating: the conversation is the bot's again."""
        await self.store.drop(sender)

    async def resume_bot(self, sender: str) -> bool:
        """Undo the assistant's ConversationPaused so it answers this resident again."""
        return await self._rasa.resume(sender)

    async def _append(self, conversation: Conversation, line: Line) -> Line:
        line = await self.store.append(conversation.sender, line)
        if self._keep_line is not None:
            await self._keep_line(conversation, line)
        return line

    async def _announce(self, conversation: Conversation, line: Line) -> None:
        event = {"type": "line", "line": line.public()}
        await self.bus.publish(resident_topic(conversation.sender), event)
        await self.bus.publish(AGENTS_TOPIC, {"type": "queue", "sender": conversation.sender})


async def send_to_channel(app: FastAPI, conversation: Conversation, lines: list[Line]) -> bool | None:
    """Push the lines to a resident who does not read the hub's stream (WeChat) through the channel's sender.

    None for the web widget and API clients, which read the stream; otherwise whether the lines arrived.
    """
    if conversation.channel in STREAM_READERS:
        return None
    outbound = getattr(app.state, "outbound", {}).get(conversation.channel)
    if outbound is None:
        logger.warning("no outbound sender for channel %s", conversation.channel)
        return False
    delivered: bool = await outbound.deliver(conversation.sender, [line.message() for line in lines])
    return delivered
