"""The department connector (docs/departments.md): a dispatched case is delivered to its department's webhook,
signed and verified by the stand-in department service; failures are retried, then dead-lettered and retried
from the console's list; two workers on PostgreSQL never send one delivery twice; a department reports back
with its own credential, which moves the case, is audited and reaches the resident's stream; and credentials
reach only the department's own cases."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api import standin
from api.db import make_engine, make_session_factory, transaction
from api.department_deliveries import DeliveryWorker
from api.main import create_app
from api.migrate import upgrade
from api.models import AuditEntry, Case, DepartmentDelivery, Incident, StaffUser
from api.security import hash_password
from api.settings import Settings
from api.workdays import WorkCalendar
from scripts.standin_departments import create_app as create_standin
from tests.gateway.conftest import PASSWORD, auth, make_settings
from tests.gateway.server import free_port, serve
from tests.gateway.test_budget import open_round, propose
from tests.gateway.test_incidents import file as file_incident
from tests.gateway.test_incidents import seed_directory
from tests.senders import internal_sender, issued_sender

Token = Callable[[str], str]
LAND = "市自然资源和规划局"
HOUSING = "市住房和城乡建设局"
SEQUENCE = itertools.count(1)
SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


def connector_settings(database_url: str, **overrides: Any) -> Settings:
    """No background worker (the tests run it), retries due at once, three attempts."""
    values: dict[str, Any] = {
        "department_delivery_interval_seconds": 0,
        "department_delivery_backoff_seconds": 0,
        "department_delivery_max_attempts": 3,
        "department_delivery_timeout_seconds": 2,
        "standin_secret": "test-standin-secret-0123456789abcdef",
    }
    values.update(overrides)
    return make_settings(database_url, **values)


@pytest.fixture
def connector(database_url: str) -> Settings:
    upgrade(database_url)
    return connector_settings(database_url)


@pytest.fixture
def gateway(connector: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(connector)) as client:
        yield client


def login(client: TestClient, settings: Settings, role: str) -> str:
    username = f"{role}1"
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is None:
            session.add(
                StaffUser(username=username, display_name=role, role=role, password_hash=hash_password(PASSWORD))
            )
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def staff_token(gateway: TestClient, connector: Settings) -> Token:
    """A bearer token of this gateway (the shared fixture would start a second app, with a worker of its own)."""
    return lambda role: login(gateway, connector, role)


@pytest.fixture
def standin_url(connector: Settings) -> Iterator[str]:
    with serve(create_standin(connector, "http://127.0.0.1:9")) as url:
        yield url


def register(client: TestClient, token: str, department: str, webhook_url: str, secret: str) -> dict[str, Any]:
    response = client.put(
        f"/api/staff/departments/{department}",
        json={"webhook_url": webhook_url, "signing_secret": secret},
        headers=auth(token),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def register_at_standin(client: TestClient, token: str, settings: Settings, url: str, department: str) -> str:
    """The department's system is the stand-in (which verifies with its derived secret); its credential."""
    secret = standin.signing_secret(settings.standin_secret, department)
    return str(register(client, token, department, f"{url}/webhooks/{quote(department)}", secret)["credential"])


