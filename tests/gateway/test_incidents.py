"""Smart-community incidents (SQ) through the API on SQLite and PostgreSQL: the administrators' directory and
its CSV import (per-row Chinese errors, nothing applied on error), filing and assignment (grid officer, round
robin, backup when away, concurrent filings), photos (type by content, size, owner), what an officer may see
and do, the resident hearing every step, and the rating after the resolution."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import AuditEntry, Evaluation, Grid, Photo, StaffUser
from api.security import hash_password
from api.settings import Settings
from tests.gateway.conftest import PASSWORD, auth, make_settings
from tests.gateway.old_rows import cases_upgraded
from tests.gateway.server import serve
from tests.senders import internal_sender, issued_sender

COMMUNITY = "样例·梅山社区"
PHONE = "13812345678"
# Smallest files of each type, by their first bytes (the content is what is checked, never the name).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
# Two grids: 一网格 with two officers taking turns and a backup, 二网格 with one officer and no backup.
DIRECTORY_CSV = (
    "community,grid,building,officer_username,backup_username\n"
    f"{COMMUNITY},一网格,1栋,officer_a;officer_b,officer_c\n"
    f"{COMMUNITY},一网格,2号楼,,\n"
    f"{COMMUNITY},二网格,三幢,officer_c,\n"
)
OFFICERS = {"officer_a": "王网格", "officer_b": "李网格", "officer_c": "赵网格"}


def incident_settings(database_url: str, photo_dir: Path, **overrides: Any) -> Settings:
    upgrade(database_url)
    return make_settings(database_url, photo_dir=photo_dir, **overrides)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return incident_settings(database_url, tmp_path / "photos", photo_max_bytes=4096)


def add_staff(settings: Settings, username: str, display_name: str, role: str) -> None:
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        session.add(
            StaffUser(username=username, display_name=display_name, role=role, password_hash=hash_password(PASSWORD))
        )


def login(client: TestClient | httpx.Client, username: str) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return auth(response.json()["access_token"])


def seed_directory(client: TestClient | httpx.Client, settings: Settings) -> dict[str, str]:
    """Officers, an administrator and the directory (through the CSV import); returns the admin's headers."""
    add_staff(settings, "admin1", "管理员", "admin")
    for username, name in OFFICERS.items():
        add_staff(settings, username, name, "grid_officer")
    admin = login(client, "admin1")
    response = client.post(
        "/api/staff/communities/import",
        content=DIRECTORY_CSV.encode(),
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 3, "communities": 1, "grids": 2, "buildings": 3}
    return admin


def report(building: str | None = "1栋", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "报修",
        "community": COMMUNITY,
        "building": building,
        "unit": "2单元",
        "description": "楼道灯坏了一个星期，晚上上下楼很黑",
        "phone": PHONE,
        "channel": "web",
        "sender": "resident-1",
    }
    body.update(fields)
    return body


def chat_report(settings: Settings) -> dict[str, str]:
    """The headers of the action server filing the chat's report: only it names a widget or WeChat resident."""
    return {"X-Service-Token": settings.service_token}


