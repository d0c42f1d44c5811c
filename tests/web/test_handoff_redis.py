"""The hub with Redis, as several gateway workers share it: one queue, one transcript, events across workers."""

from __future__ import annotations

import asyncio

import pytest

from api.handoff import AGENTS_TOPIC, HandoffHub, resident_topic
from api.rasa_client import RasaClient
from tests.gateway.conftest import make_settings

pytestmark = pytest.mark.redis


async def _workers(redis_url: str, prefix: str, count: int = 2) -> list[HandoffHub]:
    settings = make_settings("sqlite://", redis_url=redis_url, redis_prefix=prefix, rasa_url="http://127.0.0.1:9")
    return [await HandoffHub.start(settings, RasaClient(settings.rasa_urls, 1.0)) for _ in range(count)]


def test_two_workers_share_state_and_events(redis_url: str, redis_prefix: str) -> None:
    async def scenario() -> None:
        first, second = await _workers(redis_url, redis_prefix)
        try:
            async with (
                second.bus.subscribe(AGENTS_TOPIC) as agents,
                second.bus.subscribe(resident_topic("r1")) as widget,
            ):
                conversation = await first.escalate("r1", "web", "GD2026010100001")
                assert (await asyncio.wait_for(agents.get(), 5))["sender"] == "r1"
                assert [c.ticket for c in await second.queue()] == ["GD2026010100001"]

                held = await second.conversation("r1")
                assert held is not None and held.state == "waiting"
                assert await second.from_resident(held, "web", "身份证号340102199003071234，请帮我查询")
                assert (await asyncio.wait_for(agents.get(), 5))["type"] == "message"
                stored = await first.lines("r1", conversation.start_seq)
                assert stored[-1].text == "身份证号340102********1234，请帮我查询"

                line = await first.from_agent(conversation, "agent1", "张坐席", "您好，马上为您查询")
                event = await asyncio.wait_for(widget.get(), 5)
                assert event["line"]["seq"] == line.seq and event["line"]["text"] == "您好，马上为您查询"
                assert (await second.conversation("r1")).state == "agent"  # type: ignore[union-attr]
        finally:
            for hub in (first, second):
                await hub.close()

    asyncio.run(scenario())


def test_messages_are_counted_once_across_workers(redis_url: str, redis_prefix: str) -> None:
    async def scenario() -> None:
        hubs = await _workers(redis_url, redis_prefix, count=3)
        try:
            conversation = await hubs[0].escalate("r2", "wechat", "GD2026010100002")
            counts = await asyncio.gather(
                *(hubs[i % 3].from_resident(conversation, "wechat", f"消息{i}") for i in range(12))
            )
            # Each message has its own place in the count: exactly one is the first, none is counted twice.
            assert sorted(counts) == list(range(1, 13))
            lines = await hubs[1].lines("r2")
            assert sorted(line.seq for line in lines) == list(range(1, 13))

            # A new handoff of the same resident is acknowledged again and starts after the old lines.
            again = await hubs[2].escalate("r2", "wechat", "GD2026010100003")
            assert again.start_seq == 12
            assert await hubs[0].from_resident(again, "wechat", "又来了") == 1
        finally:
            for hub in hubs:
                await hub.close()

    asyncio.run(scenario())


def test_a_withdrawn_handoff_leaves_the_queue_and_tells_the_agents(redis_url: str, redis_prefix: str) -> None:
    async def scenario() -> None:
        first, second = await _workers(redis_url, redis_prefix)
        try:
            conversation = await first.escalate("r3", "web", "GD2026010100004")
            async with second.bus.subscribe(AGENTS_TOPIC) as agents:
                await first.withdraw(conversation)
                assert await asyncio.wait_for(agents.get(), 5) == {"type": "queue", "sender": "r3"}
            assert await second.queue() == [] and await second.conversation("r3") is None
        finally:
            for hub in (first, second):
                await hub.close()

    asyncio.run(scenario())
