"""The assistant's turn log and the unanswered-question inbox, on SQLite and PostgreSQL.

The gateway runs for real (create_app, migrated database, knowledge search with the deterministic test
embedder on a temporary copy of the service files); the Rasa server is the REST stand-in of tests/web,
answering with the markers the real actions send (contract/turns.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from api.migrate import upgrade
from api.models import AssistantTurn, AuditEntry, UnansweredGroup, UnansweredQuestion
from api.services import unanswered
from api.settings import REPO_ROOT
from contract import turns
from knowledge.schema import load_categories, parse_service
from tests.gateway.conftest import auth, make_settings
from tests.senders import issued_sender
from tests.web.conftest import FakeRasa, serve_fake_rasa

LICENCE = "机动车驾驶证换证"
LICENCE_FILE = "jidongche-jiashizheng-huanzheng.yaml"
# Questions the knowledge base does not answer with confidence until they are attached to LICENCE.
SWAP_BOOKLET = "换本子要啥手续"
SWAP_BOOKLET_AGAIN = "换本子需要啥手续呢"
DRONE = "无人机飞行要报备吗"
DRONE_AGAIN = "无人机在哪里报备"
DOG = "狗证怎么办理"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the module's gateways: rebuilt only after a test changed the service files."""
    return tmp_path_factory.mktemp("index")


@pytest.fixture
def services_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "services"
    shutil.copytree(REPO_ROOT / "knowledge" / "services", copy)
    return copy


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with serve_fake_rasa() as server:
        server.reply = _marked_replies  # type: ignore[method-assign]
        yield server


@pytest.fixture
def client(
    database_url: str, services_dir: Path, index_dir: Path, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The gateway with knowledge search on the copied services, talking to the Rasa stand-in (this module's
    `client`, so the gateway fixtures' `staff_token` logs in to it)."""
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "fake")
    monkeypatch.setenv("KNOWLEDGE_SERVICES_DIR", str(services_dir))
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(index_dir))
    upgrade(database_url)
    with TestClient(create_app(make_settings(database_url, knowledge_enabled=True, rasa_url=rasa.url))) as test_client:
        yield test_client


@pytest.fixture
def sessions(client: TestClient) -> Any:
    return cast(FastAPI, client.app).state.runtime.sessions


async def _drain(app: FastAPI) -> None:
    await app.state.turn_log.drain()


def drain_turn_log(client: TestClient) -> None:
    """Wait for the turns the gateway is still writing in the background."""
    assert client.portal is not None
    client.portal.call(_drain, cast(FastAPI, client.app))


def _groups(sessions: Any) -> list[tuple[str, int, list[str]]]:
    with sessions() as session:
        found = []
        for group in session.scalars(select(UnansweredGroup).order_by(UnansweredGroup.id)):
            texts = session.scalars(
                select(UnansweredQuestion.text)
                .where(UnansweredQuestion.group_id == group.id)
                .order_by(UnansweredQuestion.id)
            )
            found.append((group.example, group.count, list(texts)))
        return found


def test_rewordings_share_a_group_and_other_questions_start_their_own(sessions: Any) -> None:
    for minutes, question in enumerate([DRONE, DOG, DRONE_AGAIN, DRONE, "  无人机飞行要报备吗 "]):
        unanswered.keep(sessions, question, AT + timedelta(minutes=minutes))
    assert _groups(sessions) == [(DRONE, 4, [DRONE, DRONE_AGAIN]), (DOG, 1, [DOG])]
    with sessions() as session:
        drone = session.scalars(select(UnansweredGroup).where(UnansweredGroup.example == DRONE)).one()
        assert (drone.first_seen, drone.last_seen) == (AT, AT + timedelta(minutes=4))
        assert drone.status == "open"


def test_questions_are_kept_masked_and_noise_is_not_kept(sessions: Any) -> None:
    unanswered.keep(sessions, "我电话13812345678，身份证340102199001011234，为啥查不到", AT)
    unanswered.keep(sessions, "？？？ 123", AT)
    [(example, count, texts)] = _groups(sessions)
    assert example == texts[0] == "我电话138****5678，身份证340102********1234，为啥查不到" and count == 1


def test_similarity_separates_topics_and_ignores_the_words_every_question_has() -> None:
    assert unanswered.similarity(DRONE, DRONE_AGAIN) >= unanswered.SIMILAR
    assert unanswered.similarity("公积金怎么提取", "怎么提取住房公积金") >= unanswered.SIMILAR
    assert unanswered.similarity("社保卡怎么办", "停车怎么办") == 0.0
    assert unanswered.similarity(DRONE, DOG) < unanswered.SIMILAR
    assert unanswered.similarity("停水了怎么办", "停电了怎么办") < unanswered.SIMILAR


