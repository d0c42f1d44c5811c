"""The gateway's Rasa client with several Rasa servers: a resident sticks to one, and moves on when it is down."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from pydantic import ValidationError

from api.rasa_client import UNAVAILABLE, RasaClient
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
        senders = [s for s in (f"resident-{i}" for i in range(50)) if client.servers_for(s)[0] == 0][:4]
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
