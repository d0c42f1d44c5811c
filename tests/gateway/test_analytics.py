"""数据分析: every aggregate against figures worked out by hand on a small fixed data set (SQLite and
PostgreSQL), bad filters answered with 422 in Chinese, and the CSV/XLSX exports read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Application, AssistantTurn, Case, Complaint, Evaluation, Service, SupervisionEvent, Ticket
from api.services.analytics import yellow_horizon
from api.settings import Settings
from api.workdays import WorkCalendar
from tests.gateway.conftest import auth

Token = Callable[[str], str]
LOCAL = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=LOCAL)  # a Wednesday; no holiday from mid-November to December
HOUSING, TRANSPORT = "市住房和城乡建设局", "市交通运输局"  # departments A and B
WATER_SERVICE, ROAD_SERVICE = "测试供水报装", "测试道路占用许可"
RANGE = {"from": "2026-11-26", "to": "2026-12-02"}


def at(day: int, hour: int = 10, month: int = 11, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL)


def end_of(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 23, 59, 59, tzinfo=LOCAL)


def _case(model: type[Any], number: str, **values: Any) -> Any:
    values.setdefault("updated_at", values["created_at"])
    return model(number=number, kind=model.SPEC.kind, **values)


def seed(settings: Settings) -> None:
    """Requests of the range 11-26..12-02 (and a few before it), evaluations and assistant turns."""
    sessions = make_session_factory(make_engine(settings.database_url))
    water = {"category": "城乡建设", "subcategory": "供水供气", "department": HOUSING, "service": WATER_SERVICE}
    road = {"category": "交通运输", "subcategory": "道路养护", "department": TRANSPORT}
    with transaction(sessions) as session:
        session.add_all([Service(name=WATER_SERVICE, department=HOUSING, category="城乡建设", online=True,
                                 process_days=3, fee="免费", place="线上", materials=[]),
                         Service(name=ROAD_SERVICE, department=TRANSPORT, category="交通运输", online=False,
                                 process_days=5, fee="免费", place="窗口", materials=[])])  # fmt: skip
        session.add_all(
            [
                # closed on time after 1 working day (Mon -> Tue)
                _case(Complaint, "TS2026113000001", status="resolved", channel="web", **water,
                      description="幸福路停水三天了，没有任何通知，我的电话13812345678",
                      created_at=at(30, 9), deadline=end_of(3, 12), updated_at=at(1, 15, month=12)),
                # filed at 07:00 local on 12-01 (still 11-30 in UTC); open, due today: yellow
                _case(Complaint, "TS2026120100001", status="pending", channel="web", **water,
                      description="幸福路小区又停水了，什么时候恢复供水", created_at=at(1, 7, month=12),
                      deadline=end_of(2, 12)),
                # before the range; open past its deadline: red, 3 working days overdue (Mon, Tue, Wed)
                _case(Ticket, "GD2026112500001", status="dispatched", channel="hotline", **road, origin="agent",
                      summary="人民路路面塌陷，车辆无法通行", created_at=at(25), deadline=end_of(27),
                      assigned_to="agent1"),
                # closed late after 3 working days (Thu -> Tue)
                _case(Ticket, "GD2026112600001", status="resolved", channel="wechat", **road, origin="bot",
                      summary="人民路坑洼很多，请修补路面", created_at=at(26), deadline=end_of(30),
                      updated_at=at(1, 10, month=12)),
                _case(Application, "LA2026120100001", status="submitted", channel="web", department=HOUSING,
                      service=WATER_SERVICE, id_number="340102199001011234", expected_completion=at(4).date(),
                      created_at=at(1, 10, month=12)),
                # the previous hot-topic week
                _case(Complaint, "TS2026112000001", status="resolved", channel="web", **water,
                      description="幸福路停水", created_at=at(20), deadline=end_of(25)),
            ]
        )  # fmt: skip
        session.flush()
        ids = {case.number: case.id for case in session.scalars(select(Case))}
        # Residents' follow-ups: counted per department for the cases filed in the range, each case once.
        session.add_all(
            SupervisionEvent(case_id=ids[number], kind=kind, at=at(2, month=12), by="resident")
            for number, kind in [
                ("TS2026113000001", "urge"), ("TS2026113000001", "reopen"), ("TS2026120100001", "urge"),
                ("TS2026120100001", "urge"), ("GD2026112600001", "reopen"),
                ("GD2026112500001", "urge"),  # filed before the range
            ]
        )  # fmt: skip
        session.add_all(
            [
                Evaluation(stars=5, case_number="TS2026113000001", created_at=at(1, 16, month=12)),
                Evaluation(stars=3, service=ROAD_SERVICE, created_at=at(1, 17, month=12)),
                Evaluation(stars=4, case_number="GD2026112600001", created_at=at(28)),
                Evaluation(stars=1, service=ROAD_SERVICE, created_at=at(20)),  # before the range
            ]
        )
        turns = [
            ("h1", "answered", 120, WATER_SERVICE),
            ("h1", "answered", 80, WATER_SERVICE),
            ("h2", "unanswered", 300, None),
            ("h2", "handoff", 200, None),
            ("h3", "answered", 100, ROAD_SERVICE),
            ("h3", "case", 150, None),
            ("h4", "unanswered", 500, None),
        ]
        session.add_all(
            AssistantTurn(at=at(29), channel="web", sender_hash=h, outcome=o, latency_ms=ms, service=s)
            for h, o, ms, s in turns
        )
        session.add(AssistantTurn(at=at(20), channel="web", sender_hash="h9", outcome="answered", latency_ms=9))


@pytest.fixture
def supervisor(client: TestClient, settings: Settings, staff_token: Token, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("api.routes.analytics.utcnow", lambda: NOW)
    return staff_token("supervisor")


def get(client: TestClient, token: str, **params: str) -> Any:
    response = client.get("/api/staff/analytics", params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


def test_every_aggregate_matches_the_hand_figures(client: TestClient, settings: Settings, supervisor: str) -> None:
    seed(settings)
    report = get(client, supervisor, **RANGE)
    assert (report["start"], report["end"]) == ("2026-11-26", "2026-12-02")

    volumes = report["volumes"]
    assert volumes["total"] == 4
    assert {k["key"]: k["count"] for k in volumes["by_kind"]} == {"complaint": 2, "ticket": 1, "application": 1}
    assert {(d["day"], d["kind"], d["channel"], d["count"]) for d in volumes["daily"]} == {
        ("2026-11-26", "ticket", "wechat", 1),
        ("2026-11-30", "complaint", "web", 1),
        ("2026-12-01", "complaint", "web", 1),  # local day, not the UTC one
        ("2026-12-01", "application", "web", 1),
    }
    assert next(k for k in volumes["by_channel"] if k["key"] == "wechat")["name"] == "微信"

    categories = report["categories"]
    assert categories["level1"] == [{"category": "城乡建设", "count": 2}, {"category": "交通运输", "count": 1}]
    assert categories["level2"][0] == {"category": "城乡建设", "subcategory": "供水供气", "count": 2}
    assert categories["services_complained"] == [{"service": WATER_SERVICE, "count": 2}]
    assert categories["services_asked"] == [
        {"service": WATER_SERVICE, "count": 2},
        {"service": ROAD_SERVICE, "count": 1},
    ]

    deadlines = report["deadlines"]
    by_department = {d["department"]: d for d in deadlines["departments"]}
    assert by_department[HOUSING] | {"department": None} == {
        "department": None, "due": 2, "on_time": 1, "late": 0, "on_time_rate": 1.0, "average_workdays": 1.0,
        "urged": 2, "reopened": 1,
    }  # fmt: skip
    assert (by_department[TRANSPORT]["urged"], by_department[TRANSPORT]["reopened"]) == (0, 1)
    assert by_department[TRANSPORT]["on_time_rate"] == 0.0 and by_department[TRANSPORT]["average_workdays"] == 3.0
    assert deadlines["on_time_rate"] == 0.5 and deadlines["average_workdays"] == 2.0
    assert deadlines["cards"] == {"yellow": 1, "red": 1}
    assert deadlines["overdue_total"] == 1
    (overdue,) = deadlines["overdue"]
    assert overdue["number"] == "GD2026112500001" and overdue["overdue_workdays"] == 3
    assert (overdue["department"], overdue["assigned_to"], overdue["kind_name"]) == (TRANSPORT, "agent1", "热线工单")

    satisfaction = report["satisfaction"]
    assert (satisfaction["count"], satisfaction["average"], satisfaction["share_4_5"]) == (3, 4.0, 0.6667)
    services = {r["name"]: (r["count"], r["average"], r["share_4_5"]) for r in satisfaction["services"]}
    assert services == {WATER_SERVICE: (1, 5.0, 1.0), ROAD_SERVICE: (1, 3.0, 0.0), "（未注明事项）": (1, 4.0, 1.0)}
    departments = {r["name"]: (r["count"], r["average"], r["share_4_5"]) for r in satisfaction["departments"]}
    assert departments == {HOUSING: (1, 5.0, 1.0), TRANSPORT: (2, 3.5, 0.5)}
    assert [(r["name"], r["count"], r["average"]) for r in satisfaction["trend"]] == [
        ("2026-11-28", 1, 4.0),
        ("2026-12-01", 2, 4.0),
    ]

    assert report["assistant"] == {
        "turns": 7, "conversations": 4, "self_service_rate": 0.25, "handoff_rate": 0.25,
        "fallback_rate": 0.2857, "unanswered": 2, "latency_p50_ms": 150, "latency_p95_ms": 500,
    }  # fmt: skip

    hot = report["hot_topics"]
    assert (hot["start"], hot["end"]) == ("2026-11-26", "2026-12-02")
    water, road = hot["topics"]
    assert (water["subcategory"], water["count"], water["previous"], water["change"]) == ("供水供气", 2, 1, 1)
    assert (road["subcategory"], road["count"], road["previous"], road["change"]) == ("道路养护", 1, 1, 0)
    assert water["label"].startswith("供水供气：") and "停水" in water["keywords"]
    assert not any(ch.isdigit() for ch in water["label"])  # the phone number in a text never becomes a label


def test_filters_narrow_every_section(client: TestClient, settings: Settings, supervisor: str) -> None:
    seed(settings)
    web = get(client, supervisor, **RANGE, channel="web")
    assert web["volumes"]["total"] == 3
    assert web["satisfaction"]["count"] == 1 and web["satisfaction"]["average"] == 5.0  # only the web case's
    transport = get(client, supervisor, **RANGE, department=TRANSPORT)
    assert transport["volumes"]["total"] == 1
    assert transport["deadlines"]["cards"] == {"yellow": 0, "red": 1}
    assert transport["satisfaction"]["count"] == 2
    assert transport["assistant"]["turns"] == 1  # the turn about the department's service
    one_day = get(client, supervisor, **{"from": "2026-12-01", "to": "2026-12-01"})
    assert one_day["volumes"]["total"] == 2 and one_day["categories"]["level1"] == [
        {"category": "城乡建设", "count": 1}
    ]


def test_an_empty_database_and_a_filter_without_results(client: TestClient, supervisor: str) -> None:
    for params in ({}, {**RANGE, "channel": "hotline"}):
        report = get(client, supervisor, **params)
        assert report["volumes"] == {"total": 0, "by_kind": [], "by_channel": [], "daily": []}
        assert report["deadlines"]["on_time_rate"] is None and report["deadlines"]["overdue"] == []
        assert report["satisfaction"]["average"] is None and report["assistant"]["latency_p50_ms"] is None
        assert report["hot_topics"]["topics"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-12-02", "to": "2026-11-01"}, "inverted_range"),
        ({"from": "1900-01-01", "to": "2026-12-01"}, "out_of_range"),
        ({"from": "2026-12-01", "to": "9999-12-31"}, "out_of_range"),
        ({"from": "2024-01-01", "to": "2026-12-01"}, "range_too_long"),
        ({"from": "2026-02-30"}, "invalid_date"),
        ({"from": "yesterday"}, "invalid_date"),
        ({"department": "不存在的局"}, "unknown_department"),
        ({"channel": "fax"}, "unknown_channel"),
    ],
)
def test_bad_filters_are_a_clear_422(client: TestClient, supervisor: str, params: dict[str, str], code: str) -> None:
    for path in ("/api/staff/analytics", "/api/staff/analytics/volumes_daily.csv"):
        response = client.get(path, params=params, headers=auth(supervisor))
        assert response.status_code == 422 and response.json()["detail"] == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    huge = client.get("/api/staff/analytics", params={"from": "2" * 5000}, headers=auth(supervisor))
    assert huge.status_code == 422


def test_agents_may_not_read_the_dashboard(client: TestClient, staff_token: Token) -> None:
    response = client.get("/api/staff/analytics", headers=auth(staff_token("agent")))
    assert response.status_code == 403


def test_exports_read_back(client: TestClient, settings: Settings, supervisor: str) -> None:
    seed(settings)
    options = client.get("/api/staff/analytics/options", headers=auth(supervisor)).json()
    assert HOUSING in options["departments"] and {"key": "wechat", "name": "微信"} in options["channels"]
    report = get(client, supervisor, **RANGE)
    for table in options["tables"]:
        section: Any = report
        for key in table["path"]:
            section = section[key]
        expected = section if isinstance(section, list) else [section]
        headers = [c["header"] for c in table["columns"]]
        url = f"/api/staff/analytics/{table['name']}"
        xlsx = client.get(url + ".xlsx", params=RANGE, headers=auth(supervisor))
        assert xlsx.status_code == 200, xlsx.text
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        cells = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert cells[0] == headers
        assert cells[1:] == [[row[c["key"]] for c in table["columns"]] for row in expected]
        exported = client.get(url + ".csv", params=RANGE, headers=auth(supervisor))
        assert exported.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert lines[0] == headers and len(lines) == len(expected) + 1
    rates = list(csv.reader(io.StringIO(client.get("/api/staff/analytics/deadlines_departments.csv", params=RANGE,
                                                   headers=auth(supervisor)).content.decode("utf-8-sig"))))  # fmt: skip
    assert [HOUSING, "2", "1", "0", "100.0%", "1.0", "2", "1"] in rates
    missing = client.get("/api/staff/analytics/nothing.csv", headers=auth(supervisor))
    assert missing.status_code == 404 and missing.json()["message"] == "没有名为“nothing.csv”的报表"


def test_the_yellow_horizon_agrees_with_the_card_of_every_deadline(settings: Settings) -> None:
    """The cards are counted in SQL with a cut-off; WorkCalendar.card decides them one case at a time."""
    calendar = WorkCalendar.from_file(settings.holidays_file)
    for now in (NOW, at(27, 16), at(28, 11), at(29, 23, minute=30), at(30, 0)):
        horizon = yellow_horizon(calendar, now)
        for hours in range(1, 24 * 6):
            deadline = now + timedelta(hours=hours)
            for due in (deadline, deadline.replace(hour=23, minute=59, second=59)):
                if due > now:
                    assert (calendar.card(now, due).value == "yellow") == (due < horizon), (now, due)