def _marked_replies(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What the real Rasa REST channel returns: the visible reply, then the action's marker beside it."""
    sender, text = body["sender"], str(body["message"])
    if "社保卡" in text:
        mark, reply = turns.mark(turns.ANSWERED, service="社会保障卡申领"), "办理社会保障卡，请带身份证……"
    elif "人工" in text:
        mark, reply = turns.mark(turns.HANDOFF, question="上一个问题没解决"), "已为您转接人工。"
    elif "你好" in text:
        return [{"recipient_id": sender, "text": "您好，我是六安政务智能助手。"}]
    else:
        mark, reply = turns.mark(turns.UNANSWERED, question=text), "抱歉，我没太明白。"
    return [{"recipient_id": sender, "text": reply}, {"recipient_id": sender, "custom": mark}]


def test_every_assistant_turn_is_logged_with_its_outcome_and_no_marker_reaches_the_resident(
    client: TestClient, sessions: Any
) -> None:
    sent = {
        "社保卡怎么办": "answered",
        DRONE + " 我的手机13912345678": "unanswered",
        "你好": "other",
        "转人工": "handoff",
    }
    sender = issued_sender(client)
    for message in sent:
        response = client.post("/api/chat", json={"sender": sender, "message": message})
        assert response.status_code == 200
        assert "luan_turn" not in response.text and "custom" not in response.text
        assert response.json()["messages"][0]["text"]
    drain_turn_log(client)
    with sessions() as session:
        rows = list(session.scalars(select(AssistantTurn).order_by(AssistantTurn.id)))
    assert [row.outcome for row in rows] == list(sent.values())
    assert [row.service for row in rows] == ["社会保障卡申领", None, None, None]
    assert {row.channel for row in rows} == {"web"}  # POST /api/chat is the web channel
    assert len({row.sender_hash for row in rows}) == 1 and sender.split(".")[0] not in rows[0].sender_hash
    assert len(rows[0].sender_hash) == 64 and all(row.latency_ms >= 0 for row in rows)
    # The unanswered question and the one the handoff said was not solved are in the inbox, masked.
    assert sorted(texts for _, _, group in _groups(sessions) for texts in group) == sorted(
        [f"{DRONE} 我的手机139****5678", "上一个问题没解决"]
    )


def test_attaching_a_group_adds_its_questions_to_the_service_which_then_answers_them(
    client: TestClient, sessions: Any, services_dir: Path, staff_token: Callable[[str], str]
) -> None:
    for question in (SWAP_BOOKLET, SWAP_BOOKLET_AGAIN, SWAP_BOOKLET):
        unanswered.keep(sessions, question, AT)
    agent, admin = auth(staff_token("agent")), auth(staff_token("admin"))
    [group] = client.get("/api/staff/unanswered", headers=agent).json()
    assert (group["example"], group["count"], group["status"]) == (SWAP_BOOKLET, 3, "open")
    before = client.get(f"/api/staff/unanswered/{group['id']}", headers=agent).json()
    assert [(q["text"], q["count"], q["answered_now"]) for q in before["questions"]] == [
        (SWAP_BOOKLET, 2, False),
        (SWAP_BOOKLET_AGAIN, 1, False),
    ]
    url = f"/api/staff/unanswered/{group['id']}/attach"
    assert client.post(url, json={"service": LICENCE}, headers=agent).status_code == 403

    response = client.post(url, json={"service": LICENCE}, headers=admin)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["added"] == [SWAP_BOOKLET, SWAP_BOOKLET_AGAIN]
    assert (result["status"], result["service"], result["resolved_by"]) == ("attached", LICENCE, "admin1")
    assert [(q["answered_now"], q["best_service"]) for q in result["questions"]] == [(True, LICENCE)] * 2
    path = services_dir / LICENCE_FILE
    service = parse_service(path, set(load_categories(REPO_ROOT / "knowledge" / "categories.yaml") or []))
    assert service.questions[-2:] == (SWAP_BOOKLET, SWAP_BOOKLET_AGAIN) and len(service.questions) == 14
    assert path.read_text(encoding="utf-8").startswith("# 示例数据")  # the file's comments are kept
    assert not [p for p in services_dir.iterdir() if p.suffix != ".yaml"]  # no temporary file left
    # The gateway's search answers at once, without a restart.
    search = client.get("/api/knowledge/search", params={"q": SWAP_BOOKLET}).json()
    assert search["confident"] and search["hits"][0]["service"] == LICENCE
    assert [g["id"] for g in client.get("/api/staff/unanswered?status=attached", headers=agent).json()] == [group["id"]]
    assert client.get("/api/staff/unanswered?status=open", headers=agent).json() == []
    with sessions() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"unanswered_attach", "knowledge_reload"} <= actions
    # Attaching again adds nothing new, and the file does not change.
    text = path.read_text(encoding="utf-8")
    again = client.post(url, json={"service": LICENCE}, headers=admin)
    assert again.status_code == 200 and again.json()["added"] == []
    assert path.read_text(encoding="utf-8") == text