def file_complaint(client: TestClient, department: str, sender: str = "web-connector-1") -> str:
    # Each one its own text: the same text from the same sender is the same case (filing dedupe). Filed as the
    # action server files the chat's complaint: only it names the resident's sender and channel.
    body = {"description": f"小区门口的路灯坏了一个月没人修（{next(SEQUENCE)}）", "phone": "13812345678",
            "department": department,
            "sender": sender, "channel": "web"}  # fmt: skip
    response = client.post("/api/complaints", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def deliver(settings: Settings) -> dict[int, str | None]:
    """One tick of a delivery worker of its own (its own engine, as another gateway worker would have)."""

    async def tick() -> dict[int, str | None]:
        calendar = WorkCalendar.from_file(settings.holidays_file, settings.timezone)
        worker = DeliveryWorker(make_session_factory(make_engine(settings.database_url)), settings, calendar)
        try:
            return await worker.run_once()
        finally:
            await worker.stop()

    return asyncio.run(tick())


def deliveries(settings: Settings) -> list[DepartmentDelivery]:
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        return list(session.scalars(select(DepartmentDelivery).order_by(DepartmentDelivery.id)))


def received(url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}/webhooks/received").json())


def test_a_dispatched_case_is_delivered_signed_and_verified(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    register_at_standin(gateway, staff_token("admin"), connector, standin_url, LAND)
    number = file_complaint(gateway, LAND)
    file_complaint(gateway, "市民政局")  # no endpoint: nothing queued
    [queued] = deliveries(connector)
    assert (queued.department, queued.event, queued.attempts) == (LAND, "case.dispatched", 0)

    assert list(deliver(connector).values()) == [None]
    [got] = received(standin_url)
    assert got["department"] == LAND and got["delivery"] == str(queued.id)
    assert got["case"]["number"] == number and got["case"]["status_text"] == "已受理，等待处理"
    assert got["case"]["contact_phone"] == "138****5678"  # masked, as an agent sees it
    assert "sender" not in got["case"]
    [done] = deliveries(connector)
    assert done.delivered_at is not None and done.attempts == 1
    assert deliver(connector) == {}  # delivered once, not again


def test_a_residents_follow_ups_reach_the_departments_system_with_the_supervision_history(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    register_at_standin(gateway, staff_token("admin"), connector, standin_url, LAND)
    number = file_complaint(gateway, LAND, sender="web-connector-f")
    resident = {"sender": "web-connector-f"}
    urged = gateway.post(f"/api/cases/{number}/urges", json={**resident, "note": "都三天了"}, headers=SERVICE)
    assert urged.status_code == 201, urged.text
    again = gateway.post(f"/api/cases/{number}/urges", json=resident, headers=SERVICE)
    assert again.status_code == 200  # the urge of the day stands: nothing new to tell
    added = {**resident, "supplement": "补充：坏的是东门那盏，电话13912345678"}
    assert gateway.post(f"/api/cases/{number}/supplements", json=added, headers=SERVICE).status_code == 201
    assert [d.event for d in deliveries(connector)] == ["case.dispatched", "case.followed_up", "case.followed_up"]

    assert list(deliver(connector).values()) == [None, None, None]
    got = received(standin_url)
    assert sorted((r["event"], r["case"]["number"]) for r in got) == [
        ("case.dispatched", number),
        ("case.followed_up", number),
        ("case.followed_up", number),
    ]
    # Each delivery carries the history as it is when sent (in any order), newest last, personal data masked.
    assert [(e["kind"], e["note"]) for e in max(got, key=lambda r: len(r["supervision"]))["supervision"]] == [
        ("urge", "都三天了"),
        ("supplement", "补充：坏的是东门那盏，电话139****5678"),
    ]
    # A follow-up on a case of a department without a system queues nothing.
    other = file_complaint(gateway, "市民政局", sender="web-connector-g")
    assert (
        gateway.post(f"/api/cases/{other}/urges", json={"sender": "web-connector-g"}, headers=SERVICE).status_code
        == 201
    )
    assert len(deliveries(connector)) == 3


def test_a_wrong_signature_is_refused_then_retried_to_the_dead_letters_and_retried_from_there(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    admin = auth(staff_token("admin"))
    register(gateway, staff_token("admin"), LAND, f"{standin_url}/webhooks/{quote(LAND)}", "x" * 40)
    number = file_complaint(gateway, LAND)
    for attempt in range(1, 4):
        [error] = deliver(connector).values()
        assert error is not None and error.startswith("HTTP 401")
        [delivery] = deliveries(connector)
        assert delivery.attempts == attempt and delivery.dead is (attempt == 3)
    assert deliver(connector) == {}  # dead: no more attempts
    assert received(standin_url) == []

    dead = gateway.get("/api/staff/department-deliveries/dead", headers=admin).json()
    assert dead["total"] == 1 and dead["items"][0]["case_number"] == number
    assert dead["items"][0]["last_error"].startswith("HTTP 401")
    # The department's signing secret is put right, then the delivery retried from the list.
    right = standin.signing_secret(connector.standin_secret, LAND)
    register(gateway, staff_token("admin"), LAND, f"{standin_url}/webhooks/{quote(LAND)}", right)
    retried = gateway.post(f"/api/staff/department-deliveries/{dead['items'][0]['id']}/retry", headers=admin)
    assert retried.status_code == 200 and retried.json()["dead"] is False and retried.json()["attempts"] == 0
    assert list(deliver(connector).values()) == [None]
    assert [r["case"]["number"] for r in received(standin_url)] == [number]
    again = gateway.post(f"/api/staff/department-deliveries/{dead['items'][0]['id']}/retry", headers=admin)
    assert again.status_code == 404  # not dead any more
    assert gateway.get("/api/staff/department-deliveries/dead", headers=auth(staff_token("agent"))).status_code == 403


def test_a_department_that_is_down_is_retried_with_growing_backoff(database_url: str) -> None:
    upgrade(database_url)
    settings = connector_settings(database_url, department_delivery_backoff_seconds=60)
    with TestClient(create_app(settings)) as client:
        register(client, login(client, settings, "admin"), HOUSING, f"http://127.0.0.1:{free_port()}/hook", "y" * 40)
        file_complaint(client, HOUSING)
        [error] = deliver(settings).values()
        assert error is not None and "Connect" in error
        [first] = deliveries(settings)
        assert deliver(settings) == {}  # not due before the backoff
        wait = first.next_attempt_at - first.created_at
        assert 59 <= wait.total_seconds() <= 65


def test_a_ticket_is_delivered_when_an_agent_dispatches_it(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    register_at_standin(gateway, staff_token("admin"), connector, standin_url, HOUSING)
    ticket = gateway.post(
        "/api/tickets",
        json={"sender": "web-t1", "channel": "web", "summary": "楼上漏水到我家", "department": HOUSING},
        headers=SERVICE,
    )
    assert ticket.status_code == 201, ticket.text
    assert deliveries(connector) == []  # the agent's until dispatched
    number = ticket.json()["number"]
    dispatch = {"category": "城乡建设", "subcategory": "物业与小区管理", "department": HOUSING}
    response = gateway.post(
        f"/api/staff/handoff/tickets/{number}/dispatch", json=dispatch, headers=auth(staff_token("agent"))
    )
    assert response.status_code == 200, response.text
    assert [d.department for d in deliveries(connector)] == [HOUSING]


def test_two_workers_on_postgresql_never_send_a_delivery_twice(postgres_url: str) -> None:
    upgrade(postgres_url)
    settings = connector_settings(postgres_url)
    with TestClient(create_app(settings)) as client, serve(create_standin(settings, "http://127.0.0.1:9")) as url:
        register_at_standin(client, login(client, settings, "admin"), settings, url, LAND)
        numbers = {file_complaint(client, LAND, sender=f"web-pg-{i}") for i in range(30)}
        start = threading.Barrier(2)
        outcomes: list[dict[int, str | None]] = []

        def work() -> None:
            start.wait()
            while sent := deliver(settings):
                outcomes.append(sent)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        sent_ids = [delivery_id for outcome in outcomes for delivery_id in outcome]
        assert len(sent_ids) == len(set(sent_ids)) == 30
        got = received(url)
        assert sorted(r["delivery"] for r in got) == sorted(str(i) for i in sent_ids)
        assert {r["case"]["number"] for r in got} == numbers
        assert all(d.delivered_at is not None and d.attempts == 1 for d in deliveries(settings))


def test_reports_move_the_case_are_audited_and_reach_the_residents_stream(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, LAND)
    resident = issued_sender(gateway)
    number = file_complaint(gateway, LAND, sender=internal_sender(resident))
    url = f"/api/departments/cases/{number}/reports"
    bearer = {"Authorization": f"Bearer {credential}"}

    accepted = gateway.post(url, json={"type": "accepted"}, headers=bearer)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "processing" and accepted.json()["notice"] == "stream"
    progress = gateway.post(url, json={"type": "progress", "note": "已派人到现场查看，13812345678"}, headers=bearer)
    assert progress.json()["status"] == "processing"
    resolved = gateway.post(url, json={"type": "resolved", "result": "路灯已于今日修复"}, headers=bearer)
    assert resolved.json()["status"] == "resolved"
    assert gateway.get(f"/api/status/{number}", params={"phone_last4": "5678"}).json()["status_text"] == "已办结"

    lines = gateway.get("/api/handoff/messages", params={"sender": resident}).json()["lines"]
    texts = [line["text"] for line in lines]
    assert len(texts) == 3
    assert texts[0].startswith(f"您的投诉{number}已由{LAND}受理")
    assert "已派人到现场查看" in texts[1]
    assert "处理结果：路灯已于今日修复" in texts[2] and "如果问题没有解决，可以点“不满意，申请重办”" in texts[2]
    # 回访: the stars, or the case sent back to be done again (the assistant's reopen_case, actions/reopen.py).
    assert [b["title"] for b in lines[2]["buttons"]][-2:] == ["1分 很不满意", "不满意，申请重办"]
    assert lines[2]["buttons"][-1]["payload"] == f'/reopen_case{{"case_number": "{number}"}}'
    rated = gateway.post("/api/chat", json={"sender": resident, "message": "2"})
    assert rated.status_code == 200, rated.text
    [reply] = rated.json()["messages"]
    assert reply["text"].startswith("感谢您的评价，很抱歉没有让您满意") and reply["buttons"] == lines[2]["buttons"][-1:]

    late = gateway.post(url, json={"type": "progress", "note": "补充说明"}, headers=bearer)
    assert late.status_code == 409 and late.json()["detail"] == "case_closed"
    with transaction(make_session_factory(make_engine(connector.database_url))) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.target == number)).all()
        actions = [(e.actor, e.action) for e in entries if e.role == "department" and e.action != "status"]
        moves = [
            (e.detail["before"], e.detail["after"]) for e in entries if e.role == "department" and e.action == "status"
        ]
        notes = [e.detail.get("note") for e in entries if e.action == "department_progress"]
    assert moves == [("pending", "processing"), ("processing", "resolved")]
    assert actions == [(LAND, "department_accepted"), (LAND, "department_progress"), (LAND, "department_resolved")]
    assert notes == ["已派人到现场查看，138****5678"]  # masked in the audit log


def test_an_applications_progress_report_passes_through_accepted(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    hr = "市人力资源和社会保障局"  # the department of 社会保障卡申领
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, hr)
    application = gateway.post(
        "/api/applications",
        json={"service": "社会保障卡申领", "applicant_name": "张三", "id_number": "11010519491231002X",
              "phone": "13812345678"},
    )  # fmt: skip
    if application.status_code == 422:
        pytest.skip("catalogue without 社会保障卡申领")
    number = application.json()["number"]
    response = gateway.post(
        f"/api/departments/cases/{number}/reports",
        json={"type": "progress", "note": "材料已审核，正在制卡"},
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code == 201 and response.json()["status"] == "processing"
    # No sender: nobody to tell.
    assert response.json()["notice"] == "not_delivered"


def report(client: TestClient, credential: str, number: str, body: dict[str, str]) -> dict[str, Any]:
    response = client.post(
        f"/api/departments/cases/{number}/reports", json=body, headers={"Authorization": f"Bearer {credential}"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_reports_move_an_incident_and_record_its_response_and_result(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    """An incident referred to a city department (a hazard beyond the grid): its acceptance meets the response
    deadline as the officer's does (accepted_at), its result is recorded as the officer's page and the
    analytics read it."""
    seed_directory(gateway, connector)
    resident = issued_sender(gateway)
    number = file_incident(gateway, SERVICE, sender=internal_sender(resident))["number"]
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, HOUSING)
    referred = gateway.post(
        f"/api/staff/cases/{number}/assign", json={"department": HOUSING}, headers=auth(staff_token("supervisor"))
    )
    assert referred.status_code == 200, referred.text

    assert report(gateway, credential, number, {"type": "accepted"})["status"] == "accepted"
    assert (
        report(gateway, credential, number, {"type": "progress", "note": "物业已备好灯泡"})["status"] == "in_progress"
    )
    resolved = report(gateway, credential, number, {"type": "resolved", "result": "灯已换好，联系13812345678"})
    assert resolved["status"] == "resolved" and resolved["notice"] == "stream"
    with transaction(make_session_factory(make_engine(connector.database_url))) as session:
        stored = session.scalars(select(Incident).where(Incident.number == number)).one()
        assert stored.accepted_at is not None and stored.resolved_at is not None
        assert stored.deadline is not None and stored.accepted_at <= stored.deadline
        assert stored.result_note == "灯已换好，联系138****5678"
    lines = gateway.get("/api/handoff/messages", params={"sender": resident}).json()["lines"]
    assert [line["text"].startswith(f"您的社区事件{number}") for line in lines] == [True, True, True]


def test_reports_move_a_funded_proposal_but_never_past_its_review_or_vote(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, HOUSING)
    number = propose(gateway, open_round(gateway, staff_token), "健身步道", 200_000)
    assigned = gateway.post(
        f"/api/staff/cases/{number}/assign", json={"department": HOUSING}, headers=auth(staff_token("supervisor"))
    )
    assert assigned.status_code == 200, assigned.text

    # Not reviewed yet: acceptance into the vote is the panel's, so the department's report leaves it.
    assert report(gateway, credential, number, {"type": "accepted"})["status"] == "submitted"
    assert report(gateway, credential, number, {"type": "resolved", "result": "已完工"})["status"] == "submitted"

    with transaction(make_session_factory(make_engine(connector.database_url))) as session:
        session.execute(update(Case).where(Case.number == number).values(status="funded"))  # as the vote left it
    assert report(gateway, credential, number, {"type": "accepted"})["status"] == "in_progress"
    assert report(gateway, credential, number, {"type": "progress", "note": "已开工"})["status"] == "in_progress"
    assert report(gateway, credential, number, {"type": "resolved", "result": "步道已完工"})["status"] == "completed"
    status = gateway.get(f"/api/status/{number}", params={"phone_last4": "5678"}).json()
    assert status["status_text"] == "已完工"


def test_credentials_reach_only_the_departments_own_cases(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    token = staff_token("admin")
    land = register_at_standin(gateway, token, connector, standin_url, LAND)
    housing = register_at_standin(gateway, token, connector, standin_url, HOUSING)
    number = file_complaint(gateway, LAND)

    def report(credential: str | None, case: str = number) -> httpx.Response:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return gateway.post(f"/api/departments/cases/{case}/reports", json={"type": "accepted"}, headers=headers)

    other, unknown = report(housing), report(housing, "TS2099010100001")
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()  # nothing tells another department's case from no case
    assert report(None).status_code == 401
    assert report("dep_made-up").status_code == 401
    assert report(staff_token("agent")).status_code == 401  # a staff token is no department credential

    rotated = gateway.post(f"/api/staff/departments/{LAND}/credential", headers=auth(token))
    assert rotated.status_code == 200 and rotated.json()["credential"] != land
    assert report(land).status_code == 401
    assert report(rotated.json()["credential"]).status_code == 201


def test_registering_a_department_system(gateway: TestClient, staff_token: Token) -> None:
    admin = auth(staff_token("admin"))
    first = gateway.put(
        f"/api/staff/departments/{LAND}", json={"webhook_url": "https://land.example/hook"}, headers=admin
    )
    assert first.status_code == 200
    assert first.json()["credential"].startswith("dep_") and len(first.json()["signing_secret"]) >= 32
    changed = gateway.put(
        f"/api/staff/departments/{LAND}", json={"webhook_url": "https://land.example/v2"}, headers=admin
    )
    assert "credential" not in changed.json() and "signing_secret" not in changed.json()  # shown once only
    [listed] = gateway.get("/api/staff/departments", headers=admin).json()
    assert listed["webhook_url"] == "https://land.example/v2" and listed["pending"] == listed["dead"] == 0

    unknown = gateway.put("/api/staff/departments/市魔法部", json={"webhook_url": "https://x.example/"}, headers=admin)
    assert unknown.status_code == 422 and unknown.json()["detail"] == "unknown_department"
    bad_url = gateway.put(f"/api/staff/departments/{LAND}", json={"webhook_url": "ftp://x"}, headers=admin)
    assert bad_url.status_code == 422
    short = gateway.put(
        f"/api/staff/departments/{LAND}", json={"webhook_url": "https://x.example/", "signing_secret": "short"},
        headers=admin,
    )  # fmt: skip
    assert short.status_code == 422
    as_agent = gateway.put(
        f"/api/staff/departments/{LAND}", json={"webhook_url": "https://x.example/"}, headers=auth(staff_token("agent"))
    )
    assert as_agent.status_code == 403
    missing = gateway.post("/api/staff/departments/市民政局/credential", headers=admin)
    assert missing.status_code == 404


def test_report_bodies_are_checked(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, LAND)
    number = file_complaint(gateway, LAND)
    bearer = {"Authorization": f"Bearer {credential}"}
    url = f"/api/departments/cases/{number}/reports"
    for body in ({"type": "progress"}, {"type": "resolved", "note": "x"}, {"type": "closed"}, {}):
        response = gateway.post(url, json=body, headers=bearer)
        assert response.status_code == 422 and response.json()["message"], body


def test_a_department_reads_the_contact_of_its_open_case_only_and_audited(
    gateway: TestClient, connector: Settings, staff_token: Token, standin_url: str
) -> None:
    credential = register_at_standin(gateway, staff_token("admin"), connector, standin_url, LAND)
    other = register_at_standin(gateway, staff_token("admin"), connector, standin_url, HOUSING)
    number = file_complaint(gateway, LAND)
    url = f"/api/departments/cases/{number}/contact"

    read = gateway.get(url, headers={"Authorization": f"Bearer {credential}"})
    assert read.status_code == 200, read.text
    assert read.json() == {"number": number, "name": None, "phone": "13812345678"}
    # Another department's credential, or none: the same answers as for any other case.
    refused = gateway.get(url, headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 404 and refused.json()["detail"] == "case_not_found"
    assert gateway.get(url).status_code == 401

    closed = gateway.post(
        f"/api/departments/cases/{number}/reports",
        json={"type": "resolved", "result": "路灯已修复"},
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert closed.status_code == 201, closed.text
    late = gateway.get(url, headers={"Authorization": f"Bearer {credential}"})
    assert late.status_code == 409 and late.json()["detail"] == "case_closed"
    with transaction(make_session_factory(make_engine(connector.database_url))) as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.target == number, AuditEntry.action == "department_read_contact")
        ).all()
    assert [(e.actor, e.role) for e in reads] == [(LAND, "department")]
