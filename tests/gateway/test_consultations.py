"""意见征集: suggestions, one like per resident, top-N by likes and the participation report."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.gateway.conftest import auth


def open_consultation(client: TestClient, token: str) -> int:
    body = {"title": "城区公交线路优化", "summary": "请对公交线路提出建议", "department": "市交通运输局"}
    response = client.post("/api/staff/consultations", json=body, headers=auth(token))
    assert response.status_code == 201
    return int(response.json()["id"])


def suggest(client: TestClient, cid: int, sender: str, content: str) -> str:
    response = client.post("/api/suggestions", json={"consultation_id": cid, "sender": sender, "content": content})
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def test_likes_top_and_report(client: TestClient, staff_token: Callable[[str], str]) -> None:
    cid = open_consultation(client, staff_token("supervisor"))
    first = suggest(client, cid, "r1", "建议增开到高铁站的夜班公交")
    second = suggest(client, cid, "r2", "建议公交站台增加电子站牌")
    for voter in ("r3", "r4"):
        assert client.post(f"/api/suggestions/{second}/likes", json={"sender": voter}).status_code == 200
    again = client.post(f"/api/suggestions/{second}/likes", json={"sender": "r3"})
    assert again.status_code == 409 and "点过赞" in again.json()["message"]
    client.post(f"/api/suggestions/{first}/likes", json={"sender": "r3"})
    client.get(f"/api/consultations/{cid}", params={"sender": "r5"})  # looked, did not take part
    client.get(f"/api/consultations/{cid}", params={"sender": "r5"})  # counted once

    top = client.get(f"/api/consultations/{cid}/suggestions/top", params={"n": 1}).json()
    assert top == [{"number": second, "content": "建议公交站台增加电子站牌", "likes": 2}]

    report = client.get(f"/api/consultations/{cid}/report").json()
    assert report["suggestions"] == 2 and report["likes"] == 3
    assert report["participants"] == 4  # r1, r2 wrote; r3, r4 liked
    assert report["viewers"] == 5  # r5 only looked
    assert report["participation_rate"] == 0.8
    assert [s["number"] for s in report["top"]] == [second, first]


def test_free_topic_and_closed_consultation(client: TestClient, staff_token: Callable[[str], str]) -> None:
    free = client.post("/api/suggestions", json={"sender": "r1", "topic": "停车", "content": "老城区停车位太少了"})
    assert free.status_code == 201 and free.json()["number"].startswith("JY")
    no_topic = client.post("/api/suggestions", json={"sender": "r1", "content": "老城区停车位太少了"})
    assert no_topic.status_code == 422 and no_topic.json()["detail"] == "topic_required"
    supervisor = staff_token("supervisor")
    cid = open_consultation(client, supervisor)
    assert client.post(f"/api/staff/consultations/{cid}/close", headers=auth(supervisor)).status_code == 200
    late = client.post("/api/suggestions", json={"consultation_id": cid, "sender": "r1", "content": "再提一个建议"})
    assert late.status_code == 409
    assert client.get("/api/consultations/999999/report").status_code == 404
    report = client.get(f"/api/consultations/{cid}/report").json()
    assert report["participation_rate"] is None and report["suggestions"] == 0