def test_refused_attachments_say_why_in_chinese_and_leave_the_file_alone(
    client: TestClient, sessions: Any, services_dir: Path, staff_token: Callable[[str], str]
) -> None:
    admin = auth(staff_token("admin"))
    many = [f"换本子问题{i}号要啥手续" for i in range(4)]
    for question in many:
        unanswered.keep(sessions, question, AT)
    [group] = client.get("/api/staff/unanswered", headers=admin).json()
    url = f"/api/staff/unanswered/{group['id']}/attach"
    original = (services_dir / LICENCE_FILE).read_text(encoding="utf-8")
    refusals = {
        "火星移民登记": ("attach_failed", "没有名为“火星移民登记”的办理事项"),
        LICENCE: ("attach_failed", "超过15条上限"),  # 12 questions and 4 more
    }
    for service, (code, message) in refusals.items():
        response = client.post(url, json={"service": service}, headers=admin)
        assert response.status_code == 422 and response.json()["detail"] == code
        assert message in response.json()["message"]
    stranger = client.post(url, json={"service": LICENCE, "questions": ["别的问题"]}, headers=admin)
    assert stranger.status_code == 422 and "不在该分组中" in stranger.json()["message"]
    assert (services_dir / LICENCE_FILE).read_text(encoding="utf-8") == original
    # Two of the four fit: an administrator may pick them.
    picked = client.post(url, json={"service": LICENCE, "questions": many[:2]}, headers=admin)
    assert picked.status_code == 200 and picked.json()["added"] == many[:2]


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("get", "/api/staff/unanswered?status=closed", None, "状态：格式不正确"),
        ("get", "/api/staff/unanswered?limit=0", None, "返回条数：取值不正确"),
        ("get", "/api/staff/unanswered?limit=100000", None, "返回条数：取值不正确"),
        ("get", "/api/staff/unanswered?offset=-1", None, "起始位置：取值不正确"),
        ("get", "/api/staff/unanswered/0", None, "分组编号：取值不正确"),
        ("get", "/api/staff/unanswered/99999999999999", None, "分组编号：取值不正确"),
        ("get", "/api/staff/unanswered/abc", None, "分组编号：取值不正确"),
        ("post", "/api/staff/unanswered/1/attach", {}, "办理事项：必填项未填写"),
        ("post", "/api/staff/unanswered/1/attach", {"service": ""}, "办理事项：内容过短"),
        ("post", "/api/staff/unanswered/1/attach", {"service": LICENCE, "questions": []}, "示例问题"),
    ],
)
def test_bad_input_is_a_clear_422(
    client: TestClient, staff_token: Callable[[str], str], method: str, path: str, body: Any, message: str
) -> None:
    response = client.request(method, path, json=body, headers=auth(staff_token("admin")))
    assert response.status_code == 422, response.text
    assert message in response.json()["message"]


def test_unknown_groups_are_404_and_the_inbox_needs_a_login(
    client: TestClient, staff_token: Callable[[str], str]
) -> None:
    admin = auth(staff_token("admin"))
    for method, path in [("get", "/api/staff/unanswered/7"), ("post", "/api/staff/unanswered/7/out-of-scope")]:
        response = client.request(method, path, headers=admin)
        assert response.status_code == 404 and response.json()["message"] == "没有编号为7的未解答问题分组"
    assert client.get("/api/staff/unanswered").status_code == 401
    assert client.get("/api/staff/unanswered", headers=admin).json() == []


def test_out_of_scope_leaves_the_open_list_and_later_askings_are_counted_apart(
    client: TestClient, staff_token: Callable[[str], str], sessions: Any
) -> None:
    unanswered.keep(sessions, "明天六安下雨吗", AT)
    [group] = client.get("/api/staff/unanswered", headers=auth(staff_token("agent"))).json()
    url = f"/api/staff/unanswered/{group['id']}/out-of-scope"
    assert client.post(url, headers=auth(staff_token("supervisor"))).status_code == 403
    response = client.post(url, headers=auth(staff_token("admin")))
    assert response.status_code == 200 and response.json()["status"] == "out_of_scope"
    assert client.get("/api/staff/unanswered?status=open", headers=auth(staff_token("admin"))).json() == []
    unanswered.keep(sessions, "明天六安会下雨吗", AT + timedelta(hours=1))
    [after] = client.get("/api/staff/unanswered?status=out_of_scope", headers=auth(staff_token("admin"))).json()
    assert (after["count"], after["since_resolved"], after["resolved_by"]) == (2, 1, "admin1")
    detail = client.get(url.removesuffix("/out-of-scope"), headers=auth(staff_token("admin"))).json()
    assert [q["answered_now"] for q in detail["questions"]] == [False, False]
