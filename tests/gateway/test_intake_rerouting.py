"""Request intake in the gateway: the place of a case (given, or read from the text), whether the routing answer
asks for one, and the resident's "部门不对" (api/services/rerouting.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import auth
from tests.gateway.test_case_routing import SERVICE, read

LAMP = "小区门口的路灯坏了一个多月了，晚上黑漆漆的没人修"
LAMP_WITH_PLACE = "金安区三里桥街道梅山路上的路灯坏了一个多月了，晚上黑漆漆的没人修"
WAGES = "老板拖欠我们工资三个月了，一直不给"


def file(client: TestClient, description: str, sender: str = "wx-resident-1", **extra: Any) -> dict[str, Any]:
    """As the action server files a WeChat resident's complaint (only it names their sender and channel)."""
    body = {"description": description, "phone": "13612345678", "sender": sender, "channel": "wechat", **extra}
    response = client.post("/api/complaints", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return dict(response.json())


def route(client: TestClient, text: str) -> dict[str, Any]:
    response = client.post("/api/routing", json={"text": text}, headers=SERVICE)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_request_that_needs_a_place_and_names_none_asks_for_one(routed_client: TestClient) -> None:
    without = route(routed_client, LAMP)
    assert without["category"] == "城乡建设" and without["needs_place"] is True and without["place"] is None
    given = route(routed_client, LAMP_WITH_PLACE)
    assert given["needs_place"] is False and given["place"] == "金安区三里桥街道 梅山路"
    wages = route(routed_client, WAGES)  # a wage dispute happens at an employer, not at a place to inspect
    assert wages["category"] == "劳动和社会保障" and wages["needs_place"] is False


def test_the_place_is_kept_as_given_or_read_from_the_text(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    agent = staff_token("agent")
    given = file(routed_client, LAMP, place="就在菜市场东门口")
    assert given["place"] == "就在菜市场东门口"
    assert read(routed_client, agent, given["number"])["place"] == "就在菜市场东门口"
    read_from_text = file(routed_client, LAMP_WITH_PLACE)
    assert read(routed_client, agent, read_from_text["number"])["place"] == "金安区三里桥街道 梅山路"
    assert file(routed_client, WAGES)["place"] is None
    too_long = routed_client.post("/api/complaints", json={"description": LAMP, "place": "路" * 201})
    assert too_long.status_code == 422 and too_long.json()["message"]


def choices(client: TestClient, number: str, sender: str = "wx-resident-1") -> Any:
    return client.get(f"/api/cases/{number}/departments", params={"sender": sender}, headers=SERVICE)


def test_the_resident_moves_a_request_to_another_offered_department(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    filed = file(routed_client, WAGES)
    offered = choices(routed_client, filed["number"])
    assert offered.status_code == 200, offered.text
    body = offered.json()
    assert body["department"] == filed["department"]
    departments = [c["department"] for c in body["choices"]]
    assert departments and filed["department"] not in departments and len(set(departments)) == len(departments)
    target = body["choices"][0]
    moved = routed_client.post(
        f"/api/cases/{filed['number']}/department",
        json={"sender": "wx-resident-1", "department": target["department"]},
        headers=SERVICE,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["department"], moved.json()["category"]) == (target["department"], target["category"])
    case = read(routed_client, staff_token("agent"), filed["number"])
    assert case["department"] == target["department"] and case["routed_by"] == "resident"


def test_only_offered_departments_of_ones_own_new_request(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    filed = file(routed_client, WAGES)
    number = filed["number"]
    assert choices(routed_client, number, sender="wx-someone-else").status_code == 404
    elsewhere = routed_client.post(
        f"/api/cases/{number}/department", json={"sender": "wx-resident-1", "department": "市纪委监委"}, headers=SERVICE
    )
    assert elsewhere.status_code == 422 and "不在可选" in elsewhere.json()["message"]
    no_token = routed_client.get(f"/api/cases/{number}/departments", params={"sender": "wx-resident-1"})
    assert no_token.status_code == 401
    started = routed_client.post(
        f"/api/staff/cases/{number}/status", json={"status": "processing"}, headers=auth(staff_token("agent"))
    )
    assert started.status_code == 200, started.text
    late = choices(routed_client, number)
    assert late.status_code == 409 and "已由部门受理" in late.json()["message"]
