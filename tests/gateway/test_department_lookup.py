"""Lookups across departments (api/department_lookup.py) against real local HTTP servers: a department that is
slow, failing (500), malformed (bad JSON, wrong shape) or down gives a part with a Chinese error next to the
parts that answered; the circuit breaker opens, lets one trial through after the cool-down and closes again,
in the process and shared by two workers through real Redis (and without it when Redis stops or hangs); the
whole lookup keeps to its budget. And the route: GET /api/property/{certificate} against the stand-in."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.testclient import TestClient

from api import standin
from api.department_lookup import DepartmentLookup, LookupTarget
from api.main import create_app
from api.migrate import upgrade
from api.settings import Settings
from contract.property_lookup import PROPERTY_SOURCES, PropertyLookup
from scripts.standin_departments import create_app as create_standin
from tests.gateway.conftest import make_settings
from tests.gateway.server import free_port, serve
from tests.gateway.test_department_connector import login
from tests.own_servers import OwnRedis

LAND, TAX, HOUSING = PROPERTY_SOURCES
T = TypeVar("T")
CERTIFICATE = "皖(2026)六安市不动产权第0012345号"
FIELDS = {"土地用途": "城镇住宅用地", "分摊土地面积": "23.60平方米"}
SLOW_SECONDS = 2.0
LATE_SECONDS = 0.3  # within every timeout, but long enough for other callers to arrive meanwhile


class Department:
    """One test department system whose behaviour the test sets: ok, late (ok, a little slowly), slow, fail,
    bad_json, wrong_shape, none."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.url = ""  # set once it is served
        self.calls: Counter[str] = Counter()
        self.app = FastAPI()

        @self.app.get("/property")
        async def lookup(certificate: str) -> Any:
            self.calls[self.mode] += 1
            if self.mode == "slow":
                await asyncio.sleep(SLOW_SECONDS)
            if self.mode == "late":
                await asyncio.sleep(LATE_SECONDS)
            if self.mode == "fail":
                return JSONResponse({"error": "database down"}, status_code=500)
            if self.mode == "bad_json":
                return PlainTextResponse('{"fields": {"土地用途": ', media_type="application/json")
            if self.mode == "wrong_shape":
                return {"fields": ["城镇住宅用地"]}
            if self.mode == "none":
                return JSONResponse({"error": "no record"}, status_code=404)
            return {"certificate": certificate, "fields": FIELDS}


@pytest.fixture
def departments() -> Iterator[tuple[Department, Department, str]]:
    """Two departments on real servers, and the URL of one that is down (nothing listens)."""
    first, second = Department(), Department()
    with serve(first.app) as first_url, serve(second.app) as second_url:
        first.url, second.url = f"{first_url}/property", f"{second_url}/property"
        yield first, second, f"http://127.0.0.1:{free_port()}/property"


def lookup_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "department_lookup_timeout_seconds": 0.5,
        "department_lookup_retries": 1,
        "department_lookup_budget_seconds": 1.5,
        "department_breaker_failures": 2,
        "department_breaker_cooldown_seconds": 0.5,
    }
    values.update(overrides)
    return make_settings("sqlite://", **values)


def target(source: Any, url: str | None, timeout: float = 0.5) -> LookupTarget:
    return LookupTarget(source, url, "s" * 32, timeout)


def run(lookup: DepartmentLookup, targets: list[LookupTarget]) -> tuple[PropertyLookup, float]:
    """One lookup in a loop of its own; the answer and the wall time it took."""

    async def go() -> PropertyLookup:
        lookup.client = type(lookup.client)()  # a client of this loop
        try:
            return await lookup.property(CERTIFICATE, targets)
        finally:
            await lookup.client.aclose()

    started = time.monotonic()
    answer = asyncio.run(go())
    return answer, time.monotonic() - started


def state(lookup: DepartmentLookup, source: Any) -> str:
    return asyncio.run(lookup.breakers.state(source.department))


