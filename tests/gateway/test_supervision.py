"""督办 (deadline supervision): the scheduler with a controlled clock (yellow, red, once per case and deadline),
one leader among schedulers (PostgreSQL advisory lock, Redis lock), supervisors' notes and deadline extensions
(audited, in the case history, bad input 422), and the push reaching the right consoles only."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.db import make_engine, make_session_factory, transaction
from api.handoff import EventBus
from api.leader import LocalLeadership, PostgresLeadership, RedisLeadership, leadership_for
from api.main import create_app
from api.migrate import upgrade
from api.models import CASE_KINDS, Case, StaffUser, SupervisionEvent
from api.security import hash_password
from api.settings import Settings
from api.supervision import SupervisionScheduler
from api.workdays import HOURS_YELLOW_SHARE, WorkCalendar
from contract.case_kinds import DEADLINE_RUNNING_STATUSES
from tests.gateway.conftest import PASSWORD, auth, make_settings
from tests.gateway.server import serve
from tests.gateway.test_incidents import file as file_incident
from tests.gateway.test_incidents import seed_directory
from tests.gateway.test_residents import complaint

Token = Callable[[str], str]
HR = "市人力资源和社会保障局"  # the department of 社会保障卡申领 in the catalogue
CITY = "市城市管理局"
DEPARTMENT_CODES = {HR: "hr", CITY: "city"}


def calendar_of(settings: Settings) -> WorkCalendar:
    return WorkCalendar.from_file(settings.holidays_file, settings.timezone)


def file_complaint(client: httpx.Client, text: str, **fields: object) -> dict[str, Any]:
    response = client.post("/api/complaints", json=complaint(description=text, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def deadline_of(receipt: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(receipt["deadline"])


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def scheduler(settings: Settings, clock: Clock, leadership: Any = None, bus: EventBus | None = None) -> Any:
    engine = make_engine(settings.database_url)
    return SupervisionScheduler(
        make_session_factory(engine),
        calendar_of(settings),
        leadership or LocalLeadership(),
        bus or EventBus(None, "test:"),
        interval_seconds=60,
        clock=clock,
    )


def cards(settings: Settings) -> list[tuple[str, str]]:
    """(case number, kind) of every recorded card, in order."""
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        rows = session.execute(
            select(Case.number, SupervisionEvent.kind)
            .join(Case, Case.id == SupervisionEvent.case_id)
            .where(SupervisionEvent.kind.in_(("yellow", "red")))
            .order_by(SupervisionEvent.id)
        )
        return [(number, kind) for number, kind in rows]


# The scheduler -------------------------------------------------------------------------------------


def test_cases_turn_yellow_then_red_once_each(client: TestClient, settings: Settings) -> None:
    early = file_complaint(client, "社保卡申领一个月了还没拿到卡", service="社会保障卡申领")
    late = file_complaint(client, "小区垃圾三天没人清运")
    deadline = deadline_of(early)
    calendar = calendar_of(settings)
    clock = Clock(datetime.now(UTC))
    ticker = scheduler(settings, clock)

    assert ticker.record() == []  # just filed: three working days left

    # The last working day before the deadline: yellow, recorded once however often the scheduler runs.
    clock.now = deadline - timedelta(hours=2)
    assert calendar.card(clock.now, deadline).value == "yellow"
    events = ticker.record()
    assert {(e["number"], e["kind"]) for e in events} == {(early["number"], "yellow"), (late["number"], "yellow")}
    pushed = next(e for e in events if e["number"] == early["number"])
    assert pushed["type"] == "supervision" and pushed["department"] == HR and pushed["by"] == "system"
    assert pushed["kind_text"] == "黄牌督办" and datetime.fromisoformat(pushed["deadline"]) == deadline
    assert ticker.record() == []

    # Resolved before the deadline: no red card for it.
    agent = auth(staff_token_for(client, settings, "agent"))
    resolved = client.post(f"/api/staff/cases/{late['number']}/status", json={"status": "resolved"}, headers=agent)
    assert resolved.status_code == 200, resolved.text

    clock.now = deadline + timedelta(minutes=1)
    assert [(e["number"], e["kind"]) for e in ticker.record()] == [(early["number"], "red")]
    clock.now = deadline + timedelta(days=3)
    assert ticker.record() == []
    assert sorted(cards(settings)) == sorted(
        [(early["number"], "yellow"), (late["number"], "yellow"), (early["number"], "red")]
    )

    # Each card is in the audit log as the system's, and in the case's history.
    view = client.get(f"/api/staff/cases/{early['number']}", headers=agent).json()
    assert [(s["kind"], s["by"]) for s in view["supervision"]] == [("yellow", "system"), ("red", "system")]
    admin = auth(staff_token_for(client, settings, "admin"))
    log = client.get("/api/staff/audit", params={"target": early["number"]}, headers=admin).json()
    assert [e["detail"]["card"] for e in log if e["action"] == "supervision"] == ["red", "yellow"]


def test_cases_first_seen_overdue_get_red_only(client: TestClient, settings: Settings) -> None:
    # Enough of them for PostgreSQL to run the insert as a prepared generic plan (after psycopg's 5 + its 5).
    numbers = [file_complaint(client, f"{i}号工地施工噪音扰民到深夜")["number"] for i in range(12)]
    overdue = deadline_of(client.get(f"/api/status/{numbers[0]}?phone_last4=5678").json()) + timedelta(days=1)
    ticker = scheduler(settings, Clock(overdue))
    assert sorted((e["number"], e["kind"]) for e in ticker.record()) == [(n, "red") for n in sorted(numbers)]
    assert sorted(cards(settings)) == [(n, "red") for n in sorted(numbers)]


def test_a_deadline_in_hours_turns_yellow_in_its_last_quarter_only(client: TestClient, settings: Settings) -> None:
    """社区事件 are answered within hours: yellow when a quarter of the window is left, not from filing on (a
    working day before a 4-hour deadline is at once); red once overdue."""
    seed_directory(client, settings)
    incident = file_incident(client)
    number, deadline = incident["number"], deadline_of(incident)
    window = timedelta(hours=settings.incident_response_hours)
    yellow_from = deadline - window * HOURS_YELLOW_SHARE
    clock = Clock(deadline - window + timedelta(minutes=1))
    ticker = scheduler(settings, clock)

    assert ticker.record() == []  # just filed
    clock.now = yellow_from - timedelta(minutes=1)
    assert ticker.record() == []
    clock.now = yellow_from + timedelta(minutes=1)
    assert [(e["number"], e["kind"]) for e in ticker.record()] == [(number, "yellow")]
    clock.now = deadline + timedelta(minutes=1)
    assert [(e["number"], e["kind"]) for e in ticker.record()] == [(number, "red")]

    # The lists and the analytics read the same cards (at the real time: filed just now, then moved back).
    agent = auth(staff_token_for(client, settings, "agent"))
    supervisor = auth(staff_token_for(client, settings, "supervisor"))

    def listed(card: str) -> list[str]:
        page = client.get("/api/staff/cases", params={"kind": "incident", "card": card}, headers=agent).json()
        return [item["number"] for item in page["items"]]

    def analytics_cards() -> dict[str, int]:
        return dict(client.get("/api/staff/analytics", headers=supervisor).json()["deadlines"]["cards"])

    assert listed("yellow") == [] and analytics_cards() == {"yellow": 0, "red": 0}
    sessions = make_session_factory(make_engine(settings.database_url))
    for left, card in ((window / 2, "none"), (window / 8, "yellow"), (-window / 8, "red")):
        filed = datetime.now(UTC) + left - window
        with transaction(sessions) as session:
            session.execute(update(Case).where(Case.number == number).values(created_at=filed, deadline=filed + window))
        assert listed("yellow") == ([number] if card == "yellow" else [])
        assert listed("red") == ([number] if card == "red" else [])
        assert analytics_cards() == {"yellow": int(card == "yellow"), "red": int(card == "red")}

    # Accepted by its officer, the response deadline is met: no card, however long the work takes.
    with transaction(sessions) as session:
        session.execute(update(Case).where(Case.number == number).values(status="accepted"))
    assert listed("red") == [] and analytics_cards() == {"yellow": 0, "red": 0}
    clock.now = deadline + window
    assert ticker.record() == []


def test_two_unled_schedulers_at_once_still_record_each_card_once(client: TestClient, settings: Settings) -> None:
    """Even without a leader (two processes that both think they lead), the unique index keeps one card."""
    numbers = [file_complaint(client, f"第{i}号楼电梯停运没人修")["number"] for i in range(5)]
    late = deadline_of(client.get(f"/api/status/{numbers[0]}?phone_last4=5678").json()) + timedelta(minutes=5)
    tickers = [scheduler(settings, Clock(late)) for _ in range(2)]
    start = threading.Barrier(2)
    results: list[list[dict[str, Any]]] = []

    def run(ticker: Any) -> None:
        start.wait()
        results.append(ticker.record())

    threads = [threading.Thread(target=run, args=(t,)) for t in tickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(e["number"] for events in results for e in events) == sorted(numbers)
    assert sorted(cards(settings)) == sorted((n, "red") for n in numbers)


def staff_token_for(client: httpx.Client, settings: Settings, role: str, department: str | None = None) -> str:
    """A staff account `<role>-<department code>` (created once) and its token (kept: hashing is slow)."""
    username = f"{role}-{DEPARTMENT_CODES.get(department, 'none')}"
    if (settings.database_url, username) in _TOKENS:
        return _TOKENS[settings.database_url, username]
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        if session.scalars(select(StaffUser).where(StaffUser.username == username)).first() is None:
            session.add(
                StaffUser(
                    username=username,
                    display_name=f"测试{role}",
                    role=role,
                    department=department,
                    password_hash=hash_password(PASSWORD),
                )
            )
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    _TOKENS[settings.database_url, username] = str(response.json()["access_token"])
    return _TOKENS[settings.database_url, username]


_TOKENS: dict[tuple[str, str], str] = {}


def test_a_status_name_holds_to_the_deadline_in_every_kind_with_one_or_in_none() -> None:
    """What lets the scheduler find the cases held to their deadline by status alone."""
    for model in CASE_KINDS.values():
        spec = model.SPEC
        if spec.deadline_setting is None:
            continue
        held = {status for status in spec.statuses if spec.deadline_runs(status)}
        assert held <= set(DEADLINE_RUNNING_STATUSES), spec.kind
        assert not (set(spec.statuses) - held) & set(DEADLINE_RUNNING_STATUSES), spec.kind


# One leader ----------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_one_leader_among_two_schedulers_on_postgresql(postgres_url: str) -> None:
    upgrade(postgres_url)
    settings = make_settings(postgres_url)
    with TestClient(create_app(settings)) as client:
        numbers = [file_complaint(client, f"{i}号路段积水严重")["number"] for i in range(3)]
        overdue = Clock(
            deadline_of(client.get(f"/api/status/{numbers[0]}?phone_last4=5678").json()) + timedelta(hours=1)
        )
    # Two workers: each its own engine (own connections), as two processes would have.
    first = scheduler(settings, overdue, PostgresLeadership(make_engine(postgres_url), "supervision"))
    second = scheduler(settings, overdue, PostgresLeadership(make_engine(postgres_url), "supervision"))
    assert isinstance(leadership_for("supervision", first.sessions.kw["bind"], None, "", 1), PostgresLeadership)

    outcomes: dict[str, Any] = {}
    start = threading.Barrier(2)

    def run(name: str, ticker: Any) -> None:
        start.wait()
        outcomes[name] = ticker.record()

    threads = [threading.Thread(target=run, args=pair) for pair in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    leaders = [name for name, events in outcomes.items() if events is not None]
    assert len(leaders) == 1
    assert sorted(e["number"] for e in outcomes[leaders[0]]) == sorted(numbers)
    leader, follower = (first, second) if leaders == ["first"] else (second, first)
    assert leader.record() == [] and follower.record() is None  # the leader keeps it; still no duplicate

    # The leader's process dies (its connection ends): the other takes over at its next tick.
    held = (
        "FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"SELECT pg_terminate_backend(pid) {held}")
        for _ in range(100):  # the backend exits (and PostgreSQL frees its locks) a moment after the signal
            if admin.execute(f"SELECT count(*) {held}").fetchone() == (0,):
                break
            time.sleep(0.05)
    assert follower.record() == []
    assert leader.record() is None  # it notices the lost connection and is a follower now
    follower.leadership.release()
    assert leader.record() == []
    assert sorted(cards(settings)) == sorted((n, "red") for n in numbers)


@pytest.mark.redis
def test_one_leader_among_two_schedulers_with_redis(
    database_url: str, redis_url: str, redis_prefix: str, tmp_path: Any
) -> None:
    upgrade(database_url)
    settings = make_settings(database_url)
    with TestClient(create_app(settings)) as client:
        number = file_complaint(client, "公交站台顶棚破损漏雨")["number"]
        overdue = Clock(deadline_of(client.get(f"/api/status/{number}?phone_last4=5678").json()) + timedelta(hours=1))
    client_a, client_b = redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)
    key = f"{redis_prefix}leader:supervision"
    first = scheduler(settings, overdue, RedisLeadership(client_a, key, ttl_seconds=0.5))
    second = scheduler(settings, overdue, RedisLeadership(client_b, key, ttl_seconds=0.5))
    try:
        assert [e["number"] for e in first.record()] == [number]
        assert second.record() is None
        assert first.record() == []  # renewed, and nothing new
        # A leader that stops renewing (a stalled worker) loses the lock when it expires.
        threading.Event().wait(0.7)
        assert second.record() == [] and first.record() is None
        second.leadership.release()  # a worker shutting down hands over at once
        assert first.record() == []
        assert cards(settings) == [(number, "red")]
    finally:
        client_a.close()
        client_b.close()


# Notes and extensions --------------------------------------------------------------------------------


def test_supervisors_note_and_extend_audited_and_in_history(client: TestClient, settings: Settings) -> None:
    case = file_complaint(client, "社保卡申领材料被退回三次", service="社会保障卡申领")
    number, deadline = case["number"], deadline_of(case)
    calendar = calendar_of(settings)
    supervisor = auth(staff_token_for(client, settings, "supervisor"))
    agent = auth(staff_token_for(client, settings, "agent", HR))

    note = {"note": "请于今日回复居民，联系电话13812345678已核实"}
    assert client.post(f"/api/staff/cases/{number}/supervision-notes", json=note, headers=agent).status_code == 403
    noted = client.post(f"/api/staff/cases/{number}/supervision-notes", json=note, headers=supervisor)
    assert noted.status_code == 201, noted.text
    assert noted.json()["kind"] == "note" and noted.json()["note"] == "请于今日回复居民，联系电话138****5678已核实"

    day = calendar.add_workdays(deadline.astimezone(calendar.tz).date(), 2)
    body = {"new_deadline": day.isoformat(), "reason": "需现场核查，协调多个部门"}
    extended = client.post(f"/api/staff/cases/{number}/deadline-extensions", json=body, headers=supervisor)
    assert extended.status_code == 201, extended.text
    new_deadline = calendar.end_of(day)
    assert datetime.fromisoformat(extended.json()["deadline"]) == deadline
    assert datetime.fromisoformat(extended.json()["new_deadline"]) == new_deadline

    view = client.get(f"/api/staff/cases/{number}", headers=agent).json()
    assert datetime.fromisoformat(view["deadline"]) == new_deadline
    history = [(s["kind"], s["by"], s["note"]) for s in view["supervision"]]
    assert history == [
        ("note", "supervisor-none", "请于今日回复居民，联系电话138****5678已核实"),
        ("extension", "supervisor-none", "需现场核查，协调多个部门"),
    ]
    admin = auth(staff_token_for(client, settings, "admin"))
    log = client.get("/api/staff/audit", params={"target": number}, headers=admin).json()
    actions = {e["action"]: e["detail"] for e in log}
    assert actions["deadline_extension"]["reason"] == "需现场核查，协调多个部门"
    assert datetime.fromisoformat(actions["deadline_extension"]["new"]) == new_deadline
    assert "supervision_note" in actions

    # The old deadline passing is no longer red; the new one gets its own cards.
    ticker = scheduler(settings, Clock(deadline + timedelta(hours=1)))
    assert ticker.record() == []
    ticker.clock.now = new_deadline - timedelta(hours=1)
    assert [e["kind"] for e in ticker.record()] == ["yellow"]


def test_bad_notes_and_extensions_are_422_with_a_chinese_message(client: TestClient, settings: Settings) -> None:
    case = file_complaint(client, "菜市场占道经营堵路")
    number, deadline = case["number"], deadline_of(case)
    calendar = calendar_of(settings)
    supervisor = auth(staff_token_for(client, settings, "supervisor"))
    notes = f"/api/staff/cases/{number}/supervision-notes"
    extensions = f"/api/staff/cases/{number}/deadline-extensions"
    due = deadline.astimezone(calendar.tz).date()
    saturday = due + timedelta(days=(5 - due.weekday()) % 7 or 7)
    while saturday in calendar.extra_workdays:  # a rare working Saturday: take the next one
        saturday += timedelta(days=7)
    later = calendar.add_workdays(due, 1).isoformat()

    cases: list[tuple[str, dict[str, Any], str, str]] = [
        (notes, {"note": "   "}, "督办意见：内容过短，至少1个字", ""),
        (notes, {}, "督办意见：必填项未填写", ""),
        (notes, {"note": "好" * 501}, "督办意见：内容过长，最多500个字", ""),
        (extensions, {"new_deadline": later}, "延期理由：必填项未填写", ""),
        (extensions, {"new_deadline": "2026-13-40", "reason": "核查"}, "新的办理时限：格式不正确", ""),
        (extensions, {"new_deadline": due.isoformat(), "reason": "核查"}, "", "deadline_not_later"),
        (
            extensions,
            {"new_deadline": (due - timedelta(days=30)).isoformat(), "reason": "核查"},
            "",
            "deadline_not_later",
        ),
        (extensions, {"new_deadline": saturday.isoformat(), "reason": "核查"}, "", "deadline_not_workday"),
        (extensions, {"new_deadline": "2099-06-01", "reason": "核查"}, "", "deadline_too_far"),
        (extensions, {"new_deadline": later, "reason": "核查", "extra": 1}, "", ""),
    ]
    for path, body, message, detail in cases:
        response = client.post(path, json=body, headers=supervisor)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["message"], body
        if message:
            assert response.json()["message"] == message, body
        if detail:
            assert response.json()["detail"] == detail and "时限" in response.json()["message"], body

    unknown = client.post(
        "/api/staff/cases/TS2099010100001/supervision-notes", json={"note": "催办"}, headers=supervisor
    )
    assert unknown.status_code == 404 and unknown.json()["message"] == "未找到该编号对应的事项，请核对编号"

    suggestion = client.post(
        "/api/suggestions", json={"content": "建议增加公交线路班次", "topic": "公交", "sender": "web-s1"}
    )
    undated = client.post(
        f"/api/staff/cases/{suggestion.json()['number']}/deadline-extensions",
        json={"new_deadline": later, "reason": "核查"},
        headers=supervisor,
    )
    assert undated.status_code == 422 and undated.json()["detail"] == "no_deadline"

    agent = auth(staff_token_for(client, settings, "agent"))
    client.post(f"/api/staff/cases/{number}/status", json={"status": "resolved"}, headers=agent)
    closed = client.post(notes, json={"note": "催办"}, headers=supervisor)
    assert closed.status_code == 409 and closed.json()["message"] == f"事项{number}当前为“已办结”，无需督办"
    # Nothing of the refused requests was recorded; the deadline is unchanged.
    view = client.get(f"/api/staff/cases/{number}", headers=agent).json()
    assert view["supervision"] == [] and datetime.fromisoformat(view["deadline"]) == deadline


def test_admin_creates_an_agent_with_a_department(client: TestClient, settings: Settings) -> None:
    admin = auth(staff_token_for(client, settings, "admin"))
    body = {
        "username": "hr.agent",
        "display_name": "人社坐席",
        "role": "agent",
        "password": "long-enough-pw",
        "department": HR,
    }
    assert client.post("/api/staff/users", json=body, headers=admin).status_code == 201
    token = client.post("/api/auth/login", json={"username": "hr.agent", "password": "long-enough-pw"}).json()
    me = client.get("/api/staff/me", headers=auth(token["access_token"])).json()
    assert me["department"] == HR


# Pushes ------------------------------------------------------------------------------------------------


class Stream:
    """A console's live updates (GET /api/staff/handoff/events), read in a background thread."""

    def __init__(self, url: str, token: str) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._client = httpx.Client(base_url=url, headers=auth(token), timeout=httpx.Timeout(5, read=None))
        self._ready = threading.Event()
        self._response: httpx.Response | None = None
        threading.Thread(target=self._read, daemon=True).start()
        assert self._ready.wait(10), "the stream did not open"

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/api/staff/handoff/events") as response:
                self._response = response
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        if event.get("type") == "ready":
                            self._ready.set()
                        else:
                            self.events.put(event)
        except httpx.HTTPError:
            return  # closed at the end of the test

    def next_supervision(self, timeout: float = 10) -> dict[str, Any]:
        while True:
            event = self.events.get(timeout=timeout)
            if event.get("type") == "supervision":
                return event

    def close(self) -> None:
        # Shut the socket down (which wakes the reader and tells the server), so the server stops at once.
        assert self._response is not None
        stream = self._response.extensions["network_stream"]
        stream.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
        self._client.close()


