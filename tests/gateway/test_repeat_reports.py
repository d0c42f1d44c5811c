"""A resident reporting again ("上次反映的……到现在都没人修") gets a new case linked to their earlier one: both cases
carry a "repeat" supervision event, the receipt names the earlier case, and nothing links without a clear match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import auth

SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


def complain(
    client: TestClient, description: str, sender: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = client.post("/api/complaints", json={"description": description, "sender": sender}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def supervision(client: TestClient, number: str, headers: dict[str, str]) -> list[tuple[str, str, str]]:
    view = client.get(f"/api/staff/cases/{number}", headers=headers)
    assert view.status_code == 200, view.text
    return [(event["kind"], event["by"], event["note"]) for event in view.json()["supervision"]]


def test_a_repeat_report_is_linked_to_the_residents_earlier_case(
    client: TestClient, staff_token: Callable[[str], str]
) -> None:
    first = complain(client, "小区门口的路灯坏了，晚上一片漆黑", "web-repeat-1")
    again = complain(client, "上次反映的小区门口路灯坏了，到现在都没人修", "web-repeat-1")
    assert again["number"] != first["number"]
    assert (again["earlier_number"], again["earlier_status"]) == (first["number"], "已受理，等待处理")
    agent = auth(staff_token("agent"))
    assert supervision(client, first["number"], agent) == [
        ("repeat", "system", f"群众再次反映，新办件{again['number']}")
    ]
    assert supervision(client, again["number"], agent) == [
        ("repeat", "system", f"再次反映，上次办件{first['number']}（已受理，等待处理）")
    ]
    log = client.get("/api/staff/audit", headers=auth(staff_token("admin"))).json()
    assert [e["detail"] for e in log if e["action"] == "repeat_report"] == [{"earlier": first["number"]}]


def test_the_earlier_case_named_by_number_wins(client: TestClient) -> None:
    named = complain(client, "楼下烧烤店油烟太大", "web-repeat-2")
    complain(client, "公园的健身器材坏了", "web-repeat-2")
    again = complain(client, f"之前投诉过的{named['number']}，油烟还是很大", "web-repeat-2")
    assert again["earlier_number"] == named["number"]


def test_no_link_without_a_clear_earlier_case(client: TestClient, staff_token: Callable[[str], str]) -> None:
    # Another resident's case is never linked, however alike.
    complain(client, "小区门口的路灯坏了", "web-repeat-3")
    other = complain(client, "上次反映的小区门口路灯坏了，到现在都没人修", "web-repeat-4")
    assert other["earlier_number"] is None
    # Two earlier cases and nothing to tell them apart (no category without a router, no number): no guess.
    complain(client, "路口的路灯坏了好几天", "web-repeat-5")
    complain(client, "人行道上的井盖丢了", "web-repeat-5")
    assert complain(client, "上次反映的问题还没人管", "web-repeat-5")["earlier_number"] is None
    # A first report that does not say it was reported before is not a repeat.
    complain(client, "路口的路灯坏了好几天", "web-repeat-6")
    plain = complain(client, "人行道上的井盖也丢了", "web-repeat-6")
    assert plain["earlier_number"] is None
    assert supervision(client, plain["number"], auth(staff_token("agent"))) == []


def test_a_hotline_ticket_can_be_the_earlier_case(client: TestClient) -> None:
    ticket = client.post("/api/tickets", json={"summary": "垃圾站太臭", "sender": "web-repeat-7"}, headers=SERVICE)
    assert ticket.status_code == 201, ticket.text
    # The action server files for the same conversation's sender (vouched by the service token, as the ticket).
    again = complain(client, "前几天打过12345说垃圾站太臭，现在还是臭", "web-repeat-7", SERVICE)
    assert again["earlier_number"] == ticket.json()["number"]


def test_the_same_category_picks_among_several_earlier_cases(routed_client: TestClient) -> None:
    client = routed_client
    lamp = complain(client, "小区物业不管事，电梯坏了一个月", "web-repeat-8")
    noise = complain(client, "工地晚上施工噪音太吵睡不着", "web-repeat-8")
    assert lamp["category"] != noise["category"]  # the fixture router tells them apart
    again = complain(client, "上次反映过的工地夜间施工噪音，昨晚又吵到两点", "web-repeat-8")
    assert again["category"] == noise["category"] and again["earlier_number"] == noise["number"]


def test_a_repeat_report_takes_the_earlier_cases_place(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    place = "金安区三里桥街道 梅山路"
    body = {"description": "路灯坏了，晚上一片漆黑", "sender": "web-repeat-9", "place": place}
    first = routed_client.post("/api/complaints", json=body, headers=SERVICE)  # filed by the assistant
    assert first.status_code == 201, first.text
    text = "上次反映的路灯到现在都没人修"

    def advice(sender: str, headers: dict[str, str]) -> dict[str, Any]:
        response = routed_client.post("/api/routing", json={"text": text, "sender": sender}, headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    # The assistant need not ask where: the resident's earlier case says it.
    assert (advice("web-repeat-9", SERVICE)["place"], advice("web-repeat-9", SERVICE)["needs_place"]) == (place, False)
    assert advice("web-repeat-10", SERVICE)["place"] is None  # another resident's case tells nothing
    # Only the assistant speaks for a resident.
    refused = routed_client.post(
        "/api/routing", json={"text": text, "sender": "web-repeat-9"}, headers=auth(staff_token("agent"))
    )
    assert refused.status_code == 403 and refused.json()["detail"] == "sender_for_service_only"
    again = complain(routed_client, text, "web-repeat-9", SERVICE)
    assert (again["earlier_number"], again["place"]) == (first.json()["number"], place)