def test_what_answered_is_shown_next_to_what_did_not(departments: tuple[Department, Department, str]) -> None:
    land, tax, down = departments
    tax.mode = "slow"
    lookup = DepartmentLookup(lookup_settings())
    answer, _ = run(lookup, [target(LAND, land.url), target(TAX, tax.url), target(HOUSING, down)])
    by_source = {part.source: part for part in answer.parts}
    assert by_source["land"].ok and by_source["land"].fields == FIELDS
    assert not by_source["tax"].ok and "没有及时答复" in (by_source["tax"].error or "")
    assert not by_source["housing"].ok and "连接不上" in (by_source["housing"].error or "")
    assert answer.complete is False and answer.missing == ["税务信息", "房屋信息"]
    assert tax.calls["slow"] == 2  # timed out, retried once within the budget


def test_a_failing_department_is_retried_and_a_malformed_one_is_not(
    departments: tuple[Department, Department, str],
) -> None:
    failing, malformed, _ = departments
    failing.mode, malformed.mode = "fail", "bad_json"
    lookup = DepartmentLookup(lookup_settings(department_breaker_failures=10))
    answer, _ = run(lookup, [target(LAND, failing.url), target(TAX, malformed.url)])
    assert [part.error for part in answer.parts] == [
        "土地信息暂时查不到：市自然资源和规划局的系统出错了，请稍后再试。",
        "税务信息暂时查不到：国家税务总局六安市税务局返回的数据有误，请稍后再试。",
    ]
    assert failing.calls["fail"] == 2 and malformed.calls["bad_json"] == 1
    malformed.mode = "wrong_shape"
    answer, _ = run(lookup, [target(TAX, malformed.url)])
    assert "返回的数据有误" in (answer.parts[0].error or "")


def test_no_record_is_an_answer_not_a_failure(departments: tuple[Department, Department, str]) -> None:
    department, _, _ = departments
    department.mode = "none"
    lookup = DepartmentLookup(lookup_settings(department_breaker_failures=1))
    for _ in range(2):
        answer, _ = run(lookup, [target(HOUSING, department.url)])
        assert answer.parts[0].error == "市住房和城乡建设局没有查到这本不动产权证的房屋信息，请核对证号。"
    assert state(lookup, HOUSING) == "closed"
    assert department.calls["none"] == 2


def test_the_breaker_opens_then_lets_one_trial_through_after_the_cool_down(
    departments: tuple[Department, Department, str],
) -> None:
    department, _, _ = departments
    department.mode = "fail"
    lookup = DepartmentLookup(lookup_settings(department_lookup_retries=0))
    targets = [target(LAND, department.url)]
    for _ in range(2):
        run(lookup, targets)
    assert state(lookup, LAND) == "open" and department.calls["fail"] == 2
    answer, took = run(lookup, targets)
    assert department.calls["fail"] == 2 and took < 0.3  # not called at all
    assert answer.parts[0].error == "土地信息暂时查不到：市自然资源和规划局的系统暂时不可用，请稍后再试。"

    time.sleep(0.6)
    assert state(lookup, LAND) == "half_open"
    run(lookup, targets)  # the trial fails: open for another cool-down
    assert department.calls["fail"] == 3 and state(lookup, LAND) == "open"
    time.sleep(0.6)
    department.mode = "ok"
    answer, _ = run(lookup, targets)  # the trial succeeds: closed
    assert answer.complete and state(lookup, LAND) == "closed"


def test_only_one_trial_goes_through_while_half_open() -> None:
    lookup = DepartmentLookup(lookup_settings(department_breaker_failures=1, department_breaker_cooldown_seconds=0))

    async def go() -> tuple[str, list[bool]]:
        await lookup.breakers.failed("市税务局")
        return await lookup.breakers.state("市税务局"), [await lookup.breakers.allow("市税务局") for _ in range(3)]

    assert asyncio.run(go()) == ("half_open", [True, False, False])


