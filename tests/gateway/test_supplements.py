"""补充说明: the resident who filed an open case (or whoever knows its phone ending) adds to or corrects it. The
description stays as filed; the supplement is a 群众补充说明 supervision event with their words (masked where shown),
audited and pushed to the consoles; a retry records nothing; closed cases, strangers and bad input get precise
answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.services.supplements import MAX_SUPPLEMENTS
from api.settings import Settings
from contract.limits import MAX_LETTER_CHARS
from tests.gateway.conftest import auth
from tests.gateway.test_reopen import move
from tests.gateway.test_supervision import Stream, served, staff_token_for
from tests.gateway.test_urges import file, history

__all__ = ["served"]  # the fixture, used by the push test below

Token = Callable[[str], str]


def supplement(client: TestClient | httpx.Client, number: str, **body: object) -> httpx.Response:
    return client.post(f"/api/cases/{number}/supplements", json=body)


def test_the_filing_resident_adds_to_the_case_which_keeps_its_description(
    client: TestClient, staff_token: Token
) -> None:
    case = file(client, "web-supp-1", description="小区电梯坏了一个星期没人修")
    words = "说错了 不是电梯 是楼道的灯坏了 有事打13912345678"
    added = supplement(client, case["number"], sender="web-supp-1", supplement=words)
    assert added.status_code == 201, added.text
    assert (added.json()["number"], added.json()["new"], added.json()["status_text"]) == (
        case["number"],
        True,
        "已受理，等待处理",
    )
    # A retry of the same words (a double click, a WeChat resend) records nothing new.
    again = supplement(client, case["number"], sender="web-supp-1", supplement=words)
    assert (again.status_code, again.json()["new"]) == (200, False)
    assert again.json()["supplemented_at"] == added.json()["supplemented_at"]
    agent = staff_token("agent")
    assert history(client, case["number"], agent) == [
        ("supplement", "群众补充说明", "说错了 不是电梯 是楼道的灯坏了 有事打139****5678")
    ]
    view = client.get(f"/api/staff/cases/{case['number']}", headers=auth(agent)).json()
    assert "电梯坏了一个星期" in view["description"]  # as filed
    log = client.get("/api/staff/audit", headers=auth(staff_token("admin"))).json()
    assert [e["target"] for e in log if e["action"] == "supplement"] == [case["number"]]


def test_whoever_knows_the_phone_ending_may_and_strangers_may_not(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-supp-2")  # phone 13812345678
    for body in ({"sender": "web-supp-other"}, {}, {"phone_last4": "0000"}):
        refused = supplement(client, case["number"], supplement="还有一件事", **body)
        assert (refused.status_code, refused.json()["detail"]) == (404, "case_not_found"), body
    assert supplement(client, case["number"], phone_last4="5678", supplement="下午三点以后家里有人").status_code == 201
    assert [kind for kind, _, _ in history(client, case["number"], staff_token("agent"))] == ["supplement"]


def test_a_closed_case_is_not_supplemented(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-supp-3")
    move(client, case["number"], auth(staff_token("agent")), "resolved")
    refused = supplement(client, case["number"], sender="web-supp-3", supplement="再补充一点")
    assert (refused.status_code, refused.json()["detail"]) == (409, "case_closed")
    assert refused.json()["message"] == (
        f"投诉{case['number']}当前为“已办结”，不能再补充。如果问题仍未解决，可以申请重办或再次反映。"
    )


def test_a_case_takes_a_bounded_number_of_supplements(client: TestClient) -> None:
    case = file(client, "web-supp-4")
    for n in range(MAX_SUPPLEMENTS):
        assert supplement(client, case["number"], sender="web-supp-4", supplement=f"第{n + 1}点补充").status_code == 201
    refused = supplement(client, case["number"], sender="web-supp-4", supplement="还有")
    assert (refused.status_code, refused.json()["detail"]) == (409, "too_many_supplements")
    assert "请转人工" in refused.json()["message"]


def test_bad_supplements_are_422_in_chinese(client: TestClient, staff_token: Token) -> None:
    case = file(client, "web-supp-5")
    for body in (
        {"sender": "web-supp-5"},
        {"sender": "web-supp-5", "supplement": "   "},
        {"sender": "web-supp-5", "supplement": "长" * (MAX_LETTER_CHARS + 1)},
    ):
        refused = supplement(client, case["number"], **body)
        assert refused.status_code == 422, body
        assert refused.json()["message"].startswith("补充内容："), refused.json()
    assert supplement(client, case["number"], sender="web-supp-5", supplement="好", stars=5).status_code == 422
    assert history(client, case["number"], staff_token("agent")) == []


def test_a_supplement_reaches_the_departments_consoles(served: tuple[str, Any, Settings]) -> None:
    url, _, settings = served
    with httpx.Client(base_url=url, timeout=20) as http:
        case = file(http, "web-supp-6", service="社会保障卡申领")
        hr = Stream(url, staff_token_for(http, settings, "agent", "市人力资源和社会保障局"))
        try:
            assert supplement(http, case["number"], sender="web-supp-6", supplement="卡号尾号是0421").status_code == 201
            event = hr.next_supervision()
            assert (event["number"], event["kind"], event["note"]) == (case["number"], "supplement", "卡号尾号是0421")
        finally:
            hr.close()
