"""催办: a resident urges an open case. The filing sender or whoever knows the phone ending may; the urge is a
群众催办 supervision event with the resident's words (masked where shown), audited, pushed to the consoles, at most
one a day per case; closed cases, strangers and bad input get precise answers."""

from __future__ import annotations

import queue
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from contract.limits import MAX_LETTER_CHARS
from tests.gateway.conftest import auth
from tests.gateway.test_residents import complaint
from tests.gateway.test_supervision import Stream, served, staff_token_for

__all__ = ["served"]  # the fixture, used by the push test below

Token = Callable[[str], str]


def file(client: TestClient | httpx.Client, sender: str, **fields: object) -> dict[str, Any]:
    response = client.post("/api/complaints", json=complaint(sender=sender, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def urge(client: TestClient | httpx.Client, number: str, **body: object) -> httpx.Response:
    return client.post(f"/api/cases/{number}/urges", json=body)


def history(client: TestClient, number: str, token: str) -> list[tuple[str, str, str]]:
    view = client.get(f"/api/staff/cases/{number}", headers=auth(token))
    assert view.status_code == 200, view.text
    return [(e["kind"], e["kind_text"], e["note"]) for e in view.json()["supervision"]]


def test_the_filing_resident_urges_once_a_day(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-urge-1", service="社会保障卡申领")
    first = urge(client, case["number"], sender="web-urge-1", note="怎么还没人处理 都等三天了 回电13912345678")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["number"], body["new"], body["status_text"]) == (case["number"], True, "已受理，等待处理")
    assert body["department"] == "市人力资源和社会保障局"
    assert datetime.fromisoformat(body["deadline"]) == datetime.fromisoformat(case["deadline"])
    # Again the same day (a second press, a retry): the first urge stands, nothing new is recorded.
    again = urge(client, case["number"], sender="web-urge-1")
    assert again.status_code == 200, again.text
    assert (again.json()["new"], again.json()["urged_at"]) == (False, body["urged_at"])
    # The department sees the resident's words, the phone in them masked.
    assert history(client, case["number"], staff_token("agent")) == [
        ("urge", "群众催办", "怎么还没人处理 都等三天了 回电139****5678")
    ]
    log = client.get("/api/staff/audit", headers=auth(staff_token("admin"))).json()
    assert [e["target"] for e in log if e["action"] == "urge"] == [case["number"]]


def test_an_urge_without_words_says_so_plainly(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-urge-2")
    assert urge(client, case["number"], sender="web-urge-2").status_code == 201
    assert history(client, case["number"], staff_token("agent")) == [("urge", "群众催办", "群众催办，请尽快办理")]


def test_only_the_filer_or_whoever_knows_the_phone_ending_may_urge(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-urge-3")  # phone 13812345678
    for body in ({"sender": "web-urge-other"}, {}, {"sender": "web-urge-other", "phone_last4": "0000"}):
        refused = urge(client, case["number"], **body)
        assert refused.status_code == 404, body
        assert refused.json()["detail"] == "case_not_found" and "编号" in refused.json()["message"]
    # An unknown number answers the same as another's case.
    assert urge(client, "TS2026010100001", sender="web-urge-3").status_code == 404
    assert history(client, case["number"], staff_token("agent")) == []
    by_phone = urge(client, case["number"], phone_last4="5678")  # a hotline caller checking in WeChat
    assert by_phone.status_code == 201, by_phone.text


def test_wrong_phone_endings_lock_the_number_as_for_the_status(client: TestClient, settings: Settings) -> None:
    case = file(client, "web-urge-4")
    for _ in range(settings.status_max_failures):
        assert urge(client, case["number"], phone_last4="0000").status_code == 404
    locked = urge(client, case["number"], phone_last4="5678")
    assert locked.status_code == 429 and locked.json()["detail"] == "status_locked"
    # The status lookup shares the count: 10⁴ endings cannot be tried through either route.
    assert client.get(f"/api/status/{case['number']}", params={"phone_last4": "5678"}).status_code == 429
    # The filer is no guesser: their own sender still urges.
    assert urge(client, case["number"], sender="web-urge-4").status_code == 201


def test_a_closed_case_is_not_urged(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-urge-5")
    agent = auth(staff_token("agent"))
    for status in ("processing", "resolved"):
        moved = client.post(f"/api/staff/cases/{case['number']}/status", json={"status": status}, headers=agent)
        assert moved.status_code == 200, moved.text
    refused = urge(client, case["number"], sender="web-urge-5")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "case_closed"
    message = f"事项{case['number']}当前为“已办结”，无需催办。如果问题仍未解决，可以再次反映。"
    assert refused.json()["message"] == message


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "web-urge-6", "phone_last4": "56a8"},
        {"sender": "web-urge-6", "note": "催" * (MAX_LETTER_CHARS + 1)},
        {"sender": "web-urge-6", "urgent": True},
    ],
)
def test_bad_urges_are_422(client: TestClient, body: dict[str, object]) -> None:
    case = file(client, "web-urge-6")
    refused = urge(client, case["number"], **body)
    assert refused.status_code == 422, refused.text


def test_an_urge_reaches_the_case_departments_consoles(served: tuple[str, Any, Settings]) -> None:
    url, _, settings = served
    with httpx.Client(base_url=url, timeout=20) as http:
        case = file(http, "web-urge-7", service="社会保障卡申领")
        hr = Stream(url, staff_token_for(http, settings, "agent", "市人力资源和社会保障局"))
        city = Stream(url, staff_token_for(http, settings, "agent", "市城市管理局"))
        try:
            assert urge(http, case["number"], sender="web-urge-7", note="请快点处理").status_code == 201
            event = hr.next_supervision()
            assert (event["number"], event["kind"], event["note"]) == (case["number"], "urge", "请快点处理")
            listed = http.get("/api/staff/supervision", headers=auth(staff_token_for(http, settings, "supervisor")))
            assert [(e["number"], e["kind"]) for e in listed.json()] == [(case["number"], "urge")]
            with pytest.raises(queue.Empty):  # another department's agent is not paged
                city.next_supervision(timeout=1)
        finally:
            hr.close()
            city.close()