def file(client: TestClient | httpx.Client, headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/incidents", json=report(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def admin(client: TestClient, settings: Settings) -> dict[str, str]:
    return seed_directory(client, settings)


def assignee(number: str, settings: Settings) -> str | None:
    from api.models import Incident

    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        return session.scalars(select(Incident.assigned_to).where(Incident.number == number)).one()


def test_directory_holds_the_imported_grids_and_buildings(client: TestClient, admin: dict[str, str]) -> None:
    [community] = client.get("/api/staff/communities", headers=admin).json()
    grids = {g["name"]: g for g in community["grids"]}
    assert [o["username"] for o in grids["一网格"]["officers"]] == ["officer_a", "officer_b"]
    assert grids["一网格"]["backup"]["username"] == "officer_c"
    assert [(b["key"], b["label"]) for b in grids["一网格"]["buildings"]] == [("1", "1栋"), ("2", "2号楼")]
    assert [(b["key"], b["label"]) for b in grids["二网格"]["buildings"]] == [("3", "三幢")]
    assert grids["二网格"]["backup"] is None


def test_a_filing_gets_a_receipt_with_the_response_deadline_and_the_masked_officer(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    before = datetime.now().astimezone()
    receipt = file(client, building="三号楼")  # "三号楼" is the building imported as "三幢"
    assert receipt["number"].startswith("SQ") and receipt["kind"] == "incident"
    assert receipt["status"] == "assigned"
    assert receipt["department"] == f"{COMMUNITY}二网格（网格员赵**）"
    assert receipt["place"] == f"{COMMUNITY}3栋2单元"
    deadline = datetime.fromisoformat(receipt["deadline"])
    hours = timedelta(hours=settings.incident_response_hours)
    assert before + hours - timedelta(seconds=5) <= deadline <= datetime.now().astimezone() + hours
    assert assignee(receipt["number"], settings) == "officer_c"
    status = client.get(f"/api/status/{receipt['number']}", params={"phone_last4": PHONE[-4:]}).json()
    assert status["kind_text"] == "社区事件" and status["status_text"] == "已派给网格员，等待接单"


def test_the_residents_own_cases_show_what_the_report_says(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    file(client, chat_report(settings), sender="wechat-own-incident")
    own = client.get("/api/cases", params={"sender": "wechat-own-incident"}, headers=chat_report(settings)).json()
    assert [(c["kind_text"], c["text"]) for c in own] == [("社区事件", "楼道灯坏了一个星期，晚上上下楼很黑")]


def test_community_names_for_the_dialogue_need_the_service_token(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    assert client.get("/api/communities", params={"q": "梅山"}).status_code == 401
    token = {"X-Service-Token": settings.service_token}
    found = client.get("/api/communities", params={"q": "梅山社区3栋"}, headers=token).json()
    assert found == {"communities": [COMMUNITY]}


def test_an_unknown_community_or_building_is_refused_with_close_matches(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post("/api/incidents", json=report(community="梅园小区"))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "unknown_community" and body["candidates"] == [COMMUNITY]
    assert "梅园小区" in body["message"] and COMMUNITY in body["message"]
    response = client.post("/api/incidents", json=report(building="9栋"))
    body = response.json()
    assert response.status_code == 422 and body["detail"] == "unknown_building"
    assert "9栋" in body["message"] and "1栋" in body["message"]
    response = client.post("/api/incidents", json=report(kind="装修"))
    assert response.status_code == 422 and "类型" in response.json()["message"]


def test_officers_of_a_grid_take_turns_and_the_backup_covers_when_they_are_away(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    turns = [assignee(file(client, description=f"第{i}次报修：电梯按钮失灵")["number"], settings) for i in range(4)]
    assert turns == ["officer_a", "officer_b", "officer_a", "officer_b"]
    assert client.put("/api/staff/officers/officer_a/away", json={"away": True}, headers=admin).status_code == 200
    assert assignee(file(client)["number"], settings) == "officer_b"
    client.put("/api/staff/officers/officer_b/away", json={"away": True}, headers=admin)
    receipt = file(client)
    assert assignee(receipt["number"], settings) == "officer_c"  # the backup
    assert receipt["department"].endswith("（网格员赵**）")
    client.put("/api/staff/officers/officer_c/away", json={"away": True}, headers=admin)
    waiting = file(client)
    assert waiting["status"] == "reported" and assignee(waiting["number"], settings) is None


@pytest.mark.postgres
def test_concurrent_filings_keep_the_round_robin_even(postgres_url: str, tmp_path: Path) -> None:
    settings = incident_settings(postgres_url, tmp_path / "photos")
    with serve(create_app(settings)) as base_url:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            seed_directory(http, settings)

        def one(i: int) -> str:
            with httpx.Client(base_url=base_url, timeout=60) as http:
                return str(file(http, sender=f"resident-{i}", description=f"第{i}号：楼道堆放杂物")["number"])

        with ThreadPoolExecutor(max_workers=20) as pool:
            numbers = list(pool.map(one, range(60)))
    assert len(set(numbers)) == 60
    assert Counter(assignee(n, settings) for n in numbers) == {"officer_a": 30, "officer_b": 30}
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        assert session.scalars(select(Grid.turn).where(Grid.name == "一网格")).one() == 60


def test_csv_errors_are_listed_per_row_and_nothing_is_imported(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    add_staff(settings, "agent9", "坐席", "agent")
    bad = (
        "community,grid,building,officer_username,backup_username\n"
        "新小区,东网格,5栋,officer_a,\n"
        "新小区,东网格,,officer_a,\n"
        "新小区,西网格,五号楼,officer_b,\n"
        "新小区,西网格,6栋,nobody,agent9\n"
        "新小区,西网格,楼下,officer_b,\n"
    )
    response = client.post(
        "/api/staff/communities/import", content=bad.encode(), headers={**admin, "Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == [
        "第3行：building不能为空",
        "第4行：新小区五号楼已在前面的行里属于“东网格”，一栋楼只能属于一个网格",
        "第5行：没有找到网格员账号“nobody”",
        "第5行：备岗账号“agent9”不是网格员",
        "第6行：无法识别楼栋“楼下”，请写成“3栋”“3号楼”或“12#”",
    ]
    assert "未导入任何数据" in response.json()["message"]
    names = [c["name"] for c in client.get("/api/staff/communities", headers=admin).json()]
    assert names == [COMMUNITY]
    missing = client.post(
        "/api/staff/communities/import", content=b"community,grid\nx,y\n", headers={**admin, "Content-Type": "text/csv"}
    )
    assert missing.status_code == 422 and "building、officer_username" in missing.json()["message"]


def test_only_administrators_maintain_the_directory(
    client: TestClient, admin: dict[str, str], staff_token: Any
) -> None:
    officer = login(client, "officer_a")
    for headers in (officer, auth(staff_token("supervisor"))):
        assert client.get("/api/staff/communities", headers=headers).status_code == 403
        assert client.post("/api/staff/communities", json={"name": "某小区"}, headers=headers).status_code == 403


def test_admin_crud_of_communities_grids_and_buildings(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post("/api/staff/communities", json={"name": "皋城小区", "district": "金安区"}, headers=admin)
    assert created.status_code == 201
    community_id = created.json()["id"]
    assert client.post("/api/staff/communities", json={"name": "皋城小区"}, headers=admin).status_code == 409
    grid = client.post(
        f"/api/staff/communities/{community_id}/grids",
        json={"name": "南网格", "officers": ["officer_a"], "backup": "admin1"},
        headers=admin,
    )
    assert grid.status_code == 422 and grid.json()["message"] == "账号“admin1”不是网格员"
    grids = f"/api/staff/communities/{community_id}/grids"
    grid = client.post(grids, json={"name": "南网格", "officers": ["officer_a"]}, headers=admin)
    grid_id = grid.json()["id"]
    building = client.post(
        f"/api/staff/communities/{community_id}/buildings", json={"label": "8号楼", "grid_id": grid_id}, headers=admin
    )
    assert building.status_code == 201 and building.json()["key"] == "8"
    again = client.post(
        f"/api/staff/communities/{community_id}/buildings", json={"label": "八栋", "grid_id": grid_id}, headers=admin
    )
    assert again.status_code == 409
    assert client.put(f"/api/staff/grids/{grid_id}", json={"officers": ["officer_b"]}, headers=admin).status_code == 200
    assert assignee(file(client, community="皋城", building="8栋")["number"], client.app.state.runtime.settings) == (
        "officer_b"
    )
    assert client.delete(f"/api/staff/communities/{community_id}", headers=admin).status_code == 409  # has an incident
    assert client.delete(f"/api/staff/buildings/{building.json()['id']}", headers=admin).status_code == 200
    assert client.delete(f"/api/staff/grids/{grid_id}", headers=admin).status_code == 200


def upload(client: TestClient, data: bytes, sender: str | None = None, name: str = "a.jpg") -> httpx.Response:
    """A photo from the widget of `sender` (an issued one), by default a new resident's."""
    data_fields = {"sender": sender or issued_sender(client)}
    return client.post("/api/chat/photo", data=data_fields, files={"file": (name, data, "image/jpeg")})


def test_photos_are_checked_by_content_and_size(client: TestClient, settings: Settings) -> None:
    for data in (PNG, JPEG, WEBP):
        response = upload(client, data)
        assert response.status_code == 200, response.text
        assert response.json()["messages"]  # the conversation went on (here: Rasa is down, the polite fallback)
    refused = upload(client, b"<svg xmlns='http://www.w3.org/2000/svg'/>", name="photo.png")
    assert refused.status_code == 415 and "JPG、PNG 或 WebP" in refused.json()["message"]
    exe = upload(client, b"MZ\x90\x00" + JPEG)  # an image's bytes later in the file do not count
    assert exe.status_code == 415
    too_large = upload(client, JPEG + b"\x00" * settings.photo_max_bytes)
    assert too_large.status_code == 413 and "照片太大" in too_large.json()["message"]
    far_too_large = upload(client, JPEG + b"\x00" * (settings.photo_max_bytes + 100_000))
    assert far_too_large.status_code == 413
    assert client.post("/api/chat/photo", data={"sender": "x"}).json()["message"] == "照片：必填项未填写"
    stored = sorted(p.name for p in settings.photo_dir.iterdir())
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        rows = session.scalars(select(Photo).order_by(Photo.id)).all()
        assert [p.id for p in rows] == stored and {p.content_type for p in rows} == {
            "image/png",
            "image/jpeg",
            "image/webp",
        }


def test_a_photo_is_served_to_its_resident_and_staff_only(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    me, someone = issued_sender(client), issued_sender(client)
    photo_id = upload(client, PNG, me).json()["photo_id"]
    mine = client.get(f"/api/photos/{photo_id}", params={"sender": me})
    assert mine.status_code == 200 and mine.content == PNG and mine.headers["content-type"] == "image/png"
    assert client.get(f"/api/photos/{photo_id}", params={"sender": someone}).status_code == 404
    assert client.get(f"/api/photos/{photo_id}").status_code == 422
    assert client.get("/api/photos/..%2F..%2Fetc%2Fpasswd", params={"sender": me}).status_code in (404, 422)
    assert client.get(f"/api/grid/photos/{photo_id}", headers=login(client, "officer_c")).content == PNG
    # Another resident cannot attach it to their report.
    chat = chat_report(settings)
    other = client.post(
        "/api/incidents", json=report(sender=internal_sender(someone), photo_ids=[photo_id]), headers=chat
    )
    assert other.status_code == 422 and other.json()["detail"] == "unknown_photo"
    # Nor can a public API client naming the resident (its sender is its own, api:web:…).
    public = client.post("/api/incidents", json=report(sender=internal_sender(me), photo_ids=[photo_id]))
    assert public.status_code == 422 and public.json()["detail"] == "unknown_photo"
    assert file(client, chat, sender=internal_sender(me), photo_ids=[photo_id])["status"] == "assigned"


def test_an_officer_sees_and_works_only_their_grids_incidents(
    client: TestClient, admin: dict[str, str], settings: Settings, staff_token: Any
) -> None:
    first_grid = file(client)["number"]  # officer_a's turn
    second_grid = file(client, building="3栋")["number"]  # officer_c
    officer_a, officer_c = login(client, "officer_a"), login(client, "officer_c")
    assert [i["number"] for i in client.get("/api/grid/incidents", headers=officer_a).json()] == [first_grid]
    assert [i["number"] for i in client.get("/api/grid/incidents", headers=officer_c).json()] == [second_grid]
    assert client.get(f"/api/grid/incidents/{second_grid}", headers=officer_a).status_code == 404
    assert client.post(f"/api/grid/incidents/{second_grid}/accept", headers=officer_a).status_code == 404
    # The officer's view masks the resident's phone; officers get no 12345 console powers, agents no grid powers.
    [seen] = client.get("/api/grid/incidents", headers=officer_a).json()
    assert seen["contact_phone"] == "138****5678"
    assert client.get("/api/staff/cases", headers=officer_a).status_code == 403
    assert client.get("/api/grid/incidents", headers=auth(staff_token("agent"))).status_code == 403
    assert len(client.get("/api/grid/incidents", headers=admin).json()) == 2


def stream_lines(client: TestClient, sender: str) -> list[Any]:
    hub = client.app.state.handoff
    return list(client.portal.call(hub.store.lines, sender))  # type: ignore[union-attr]


def test_the_resident_hears_every_step_and_rates_the_result(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    me = issued_sender(client)
    number = file(client, chat_report(settings), sender=internal_sender(me))["number"]
    officer = login(client, "officer_a")
    accepted = client.post(f"/api/grid/incidents/{number}/accept", headers=officer)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["accepted_at"] is not None
    early = client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": ""})
    assert early.status_code == 422
    photo = client.post("/api/grid/photos", headers=officer, files={"file": ("x.webp", WEBP, "image/webp")})
    assert photo.status_code == 201
    photo_id = photo.json()["photo_id"]
    note = {"note": "已联系物业更换灯泡", "photo_id": photo_id}
    noted = client.post(f"/api/grid/incidents/{number}/updates", headers=officer, json=note)
    assert noted.status_code == 200 and noted.json()["status"] == "in_progress"
    resolved = client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": "灯已换好"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert [u["kind"] for u in resolved.json()["updates"]] == ["accept", "progress", "resolve"]
    again = client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": "再次办结"})
    assert again.status_code == 409

    texts = [line.text for line in stream_lines(client, internal_sender(me))]
    assert texts[0] == f"您反映的社区事件（编号{number}）已由网格员王**接单，会尽快处理。"
    assert texts[1] == f"您反映的社区事件（编号{number}）有新进展：已联系物业更换灯泡（附现场照片）"
    assert texts[2].startswith(f"您反映的社区事件（编号{number}）已处理完毕：灯已换好")
    assert stream_lines(client, internal_sender(me))[2].buttons[0]["payload"] == "5"
    # The resident sees the officer's photo of their own incident, nobody else does.
    assert client.get(f"/api/photos/{photo_id}", params={"sender": me}).content == WEBP
    assert client.get(f"/api/photos/{photo_id}", params={"sender": issued_sender(client)}).status_code == 404

    rated = client.post("/api/chat", json={"sender": me, "message": "4分"})
    assert rated.status_code == 200 and "感谢您的评价" in rated.json()["messages"][0]["text"]
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        [evaluation] = session.scalars(select(Evaluation)).all()
        assert (evaluation.case_number, evaluation.stars, evaluation.sender) == (number, 4, internal_sender(me))
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == number)).all()
        assert {"create", "status"} <= set(actions)


def test_filing_needs_a_valid_phone_and_a_description(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/api/incidents", json=report(phone="12345"))
    assert response.status_code == 422 and "联系电话" in response.json()["message"]
    response = client.post("/api/incidents", json=report(description="灯"))
    assert response.status_code == 422
    # A problem stated in a few characters is enough, as for a complaint (the dialogue files "又停水了").
    assert client.post("/api/incidents", json=report(description="又停水了")).status_code == 201


def test_the_sample_community_takes_reports_at_once(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.community_samples import SAMPLE_COMMUNITY, seed_sample_community

    monkeypatch.setenv("GRID_DEMO_PASSWORD", PASSWORD)
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        assert seed_sample_community(session) is None  # the password was given, nothing to print
    with transaction(sessions) as session:
        assert seed_sample_community(session) is None  # already there: nothing added twice
    receipt = file(client, community="金安区某社区", building="6号楼")
    assert receipt["department"] == f"{SAMPLE_COMMUNITY}第二网格（网格员周*）"
    assert assignee(receipt["number"], settings) == "grid2"
    assert client.get("/api/grid/incidents", headers=login(client, "grid2")).json()[0]["number"] == receipt["number"]


def test_analytics_count_incidents_per_grid_with_response_resolution_and_stars(
    client: TestClient, admin: dict[str, str], settings: Settings, staff_token: Any
) -> None:
    from api.models import Incident

    numbers = [file(client, sender=f"r{i}")["number"] for i in range(3)]  # 一网格: officer_a, officer_b, officer_a
    file(client, building="3栋")  # 二网格, left open
    officer = login(client, "officer_a")
    for number in (numbers[0], numbers[2]):
        client.post(f"/api/grid/incidents/{number}/accept", headers=officer)
        client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": "已处理"})
    # Known times: accepted 1 h and 3 h after filing, resolved 5 h and 9 h after.
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        for number, accepted, done in ((numbers[0], 1, 5), (numbers[2], 3, 9)):
            incident = session.scalars(select(Incident).where(Incident.number == number)).one()
            incident.accepted_at = incident.created_at + timedelta(hours=accepted)
            incident.resolved_at = incident.created_at + timedelta(hours=done)
        session.add_all(
            [Evaluation(case_number=numbers[0], stars=5, sender="r0"), Evaluation(case_number=numbers[2], stars=2)]
        )
    report = client.get("/api/staff/analytics", headers=auth(staff_token("supervisor"))).json()["incidents"]
    assert report["total"] == 4 and (report["response_hours"], report["resolution_hours"]) == (2.0, 7.0)
    assert report["grids"] == [
        {"community": COMMUNITY, "grid": "一网格", "open": 1, "resolved": 2, "response_hours": 2.0,
         "resolution_hours": 7.0, "ratings": 2, "average_stars": 3.5},
        {"community": COMMUNITY, "grid": "二网格", "open": 1, "resolved": 0, "response_hours": None,
         "resolution_hours": None, "ratings": 0, "average_stars": None},
    ]  # fmt: skip
    table = client.get("/api/staff/analytics/incidents_grids.csv", headers=auth(staff_token("supervisor")))
    assert table.status_code == 200 and "平均响应（小时）" in table.text


def test_a_community_report_is_counted_under_the_category_of_its_matter(
    routed_client: TestClient, settings: Settings, staff_token: Any
) -> None:
    seed_directory(routed_client, settings)
    number = file(routed_client, description="我家小区楼上的水管漏水了，天花板一直在滴水，物业一直不来修")["number"]
    case = routed_client.get(f"/api/staff/cases/{number}", headers=auth(staff_token("agent"))).json()
    # the grid keeps it; the kind (报修) stays the incident's own, not a category of the statistics
    assert (case["category"], case["subcategory"]) == ("城乡建设", "物业与小区管理")
    assert case["department"] == f"{COMMUNITY}一网格"
    report = routed_client.get("/api/staff/analytics", headers=auth(staff_token("supervisor"))).json()
    assert [row["category"] for row in report["categories"]["level1"]] == ["城乡建设"]


def test_migration_0017_takes_the_kind_out_of_earlier_incidents_categories(database_url: str) -> None:
    then = "2026-01-05 08:00:00+00:00"
    old = [
        {"number": number, "kind": kind, "status": "assigned", "category": category, "channel": "web", "at": then}
        for number, kind, category in (("SQ202601050001", "incident", "报修"), ("GD202601050001", "ticket", "其他"))
    ]
    rows = cases_upgraded(database_url, "0016", old, "SELECT number, category, updated_at FROM cases ORDER BY number")
    assert [(number, category) for number, category, _ in rows] == [
        ("GD202601050001", "其他"),
        ("SQ202601050001", None),
    ]
    # the incident's day is summarised again, the ticket's is not
    assert [str(updated) > "2026-01-06" for _, _, updated in rows] == [False, True]


def test_a_resolved_incident_the_resident_disputes_goes_back_to_its_officer(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    """不满意重办: the officer who resolved it takes it again, to be accepted within a new response time; the earlier
    result stays in its updates, the resident's words (masked) join them."""
    me = issued_sender(client)
    number = file(client, chat_report(settings), sender=internal_sender(me))["number"]
    officer = login(client, "officer_a")
    assert client.post(f"/api/grid/incidents/{number}/accept", headers=officer).status_code == 200
    resolved = client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": "灯已换好"})
    assert resolved.status_code == 200
    told = stream_lines(client, internal_sender(me))[-1]
    assert told.text.endswith("如果问题没有解决，可以点“不满意，申请重办”。")
    assert [b["title"] for b in told.buttons][-1] == "不满意，申请重办"

    words = "灯还是不亮 晚上黑漆漆的 有事打13912345678"
    body = {"sender": internal_sender(me), "note": words}  # as the action server asks for the resident
    reopened = client.post(f"/api/cases/{number}/reopen", json=body, headers=chat_report(settings))
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["status_text"] == "已派给网格员，等待接单"
    view = client.get(f"/api/grid/incidents/{number}", headers=officer).json()
    assert (view["status"], view["assigned_to"], view["accepted_at"], view["result_note"]) == (
        "assigned",
        "officer_a",
        None,
        None,
    )
    assert datetime.fromisoformat(view["deadline"]) > datetime.fromisoformat(resolved.json()["deadline"])
    assert [(u["kind"], u["note"]) for u in view["updates"]][-2:] == [
        ("resolve", "灯已换好"),
        ("reopen", "灯还是不亮 晚上黑漆漆的 有事打139****5678"),
    ]
    again = client.post(f"/api/grid/incidents/{number}/accept", headers=officer)
    assert again.status_code == 200 and again.json()["accepted_at"] is not None


def test_a_disputed_incident_whose_officer_is_away_goes_to_the_grids_next(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    number = file(client)["number"]
    first = client.get(f"/api/grid/incidents/{number}", headers=admin).json()["assigned_to"]
    officer = login(client, first)
    client.post(f"/api/grid/incidents/{number}/accept", headers=officer)
    client.post(f"/api/grid/incidents/{number}/resolve", headers=officer, json={"note": "灯已换好"})
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        session.scalars(select(StaffUser).where(StaffUser.username == first)).one().away = True
    assert client.post(f"/api/cases/{number}/reopen", json={"phone_last4": PHONE[-4:]}).status_code == 201
    now = client.get(f"/api/grid/incidents/{number}", headers=admin).json()["assigned_to"]
    assert now not in (first, None)
