"""Limits per resident and per real address, lockouts of case status and login (docs/security.md, items 1 and
4): against the real app, in-process and with the real Redis shared by workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2  # what starlette's TestClient answers with
import pytest
import redis
from fastapi.testclient import TestClient

from actions.case_api import CaseApi, CaseApiError
from actions.settings import Settings as ActionSettings
from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import StaffUser
from api.security import hash_password
from api.settings import Settings
from tests.gateway.conftest import PASSWORD, make_settings
from tests.own_servers import OwnRedis

SERVICE_TOKEN = "test-service-token-0123456789abcdef"
PROXY = ("10.0.0.5", 40000)  # the city's reverse proxy, inside TRUSTED_PROXIES below


def counting_from_a_fresh_minute(seconds_needed: float = 20) -> None:
    """Request counts start again each minute: a test that counts to the limit must not cross into the next."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.1)


class Gateway:
    """One started app; `client(address)` calls it from that address (same app, same counts)."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self._main = TestClient(self.app, client=PROXY)

    def client(self, address: tuple[str, int] = PROXY) -> TestClient:
        return self._main if address == PROXY else TestClient(self.app, client=address)

    def __enter__(self) -> Gateway:
        self._main.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._main.__exit__(None, None, None)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def start(request: pytest.FixtureRequest, database_url: str) -> Iterator[Callable[..., Gateway]]:
    """Start the gateway with these settings, counting in the process or in the real Redis."""
    upgrade(database_url)
    shared: dict[str, Any] = {"trusted_proxies": "10.0.0.0/8"}
    if request.param == "redis":
        shared |= {"redis_url": request.getfixturevalue("redis_url")}
        shared |= {"redis_prefix": request.getfixturevalue("redis_prefix")}
    started: list[Gateway] = []

    def run(**overrides: Any) -> Gateway:
        gateway = Gateway(make_settings(database_url, **shared | overrides)).__enter__()
        started.append(gateway)
        return gateway

    yield run
    for gateway in started:
        gateway.__exit__()


def test_action_server_calls_count_per_resident_never_as_one_client(start: Callable[..., Gateway]) -> None:
    gateway = start(rate_limit_per_minute=3)
    counting_from_a_fresh_minute()
    api = CaseApi(ActionSettings("http://gateway", SERVICE_TOKEN, 5.0, 3), transport=httpx.ASGITransport(gateway.app))

    async def rate(sender: str) -> int | None:
        try:
            await api.submit_evaluation(stars=5, comment=None, case_number=None, service="结婚登记", sender=sender)
        except CaseApiError as error:
            return error.status
        return 201

    async def calls() -> tuple[list[int | None], int | None, list[bool]]:
        first = [await rate("wechat:o-resident-a") for _ in range(4)]
        other = await rate("wechat:o-resident-b")  # same action server, same address, another resident
        catalogue = [await api.service_info("结婚登记") is not None for _ in range(5)]  # names no resident
        return first, other, catalogue

    first, other, catalogue = asyncio.run(calls())
    assert first == [201, 201, 201, 429]
    assert other == 201
    assert catalogue == [True] * 5
    # Without the token the resident header is not believed: invented senders share the address's bucket.
    client = gateway.client()
    headers = [{"X-Resident-Sender": f"made-up-{i}", "X-Service-Token": "wrong"} for i in range(4)]
    assert [client.get("/api/services", headers=h).status_code for h in headers] == [200, 200, 200, 429]


def test_address_is_the_right_most_hop_no_trusted_proxy_holds(start: Callable[..., Gateway]) -> None:
    client = start(rate_limit_per_minute=2).client()
    counting_from_a_fresh_minute()

    def services(forwarded: str) -> int:
        return client.get("/api/services", headers={"X-Forwarded-For": forwarded}).status_code

    # The left-most entry is the client's own invention: changing it does not open a new bucket.
    assert [services(f"{i}.1.1.1, 203.0.113.7") for i in range(3)] == [200, 200, 429]
    # Another resident behind the same proxy has a bucket of their own; a second proxy hop of ours is skipped.
    assert services("203.0.113.8, 10.0.0.6") == 200
    assert services("203.0.113.8") == 200
    assert services("203.0.113.8") == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(start: Callable[..., Gateway]) -> None:
    client = start(rate_limit_per_minute=2).client(("198.51.100.9", 5000))
    counting_from_a_fresh_minute()
    codes = [client.get("/api/services", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]


def file_complaint(client: TestClient, sender: str) -> str:
    body = {"description": "小区门口路灯坏了一个月", "phone": "13812345678", "sender": sender}
    response = client.post("/api/complaints", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def test_status_locks_a_number_after_wrong_phone_endings(start: Callable[..., Gateway]) -> None:
    client = start(status_max_failures=3).client()
    number = file_complaint(client, "web:resident-1")

    def status(case_number: str, phone_last4: str) -> httpx2.Response:
        return client.get(f"/api/status/{case_number}", params={"phone_last4": phone_last4})

    assert status(number, "5678").status_code == 200
    assert [status(number, f"{i:04d}").status_code for i in range(3)] == [404, 404, 404]
    locked = status(number, "5678")  # the right ending no longer helps: 10⁴ endings cannot be walked through
    assert locked.status_code == 429
    assert locked.json()["detail"] == "status_locked"
    assert "15分钟后再试" in locked.json()["message"]
    # An unknown number locks the same way: the lockout does not tell which numbers exist.
    unknown = number[:-5] + "99999"
    assert [status(unknown, f"{i:04d}").status_code for i in range(4)] == [404, 404, 404, 429]
    assert status(unknown, "0000").json() == locked.json()
    assert status(file_complaint(client, "web:resident-2"), "5678").status_code == 200


def test_a_case_is_rated_once_by_its_resident_and_numbers_cannot_be_probed(start: Callable[..., Gateway]) -> None:
    client = start().client()
    number = file_complaint(client, "web:resident-1")

    def rate(case_number: str, sender: str | None) -> httpx2.Response:
        body = {"stars": 2, "case_number": case_number} | ({"sender": sender} if sender else {})
        return client.post("/api/evaluations", json=body)

    others = rate(number, "web:someone-else")
    assert others.status_code == 404
    assert rate(number[:-5] + "99999", "web:someone-else").json() == others.json()
    assert rate(number, None).json() == others.json()
    assert rate(number, "web:resident-1").status_code == 201
    again = rate(number, "web:resident-1")
    assert again.status_code == 409
    assert again.json()["message"] == "您已评价过这件事项，感谢您的反馈"


@pytest.fixture
def staff_user(start: Callable[..., Gateway]) -> Gateway:
    gateway = start()
    settings: Settings = gateway.app.state.runtime.settings
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        session.add(
            StaffUser(username="agent1", display_name="测试坐席", role="agent", password_hash=hash_password(PASSWORD))
        )
    return gateway


def login(client: TestClient, username: str, password: str, via: str | None = None) -> httpx2.Response:
    headers = {"X-Forwarded-For": via} if via else {}
    return client.post("/api/auth/login", json={"username": username, "password": password}, headers=headers)


def test_login_locks_a_username_at_one_address_after_failures(staff_user: Gateway) -> None:
    client = staff_user.client()
    guesses = [login(client, "agent1", f"guess{i}", via="203.0.113.7").status_code for i in range(5)]
    assert guesses == [401] * 5
    locked = login(client, "agent1", PASSWORD, via="203.0.113.7")
    assert locked.status_code == 429
    assert locked.json()["detail"] == "login_locked"
    # The owner at another address is not locked out by the guesser.
    assert login(client, "agent1", PASSWORD, via="198.51.100.20").status_code == 200


def test_logins_from_one_address_are_capped_whatever_the_usernames(staff_user: Gateway) -> None:
    client = staff_user.client()
    counting_from_a_fresh_minute()
    codes = [login(client, f"user{i}", "guess", via="203.0.113.9").status_code for i in range(11)]
    assert codes == [401] * 10 + [429]
    assert login(client, "agent1", PASSWORD, via="203.0.113.10").status_code == 200


def test_unknown_usernames_take_as_long_as_wrong_passwords(staff_user: Gateway) -> None:
    client = staff_user.client()

    def seconds(username: str) -> float:
        started = time.perf_counter()
        assert login(client, username, "wrong-password").status_code == 401
        return time.perf_counter() - started

    # Fastest of three each (fewer than the lockout's five): the least disturbed by other work on the machine.
    known = min(seconds("agent1") for _ in range(3))
    unknown = min(seconds("nobody") for _ in range(3))
    assert unknown > known * 0.5, (unknown, known)


def test_knowledge_search_is_rate_limited(start: Callable[..., Gateway]) -> None:
    client = start(rate_limit_per_minute=3).client()
    counting_from_a_fresh_minute()
    codes = [client.get("/api/knowledge/search", params={"q": "怎么办社保卡"}).status_code for _ in range(4)]
    assert codes[3] == 429, codes


def test_limits_hold_while_redis_is_down_and_return_to_it(tmp_path: Path, own_redis: OwnRedis) -> None:
    database_url = f"sqlite:///{tmp_path}/down.db"
    upgrade(database_url)
    settings = make_settings(database_url, redis_url=own_redis.url, rate_limit_per_minute=3)
    counting_from_a_fresh_minute()
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/services").status_code == 200
        own_redis.stop()
        # Redis gone: no error for the resident, and the limit still holds (counted in this process).
        assert [client.get("/api/services").status_code for _ in range(4)] == [200, 200, 200, 429]
        own_redis.start()
        # Back: counted in Redis again without a restart (its first call may still meet the dead connection).
        store = redis.Redis(port=own_redis.port)
        for _ in range(3):
            client.get("/api/services")
            if store.keys("*rl:ip:*"):
                break
        assert store.keys("*rl:ip:*")