@pytest.fixture
def served(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[str, Any, Settings]]:
    """The gateway under uvicorn with a scheduler ticking every 0.2 s; with Redis when parametrized so."""
    upgrade(database_url)
    overrides: dict[str, Any] = {"supervision_interval_seconds": 0.2}
    if getattr(request, "param", "memory") == "redis":
        overrides |= {"redis_url": request.getfixturevalue("redis_url")}
        overrides |= {"redis_prefix": request.getfixturevalue("redis_prefix")}
    settings = make_settings(database_url, **overrides)
    app = create_app(settings)
    with serve(app) as url:
        yield url, app, settings


@pytest.mark.parametrize("served", ["memory", pytest.param("redis", marks=pytest.mark.redis)], indirect=True)
def test_supervision_reaches_the_departments_agents_and_supervisors_only(served: tuple[str, Any, Settings]) -> None:
    url, app, settings = served
    with httpx.Client(base_url=url, timeout=20) as http:
        pushes_reach_the_right_consoles(http, url, app, settings)


def pushes_reach_the_right_consoles(http: httpx.Client, url: str, app: Any, settings: Settings) -> None:
    hr_case = file_complaint(http, "社保卡补办两周还没拿到", service="社会保障卡申领")
    city_case = file_complaint(http, "公园厕所长期无人保洁", department=CITY)
    supervisor = auth(staff_token_for(http, settings, "supervisor"))
    streams = {
        "hr": Stream(url, staff_token_for(http, settings, "agent", HR)),
        "city": Stream(url, staff_token_for(http, settings, "agent", CITY)),
        "supervisor": Stream(url, staff_token_for(http, settings, "supervisor")),
    }
    calendar = calendar_of(settings)
    try:
        # A supervisor extends the city case (so that only the HR case is overdue below): its agent is told.
        later = calendar.add_workdays(deadline_of(city_case).astimezone(calendar.tz).date(), 2)
        extension = {"new_deadline": later.isoformat(), "reason": "需协调园林部门"}
        path = f"/api/staff/cases/{city_case['number']}/deadline-extensions"
        assert http.post(path, json=extension, headers=supervisor).status_code == 201
        for name in ("city", "supervisor"):
            event = streams[name].next_supervision()
            assert (event["number"], event["kind"], event["department"]) == (city_case["number"], "extension", CITY)

        # The scheduler running in the gateway: its clock moves past the HR case's deadline. The HR agent's
        # first 督办 is this red card (the city extension never reached it).
        app.state.supervision.clock = Clock(deadline_of(hr_case) + timedelta(minutes=1))
        for name in ("hr", "supervisor"):
            event = streams[name].next_supervision()
            assert (event["number"], event["kind"], event["department"]) == (hr_case["number"], "red", HR)

        # A note on the city case: the city agent's next 督办 (the HR red card never reached it).
        path = f"/api/staff/cases/{city_case['number']}/supervision-notes"
        assert http.post(path, json={"note": "请加快处理"}, headers=supervisor).status_code == 201
        event = streams["city"].next_supervision()
        assert (event["number"], event["kind"]) == (city_case["number"], "note")
        assert streams["supervisor"].next_supervision()["kind"] == "note"
        with pytest.raises(queue.Empty):  # and the HR agent gets nothing more
            streams["hr"].next_supervision(timeout=1)

        # The console's 督办 list: the agent's department's only, all of them for supervisors.
        hr_agent = auth(staff_token_for(http, settings, "agent", HR))
        assert [e["kind"] for e in http.get("/api/staff/supervision", headers=hr_agent).json()] == ["red"]
        listed = {(e["number"], e["kind"]) for e in http.get("/api/staff/supervision", headers=supervisor).json()}
        assert listed == {(city_case["number"], "note"), (hr_case["number"], "red"), (city_case["number"], "extension")}
        nobody = auth(staff_token_for(http, settings, "agent"))
        centre = {(e["number"], e["kind"]) for e in http.get("/api/staff/supervision", headers=nobody).json()}
        assert centre == listed  # the centre's own agents work every case
    finally:
        for stream in streams.values():
            stream.close()
