"""不满意重办: the resident who filed a resolved complaint or hotline ticket is not satisfied. The case goes back to be
done again with a new deadline and the resident's words (masked where shown) as a 不满意重办 event, audited and
pushed to the consoles; once per case, within 30 days of the resolution; open cases, other kinds, strangers and
late requests get precise answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.db import make_engine, make_session_factory, transaction
from api.models import Case, utcnow
from api.settings import Settings
from tests.gateway.conftest import auth
from tests.gateway.test_residents import ID_NUMBER
from tests.gateway.test_supervision import Stream, served, staff_token_for
from tests.gateway.test_urges import file, history
from tests.senders import internal_sender, issued_sender

__all__ = ["served"]  # the fixture, used by the push test below

Token = Callable[[str], str]
SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


def reopen(
    client: TestClient | httpx.Client, number: str, headers: dict[str, str] | None = None, **body: object
) -> httpx.Response:
    return client.post(f"/api/cases/{number}/reopen", json=body, headers=headers)


def move(client: TestClient | httpx.Client, number: str, headers: dict[str, str], *statuses: str) -> None:
    for status in statuses:
        moved = client.post(f"/api/staff/cases/{number}/status", json={"status": status}, headers=headers)
        assert moved.status_code == 200, moved.text


def resolved(client: TestClient, sender: str, token: Token, **fields: object) -> dict[str, Any]:
    case = file(client, sender, **fields)
    move(client, case["number"], auth(token("agent")), "processing", "resolved")
    return case


def backdate(settings: Settings, number: str, **values: datetime) -> None:
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        session.execute(update(Case).where(Case.number == number).values(**values))


def test_the_filing_resident_sends_a_resolved_complaint_back(
    client: TestClient, staff_token: Token, settings: Settings
) -> None:
    case = resolved(client, "web-reopen-1", staff_token, service="社会保障卡申领")
    # Filed and due weeks ago, resolved late: the new deadline is counted from the reopening.
    backdate(settings, case["number"], deadline=utcnow() - timedelta(days=20))
    first = reopen(client, case["number"], sender="web-reopen-1", note="说是办结了 其实没人联系我 电话13912345678")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["number"], body["new"], body["status_text"]) == (case["number"], True, "处理中")
    assert body["department"] == "市人力资源和社会保障局"
    # Three working days again, counted from now: as a complaint filed today (the test's own) has.
    assert body["deadline"] == file(client, "web-reopen-today")["deadline"]
    agent = auth(staff_token("agent"))
    view = client.get(f"/api/staff/cases/{case['number']}", headers=agent).json()
    assert view["status"] == "processing"
    assert datetime.fromisoformat(view["deadline"]) == datetime.fromisoformat(body["deadline"])
    assert history(client, case["number"], staff_token("agent")) == [
        ("reopen", "不满意重办", "说是办结了 其实没人联系我 电话139****5678")
    ]
    # A retry while the case is done again: told so, nothing recorded twice.
    again = reopen(client, case["number"], sender="web-reopen-1")
    assert again.status_code == 200, again.text
    assert (again.json()["new"], again.json()["reopened_at"]) == (False, body["reopened_at"])
    assert len(history(client, case["number"], staff_token("agent"))) == 1
    log = client.get("/api/staff/audit", headers=auth(staff_token("admin"))).json()
    assert [(e["target"], e["detail"]["before"]) for e in log if e["action"] == "reopen"] == [
        (case["number"], "resolved")
    ]
    # Resolved again, a second dissatisfaction is for a person, not another round.
    move(client, case["number"], agent, "resolved")
    second = reopen(client, case["number"], sender="web-reopen-1", note="还是没解决")
    assert (second.status_code, second.json()["detail"]) == (409, "already_reopened")
    assert "转人工" in second.json()["message"]


def test_a_button_press_without_words_says_so_plainly(client: TestClient, staff_token: Token) -> None:
    case = resolved(client, "web-reopen-2", staff_token)
    assert reopen(client, case["number"], sender="web-reopen-2").status_code == 201
    assert history(client, case["number"], staff_token("agent")) == [
        ("reopen", "不满意重办", "群众对办理结果不满意，申请重办")
    ]


def test_an_open_case_is_urged_not_reopened(client: TestClient) -> None:
    case = file(client, "web-reopen-3")
    refused = reopen(client, case["number"], sender="web-reopen-3")
    assert (refused.status_code, refused.json()["detail"]) == (409, "case_open")
    assert (
        refused.json()["message"] == f"投诉{case['number']}还在办理中（当前为“已受理，等待处理”），如需加快可以催办。"
    )


def test_an_application_is_not_reopened(client: TestClient) -> None:
    body = {"service": "社会保障卡申领", "applicant_name": "李四", "id_number": ID_NUMBER}
    filed = client.post("/api/applications", json={**body, "phone": "13912345678", "sender": "web-reopen-4"})
    assert filed.status_code == 201, filed.text
    refused = reopen(client, filed.json()["number"], sender="web-reopen-4")
    assert (refused.status_code, refused.json()["detail"]) == (409, "not_reopenable")


def test_only_the_filer_or_whoever_knows_the_phone_ending(client: TestClient, staff_token: Token) -> None:
    case = resolved(client, "web-reopen-5", staff_token)  # phone 13812345678
    for body in ({"sender": "web-reopen-other"}, {}, {"phone_last4": "0000"}):
        refused = reopen(client, case["number"], **body)
        assert (refused.status_code, refused.json()["detail"]) == (404, "case_not_found"), body
    assert history(client, case["number"], staff_token("agent")) == []
    assert reopen(client, case["number"], phone_last4="5678").status_code == 201


def test_a_resolution_older_than_30_days_is_reported_again(
    client: TestClient, staff_token: Token, settings: Settings
) -> None:
    case = resolved(client, "web-reopen-6", staff_token)
    backdate(settings, case["number"], updated_at=utcnow() - timedelta(days=31))
    refused = reopen(client, case["number"], sender="web-reopen-6")
    assert (refused.status_code, refused.json()["detail"]) == (409, "reopen_expired")
    assert "再次反映" in refused.json()["message"]


def test_a_ticket_goes_back_to_the_hotline(client: TestClient, staff_token: Token) -> None:
    ticket = {"summary": "咨询公租房申请条件，答复没说清楚", "sender": "web-reopen-7", "channel": "web"}
    filed = client.post("/api/tickets", json=ticket, headers=SERVICE)
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    move(client, number, auth(staff_token("agent")), "resolved")
    # The action server asks for the resident (the ticket's sender is the conversation's).
    answer = reopen(client, number, SERVICE, sender="web-reopen-7", note="答复没回答我的问题")
    assert answer.status_code == 201, answer.text
    assert answer.json()["status_text"] == "待处理"


def test_bad_reopens_are_422(client: TestClient, staff_token: Token) -> None:
    case = resolved(client, "web-reopen-8", staff_token)
    for body in ({"sender": "web-reopen-8", "phone_last4": "12"}, {"sender": "web-reopen-8", "stars": 1}):
        assert reopen(client, case["number"], **body).status_code == 422, body
    assert history(client, case["number"], staff_token("agent")) == []


def test_a_reopened_case_reaches_the_departments_consoles(served: tuple[str, Any, Settings]) -> None:
    url, _, settings = served
    with httpx.Client(base_url=url, timeout=20) as http:
        case = file(http, "web-reopen-9", service="社会保障卡申领")
        hr_token = staff_token_for(http, settings, "agent", "市人力资源和社会保障局")
        move(http, case["number"], auth(hr_token), "processing", "resolved")
        hr = Stream(url, hr_token)
        try:
            assert reopen(http, case["number"], sender="web-reopen-9", note="卡还是没寄到").status_code == 201
            event = hr.next_supervision()
            assert (event["number"], event["kind"], event["note"]) == (case["number"], "reopen", "卡还是没寄到")
        finally:
            hr.close()


def test_an_agent_closing_a_case_asks_the_resident_how_it_went(client: TestClient, staff_token: Token) -> None:
    """回访 as after a department's report: the result, the stars and 不满意，申请重办, told once committed."""
    resident = issued_sender(client)
    body = {"description": "幸福路的路灯坏了一个月", "phone": "13812345678", "sender": internal_sender(resident)}
    filed = {**body, "channel": "web", "department": "市城市管理局"}
    number = client.post("/api/complaints", json=filed, headers=SERVICE).json()["number"]

    def stream() -> list[dict[str, Any]]:
        return list(client.get("/api/handoff/messages", params={"sender": resident}).json()["lines"])

    agent = auth(staff_token("agent"))
    move(client, number, agent, "processing")
    assert stream() == []  # only the closing is told
    closed = client.post(
        f"/api/staff/cases/{number}/status", json={"status": "resolved", "note": "路灯已于今日修复"}, headers=agent
    )
    assert closed.status_code == 200, closed.text
    [line] = stream()
    assert line["text"].startswith(f"您的投诉{number}已办结（市城市管理局）。\n处理结果：路灯已于今日修复")
    assert [b["title"] for b in line["buttons"]][-2:] == ["1分 很不满意", "不满意，申请重办"]
    # The next message rates it.
    rated = client.post("/api/chat", json={"sender": resident, "message": "5分"})
    assert rated.json()["messages"][0]["text"].startswith("感谢您的评价")
