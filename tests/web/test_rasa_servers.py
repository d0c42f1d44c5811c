"""The gateway's Rasa client with several Rasa servers: a resident sticks to one, and moves on when it is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import redis
import redis.asyncio as aioredis
from pydantic import ValidationError

from api.rasa_client import RasaClient
from api.rasa_load import RedisInFlight
from api.replies import UNAVAILABLE
from tests.gateway.conftest import make_settings
from tests.gateway.server import free_port
from tests.web.conftest import FakeRasa, serve_fake_rasa


@contextmanager
def rasa_servers(count: int) -> Iterator[list[FakeRasa]]:
    with ExitStack() as stack:
        yield [stack.enter_context(serve_fake_rasa()) for _ in range(count)]


def test_several_urls_are_read_from_one_setting() -> None:
    assert make_settings("sqlite://", rasa_url=" http://a:5005, http://b:5006 ,").rasa_urls == [
        "http://a:5005",
        "http://b:5006",
    ]
    with pytest.raises(ValidationError, match="RASA_URL"):
        make_settings("sqlite://", rasa_url=" , ")


def test_one_at_a_time_each_resident_sticks_to_one_server_and_residents_spread() -> None:
    senders = [f"resident-{i}" for i in range(40)]

    async def scenario(urls: list[str]) -> None:
        client = RasaClient(urls, 5.0)
        try:
            for sender in senders:
                for _ in range(2):
                    assert (await client.send(sender, "社保卡怎么办"))[0]["text"] != UNAVAILABLE
                assert await client.resume(sender)
        finally:
            await client.close()

    with rasa_servers(2) as servers:
        asyncio.run(scenario([rasa.url for rasa in servers]))
        seen = [{m["sender"] for m in rasa.messages} for rasa in servers]
        assert seen[0].isdisjoint(seen[1]) and seen[0] | seen[1] == set(senders)
        assert min(len(s) for s in seen) >= 10  # both servers take a fair share
        for rasa, own in zip(servers, seen, strict=True):
            assert len(rasa.messages) == 2 * len(own)
            assert set(rasa.resumed) == own  # resuming goes where the conversation is


def test_a_busy_server_is_passed_over() -> None:
    async def scenario(client: RasaClient, senders: list[str]) -> None:
        slow = asyncio.create_task(client.send(senders[0], "第一条"))
        await asyncio.sleep(0.2)  # the first message is now in flight on its server
        for sender in senders[1:]:
            await client.send(sender, "第二条")
        await slow

    with rasa_servers(2) as servers:
        client = RasaClient([rasa.url for rasa in servers], 5.0)
        # Residents whose own server is the first one, which is slow to answer.
        senders = [s for s in (f"resident-{i}" for i in range(50)) if asyncio.run(client.servers_for(s))[0] == 0][:4]
        servers[0].delay_seconds = 1.0
        asyncio.run(scenario(client, senders))
        asyncio.run(client.close())
        assert [m["sender"] for m in servers[0].messages] == senders[:1]
        # one at a time, each of the others found the first server busy and went to the second
        assert {m["sender"] for m in servers[1].messages} == set(senders[1:])


def test_a_server_that_cannot_be_reached_is_skipped() -> None:
    async def scenario(urls: list[str]) -> list[list[dict[str, object]]]:
        client = RasaClient(urls, 5.0)
        try:
            return [await client.send(f"resident-{i}", "公积金怎么提取") for i in range(10)]
        finally:
            await client.close()

    with rasa_servers(1) as [rasa]:
        down = f"http://127.0.0.1:{free_port()}"
        replies = asyncio.run(scenario([down, rasa.url]))
    assert all(reply[0]["text"] != UNAVAILABLE for reply in replies)
    assert len(rasa.messages) == 10


def test_no_server_reachable_gives_the_polite_fallback() -> None:
    async def scenario() -> list[dict[str, object]]:
        client = RasaClient([f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"], 2.0)
        try:
            return await client.send("resident-x", "你好")
        finally:
            await client.close()

    assert asyncio.run(scenario()) == [{"text": UNAVAILABLE}]


def shared_client(urls: list[str], redis_url: str, prefix: str, horizon: float = 20.0) -> RasaClient:
    """One gateway worker's client, counting load in Redis as every worker does."""
    return RasaClient(urls, 5.0, RedisInFlight(aioredis.Redis.from_url(redis_url), prefix, urls, horizon))


@pytest.mark.redis
def test_gateway_workers_see_each_others_messages_in_flight(redis_url: str, redis_prefix: str) -> None:
    async def scenario(urls: list[str], senders: list[str]) -> None:
        first, second = (shared_client(urls, redis_url, redis_prefix) for _ in range(2))
        try:
            slow = asyncio.create_task(first.send(senders[0], "第一条"))
            await asyncio.sleep(0.2)  # in flight on the first server, sent by the first worker
            assert await second.servers_for(senders[1]) == [1, 0]
            await second.send(senders[1], "第二条")
            await slow
            assert await second.servers_for(senders[1]) == [0, 1]  # nothing in flight any more
        finally:
            await first.close()
            await second.close()

    with rasa_servers(2) as servers:
        urls = [rasa.url for rasa in servers]
        senders = [s for s in (f"resident-{i}" for i in range(50)) if _own_server(urls, s) == 0][:2]
        servers[0].delay_seconds = 1.0
        asyncio.run(scenario(urls, senders))
        assert [m["sender"] for m in servers[0].messages] == senders[:1]
        assert [m["sender"] for m in servers[1].messages] == senders[1:]


def _own_server(urls: list[str], sender: str) -> int:
    async def first_choice() -> int:
        client = RasaClient(urls, 1.0)
        try:
            return (await client.servers_for(sender))[0]
        finally:
            await client.close()

    return asyncio.run(first_choice())


@pytest.mark.redis
def test_a_message_older_than_the_horizon_no_longer_counts(redis_url: str, redis_prefix: str) -> None:
    """What a gateway worker that died mid-message leaves behind ages out instead of skewing routing."""
    urls = ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    client = redis.Redis.from_url(redis_url)
    key = f"{redis_prefix}rasa:in-flight:{urls[0]}"
    client.zadd(key, {"left-by-a-dead-worker": time.time() - 30})
    client.close()

    async def counts() -> list[int]:
        board = RedisInFlight(aioredis.Redis.from_url(redis_url), redis_prefix, urls, horizon_seconds=20)
        try:
            before = await board.counts()
            token = await board.start(0)
            during = await board.counts()
            await board.finish(0, token)
            return [*before, *during, *(await board.counts())]
        finally:
            await board.close()

    assert asyncio.run(counts()) == [0, 0, 1, 0, 0, 0]


def test_messages_still_go_through_when_redis_is_down() -> None:
    async def scenario(urls: list[str]) -> list[list[dict[str, object]]]:
        down = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
        client = RasaClient(urls, 5.0, RedisInFlight(down, "luan-test:", urls, 20.0))
        try:
            return [await client.send(f"resident-{i}", "居住证怎么办") for i in range(6)]
        finally:
            await client.close()

    with rasa_servers(2) as servers:
        replies = asyncio.run(scenario([rasa.url for rasa in servers]))
        assert all(reply[0]["text"] != UNAVAILABLE for reply in replies)
        assert sum(len(rasa.messages) for rasa in servers) == 6