def test_nothing_waits_longer_than_the_budget(departments: tuple[Department, Department, str]) -> None:
    slow, fast, _ = departments
    slow.mode = "slow"
    budget = 0.6
    lookup = DepartmentLookup(lookup_settings(department_lookup_budget_seconds=budget, department_breaker_failures=5))
    # The slow department's own timeout is longer than the budget: the budget still wins.
    answer, took = run(lookup, [target(LAND, slow.url, timeout=5), target(TAX, fast.url)])
    assert took < budget + 0.4, took
    assert answer.elapsed_ms <= (budget + 0.2) * 1000
    assert [part.ok for part in answer.parts] == [False, True]
    assert "没有及时答复" in (answer.parts[0].error or "")


def test_a_department_without_a_lookup_is_named_as_such() -> None:
    answer, _ = run(DepartmentLookup(lookup_settings()), [target(TAX, None)])
    assert answer.parts[0].error == "税务信息暂时查不到：国家税务总局六安市税务局尚未接入查询，请稍后再试。"


# ---- the breaker shared by the gateway's workers through Redis -----------------------------------------


class Worker:
    """One gateway worker: its own lookup client in an event loop of its own thread, as a process would have."""

    def __init__(self, settings: Settings) -> None:
        self.lookup = DepartmentLookup(settings)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def start(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    def look_up(self, targets: list[LookupTarget]) -> PropertyLookup:
        return self.start(self.lookup.property(CERTIFICATE, targets)).result(10)

    def state(self, source: Any) -> str:
        return self.start(self.lookup.breakers.state(source.department)).result(10)

    def close(self) -> None:
        self.start(self.lookup.aclose()).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@contextmanager
def two_workers(url: str, prefix: str) -> Iterator[tuple[Worker, Worker]]:
    settings = lookup_settings(redis_url=url, redis_prefix=prefix, department_lookup_retries=0)
    first, second = Worker(settings), Worker(settings)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


@pytest.fixture
def workers(redis_url: str, redis_prefix: str) -> Iterator[tuple[Worker, Worker]]:
    """Two workers sharing the run's Redis, under a key prefix of the test's own."""
    with two_workers(redis_url, redis_prefix) as pair:
        yield pair


UNAVAILABLE = "土地信息暂时查不到：市自然资源和规划局的系统暂时不可用，请稍后再试。"


def test_failures_seen_by_one_worker_open_the_breaker_for_the_other(
    departments: tuple[Department, Department, str], workers: tuple[Worker, Worker]
) -> None:
    department, _, _ = departments
    first, second = workers
    department.mode = "fail"
    targets = [target(LAND, department.url)]
    first.look_up(targets)
    assert second.state(LAND) == "closed"  # one failure of two
    second.look_up(targets)  # the second, from the other worker: open for both
    assert first.state(LAND) == second.state(LAND) == "open" and department.calls["fail"] == 2
    for worker in (first, second):
        assert worker.look_up(targets).parts[0].error == UNAVAILABLE
    assert department.calls["fail"] == 2  # neither called it again


def test_after_the_cool_down_one_trial_in_all_workers(
    departments: tuple[Department, Department, str], workers: tuple[Worker, Worker]
) -> None:
    department, _, _ = departments
    first, second = workers
    department.mode = "fail"
    targets = [target(LAND, department.url)]
    for _ in range(2):
        first.look_up(targets)
    time.sleep(0.6)
    assert second.state(LAND) == "half_open"
    second.look_up(targets)  # the trial fails: open again, for the other worker too
    assert department.calls["fail"] == 3 and first.state(LAND) == "open"

    time.sleep(0.6)
    department.mode = "late"  # the trial answers, slowly enough for everyone else to ask meanwhile
    pending = [worker.start(worker.lookup.property(CERTIFICATE, targets)) for _ in range(8) for worker in workers]
    answers = [future.result(10) for future in pending]
    assert department.calls["late"] == 1
    assert sum(answer.complete for answer in answers) == 1
    assert sorted(answer.parts[0].error or "" for answer in answers)[1:] == [UNAVAILABLE] * 15
    assert first.state(LAND) == second.state(LAND) == "closed"
    assert first.look_up(targets).complete and second.look_up(targets).complete
    assert department.calls["late"] == 3


def test_without_redis_each_worker_falls_back_to_its_own_breaker(
    departments: tuple[Department, Department, str], own_redis: OwnRedis
) -> None:
    department, _, _ = departments
    with two_workers(own_redis.url, "luan-test:") as (first, second):
        falls_back(department, own_redis, first, second)


def falls_back(department: Department, own_redis: OwnRedis, first: Worker, second: Worker) -> None:
    targets = [target(LAND, department.url)]
    department.mode = "fail"
    first.look_up(targets)  # counted in Redis
    own_redis.stop()
    answer = first.look_up(targets)  # counted in this worker: one failure of two
    assert answer.parts[0].error == "土地信息暂时查不到：市自然资源和规划局的系统出错了，请稍后再试。"
    first.look_up(targets)
    assert first.look_up(targets).parts[0].error == UNAVAILABLE and department.calls["fail"] == 3
    assert second.state(LAND) == "closed"  # the other worker has not seen a failure itself
    department.mode = "ok"
    assert second.look_up(targets).complete

    own_redis.start()  # an empty Redis again (no persistence): shared there once more
    department.mode = "fail"
    for worker in (second, first):
        worker.look_up(targets)
    assert first.state(LAND) == second.state(LAND) == "open"


def test_a_redis_that_does_not_answer_holds_no_lookup_up(departments: tuple[Department, Department, str]) -> None:
    department, _, _ = departments
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections are queued, never answered
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        lookup = DepartmentLookup(lookup_settings(redis_url=url, department_lookup_budget_seconds=3))
        answer, took = run(lookup, [target(LAND, department.url)])
    assert answer.complete and took < 1.0, took  # the process's breaker, after Redis's short timeouts


# ---- the route, against the stand-in department service -------------------------------------------------


@pytest.fixture
def property_gateway(database_url: str) -> Iterator[tuple[TestClient, Settings]]:
    upgrade(database_url)
    settings = make_settings(
        database_url, department_delivery_interval_seconds=0, standin_secret="test-standin-secret-0123456789abcdef"
    )
    with TestClient(create_app(settings)) as client:
        yield client, settings


def test_the_property_route_answers_from_the_stand_in(property_gateway: tuple[TestClient, Settings]) -> None:
    client, settings = property_gateway
    admin = {"Authorization": f"Bearer {login(client, settings, 'admin')}"}
    with serve(create_standin(settings, "http://127.0.0.1:9")) as url:
        for source in PROPERTY_SOURCES:
            body = {
                "webhook_url": f"{url}/webhooks/{quote(source.department)}",
                "lookup_url": f"{url}/{source.source}/property",
                "signing_secret": standin.signing_secret(settings.standin_secret, source.department),
            }
            response = client.put(f"/api/staff/departments/{source.department}", json=body, headers=admin)
            assert response.status_code == 200, response.text
        agent = {"Authorization": f"Bearer {login(client, settings, 'agent')}"}

        full = client.get(f"/api/property/{quote('皖（2026）六安市不动产权第0012345号')}", headers=agent)
        assert full.status_code == 200, full.text
        answer = PropertyLookup.from_json(full.json())
        assert answer.certificate == CERTIFICATE and answer.complete
        assert answer.parts[2].fields["建筑面积"] == "89.52平方米"

        partial = PropertyLookup.from_json(client.get("/api/property/0034567", headers=agent).json())
        assert [part.ok for part in partial.parts] == [True, False, True]
        assert partial.missing == ["税务信息"] and "没有查到" in (partial.parts[1].error or "")

    bad = client.get(f"/api/property/{quote('苏(2026)南京市不动产权第0012345号')}", headers=agent)
    assert bad.status_code == 422 and bad.json()["detail"] == "invalid_certificate"
    assert "7位数字" in bad.json()["message"]
    assert client.get("/api/property/0012345").status_code == 401
    # The action server asks for a resident, who must be the owner (tests/gateway/test_property_access.py).
    service = {"X-Service-Token": settings.service_token, "X-Resident-Sender": "wx-resident"}
    assert client.get("/api/property/0012345", headers=service).json()["detail"] == "owner_not_verified"
    assert client.get("/api/property/0012345", headers={"X-Service-Token": "x" * 40}).status_code == 401
