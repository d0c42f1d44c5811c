"""`GET /api/cases?sender=`: a resident's own recent cases, for "查一下我的投诉" without the number."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Case
from api.settings import Settings

SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


def complain(client: TestClient, description: str, sender: str) -> str:
    body = {"description": description, "sender": sender, "phone": "13812345678"}
    response = client.post("/api/complaints", json=body, headers=SERVICE)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def test_a_resident_sees_their_own_recent_cases_newest_first(client: TestClient, settings: Settings) -> None:
    first = complain(client, "电话13912345678，小区门口的路灯坏了", "wechat-own-1")
    second = complain(client, "楼下烧烤店油烟太大", "wechat-own-1")
    complain(client, "公园的健身器材坏了", "wechat-own-2")
    old = complain(client, "去年反映过的排水沟堵塞", "wechat-own-1")
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        case = session.scalars(select(Case).where(Case.number == old)).one()
        case.created_at -= timedelta(days=181)  # older than the window: not listed
    response = client.get("/api/cases", params={"sender": "wechat-own-1"}, headers=SERVICE)
    assert response.status_code == 200, response.text
    cases = response.json()
    assert [c["number"] for c in cases] == [second, first]
    assert {c["kind_text"] for c in cases} == {"投诉"} and "status_text" not in cases[0]  # that needs the phone
    assert cases[0]["text"] == "楼下烧烤店油烟太大"
    assert "13912345678" not in cases[1]["text"] and len(cases[1]["text"]) <= 24
    assert client.get("/api/cases", params={"sender": "wechat-own-3"}, headers=SERVICE).json() == []


def test_a_suggestion_is_listed_with_its_own_words(client: TestClient) -> None:
    complain(client, "小区门口的路灯坏了", "wechat-own-5")
    body = {"sender": "wechat-own-5", "topic": "停车", "content": "建议老城区多建几个立体停车场，晚上根本找不到车位"}
    assert client.post("/api/suggestions", json=body, headers=SERVICE).status_code == 201
    cases = client.get("/api/cases", params={"sender": "wechat-own-5"}, headers=SERVICE).json()
    assert [(c["kind_text"], c["text"]) for c in cases] == [
        ("建议", "建议老城区多建几个立体停车场，晚上根本找不到车位"[:24]),
        ("投诉", "小区门口的路灯坏了"),
    ]


def test_only_the_assistant_lists_a_residents_cases(client: TestClient) -> None:
    complain(client, "小区门口的路灯坏了", "wechat-own-4")
    assert client.get("/api/cases", params={"sender": "wechat-own-4"}).status_code == 401
    assert client.get("/api/cases", headers=SERVICE).status_code == 422  # no sender, no list of everyone's
