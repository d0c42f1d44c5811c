"""Commendations (表扬): stored apart from complaints, numbers masked and the text encrypted at rest,
the department found from the catalogue, listed and counted for staff."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.db import make_engine, make_session_factory, transaction
from api.models import AuditEntry, Case
from api.settings import Settings
from contract.limits import MAX_LETTER_CHARS
from tests.gateway.conftest import auth

Token = Callable[[str], str]
PRAISE = "社保窗口的王芳很耐心，帮我一次办好了，我的电话13812345678"


def test_praise_is_stored_for_the_department_and_never_as_a_complaint(
    client: TestClient, settings: Settings, staff_token: Token
) -> None:
    by_service = client.post(
        "/api/commendations", json={"text": PRAISE, "service": "社会保障卡申领", "channel": "web", "sender": "r1"}
    )
    assert by_service.status_code == 201, by_service.text
    assert by_service.json()["department"] == "市人力资源和社会保障局"
    named = client.post("/api/commendations", json={"text": "感谢市公安局户籍窗口", "department": "市公安局"})
    assert named.json()["department"] == "市公安局"
    unknown = client.post("/api/commendations", json={"text": "谢谢你们", "service": "不存在的事项"})
    assert unknown.status_code == 201 and unknown.json()["department"] is None
    assert isinstance(unknown.json()["id"], int)

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        stored = " ".join(str(row[0]) for row in conn.execute(text("SELECT text FROM commendations")))
    assert "王芳" not in stored and "13812345678" not in stored  # encrypted at rest
    with transaction(make_session_factory(engine)) as session:
        assert session.scalar(select(Case.id).limit(1)) is None  # no complaint was filed

    agent = staff_token("agent")
    page = client.get("/api/staff/commendations", headers=auth(agent)).json()
    assert page["total"] == 3
    assert [item["id"] for item in page["items"]] == [unknown.json()["id"], named.json()["id"], by_service.json()["id"]]
    first = page["items"][-1]
    assert first["text"] == "社保窗口的王芳很耐心，帮我一次办好了，我的电话138****5678" and first["channel"] == "web"
    only = client.get("/api/staff/commendations", params={"department": "市公安局"}, headers=auth(agent)).json()
    assert only["total"] == 1 and only["items"][0]["text"] == "感谢市公安局户籍窗口"
    paged = client.get("/api/staff/commendations", params={"limit": 1, "offset": 1}, headers=auth(agent)).json()
    assert paged["total"] == 3 and [i["id"] for i in paged["items"]] == [named.json()["id"]]

    stats = client.get("/api/staff/stats", headers=auth(agent)).json()
    assert {"department": "市人力资源和社会保障局", "count": 1} in stats["commendations"]
    assert {"department": None, "count": 1} in stats["commendations"]
    with transaction(make_session_factory(engine)) as session:
        reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "list", AuditEntry.actor == "agent1"))
        assert sum(1 for entry in reads if entry.detail.get("kind") == "commendation") == 3


def test_bad_praise_is_refused_in_chinese_and_staff_need_a_token(client: TestClient) -> None:
    empty = client.post("/api/commendations", json={"text": "  "})
    assert empty.status_code == 422 and "表扬内容" in empty.json()["message"]
    long = client.post("/api/commendations", json={"text": "好" * (MAX_LETTER_CHARS + 1)})
    assert long.status_code == 422 and str(MAX_LETTER_CHARS) in long.json()["message"]
    assert client.post("/api/commendations", json={"text": "很好", "channel": "fax"}).status_code == 422
    assert client.get("/api/staff/commendations").status_code == 401


def test_praise_is_rate_limited_like_other_resident_routes(database_url: str) -> None:
    from api.main import create_app
    from api.migrate import upgrade
    from tests.gateway.conftest import make_settings

    upgrade(database_url)
    with TestClient(create_app(make_settings(database_url, rate_limit_per_minute=2))) as limited:
        answers = [limited.post("/api/commendations", json={"text": "谢谢"}).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
