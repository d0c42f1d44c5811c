"""Moderation of published suggestions: masking before publication, the sensitive-word check, the review
queue (approve, edit, reject with the reason its author reads), the word list, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from api.migrate import alembic_config
from api.services.moderation import WORDS_FILE, normalized
from tests.gateway.conftest import auth
from tests.gateway.test_consultations import open_consultation

Token = Callable[[str], str]
QUEUE = "/api/staff/moderation/suggestions"
WORDS = "/api/staff/moderation/words"
DEFAULT_WORD = "加微信"  # one of api/data/sensitive_words.txt


def suggest(client: TestClient, cid: int, sender: str, content: str) -> dict[str, Any]:
    body = {"consultation_id": cid, "sender": sender, "content": content, "phone": "13812345678"}
    response = client.post("/api/suggestions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def public_numbers(client: TestClient, cid: int) -> set[str]:
    top = client.get(f"/api/consultations/{cid}/suggestions/top", params={"n": 50}).json()
    report = client.get(f"/api/consultations/{cid}/report", params={"n": 50}).json()
    assert report["suggestions"] == len(top)
    return {s["number"] for s in top} | {s["number"] for s in report["top"]}


def status(client: TestClient, number: str) -> dict[str, Any]:
    response = client.get(f"/api/status/{number}", params={"phone_last4": "5678"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_sample_list_holds_the_word_the_tests_use() -> None:
    assert DEFAULT_WORD in WORDS_FILE.read_text(encoding="utf-8").splitlines()


def test_published_text_is_masked(client: TestClient, staff_token: Token) -> None:
    cid = open_consultation(client, staff_token("supervisor"))
    content = "我叫张三，电话 138 1234 5678，身份证 3415 0219 9001 0112 34，建议公交站台加装遮阳棚"
    number = suggest(client, cid, "r1", content)["number"]
    [shown] = client.get(f"/api/consultations/{cid}/suggestions/top").json()
    assert shown["number"] == number
    assert shown["content"] == "我叫张*，电话 138****5678，身份证 341502********1234，建议公交站台加装遮阳棚"


def test_a_flagged_suggestion_is_invisible_until_approved(client: TestClient, staff_token: Token) -> None:
    supervisor = staff_token("supervisor")
    cid = open_consultation(client, supervisor)
    clean = suggest(client, cid, "r1", "建议公交站台加装遮阳棚")
    # Spaces and punctuation inside the word do not hide it.
    flagged = suggest(client, cid, "r2", "想办公交卡的加 微-信咨询，建议增开夜班车")
    assert clean["status"] == "received" and flagged["status"] == "pending_review"
    held = flagged["number"]
    assert public_numbers(client, cid) == {clean["number"]}
    like = client.post(f"/api/suggestions/{held}/likes", json={"sender": "r3"})
    assert like.status_code == 409 and like.json()["message"] == "这条建议尚未公开，暂时不能点赞"
    assert status(client, held)["status_text"] == "已收到，内容审核通过后公开"

    queue = client.get(QUEUE, headers=auth(supervisor)).json()
    assert queue["total"] == 1
    [item] = queue["items"]
    assert item["number"] == held and item["flagged_words"] == [DEFAULT_WORD]
    assert item["consultation"] == "城区公交线路优化"

    approved = client.post(f"{QUEUE}/{held}/approve", json={}, headers=auth(supervisor))
    assert approved.status_code == 200 and approved.json()["status"] == "received"
    assert public_numbers(client, cid) == {clean["number"], held}
    assert client.post(f"/api/suggestions/{held}/likes", json={"sender": "r3"}).status_code == 200
    assert client.get(QUEUE, headers=auth(supervisor)).json()["total"] == 0
    again = client.post(f"{QUEUE}/{held}/approve", json={}, headers=auth(supervisor))
    assert again.status_code == 409 and "已审核过" in again.json()["message"]

    decided = client.get(QUEUE, params={"decided": "true"}, headers=auth(supervisor)).json()
    assert [i["number"] for i in decided["items"]] == [held] and decided["items"][0]["reviewed_by"] == "supervisor1"
    trail = client.get("/api/staff/audit", params={"target": held}, headers=auth(staff_token("admin"))).json()
    decisions = {(e["actor"], e["detail"]["decision"]) for e in trail if e["action"] == "moderation"}
    assert decisions == {("system", "hold"), ("supervisor1", "approve")}
    changes = [(e["actor"], e["detail"]["before"], e["detail"]["after"]) for e in trail if e["action"] == "status"]
    assert changes == [("supervisor1", "pending_review", "received")]


def test_edit_publishes_the_edited_text_and_keeps_the_original(client: TestClient, staff_token: Token) -> None:
    supervisor = staff_token("supervisor")
    cid = open_consultation(client, supervisor)
    held = suggest(client, cid, "r1", "那个狗官根本不管事，建议公交站台加装遮阳棚")["number"]
    missing_note = client.post(
        f"{QUEUE}/{held}/edit", json={"content": "建议公交站台加装遮阳棚"}, headers=auth(supervisor)
    )
    assert missing_note.status_code == 422 and missing_note.json()["message"] == "审核备注：必填项未填写"

    body = {"content": "建议公交站台加装遮阳棚，联系我叫李四", "review_note": "删去辱骂用语"}
    edited = client.post(f"{QUEUE}/{held}/edit", json=body, headers=auth(supervisor)).json()
    assert edited["content"] == "建议公交站台加装遮阳棚，联系我叫李*"  # a reviewer's text is masked too
    assert edited["original_content"] == "那个狗官根本不管事，建议公交站台加装遮阳棚"
    assert edited["review_note"] == "删去辱骂用语"
    [shown] = client.get(f"/api/consultations/{cid}/suggestions/top").json()
    assert shown["content"] == edited["content"]
    trail = client.get("/api/staff/audit", params={"target": held}, headers=auth(staff_token("admin"))).json()
    decisions = [e["detail"] for e in trail if e["action"] == "moderation" and e["actor"] == "supervisor1"]
    assert decisions == [{"decision": "edit", "note": "删去辱骂用语"}]


def test_reject_tells_the_resident_why(client: TestClient, staff_token: Token) -> None:
    supervisor = staff_token("supervisor")
    cid = open_consultation(client, supervisor)
    held = suggest(client, cid, "r1", "代开发票，价格优惠，有需要的联系")["number"]
    empty = client.post(f"{QUEUE}/{held}/reject", json={"rejection_reason": " "}, headers=auth(supervisor))
    assert empty.status_code == 422 and empty.json()["message"] == "不予公开的理由：内容过短，至少2个字"
    reason = "内容为商业广告，与本次征集无关"
    rejected = client.post(f"{QUEUE}/{held}/reject", json={"rejection_reason": reason}, headers=auth(supervisor))
    assert rejected.status_code == 200
    seen = status(client, held)
    assert seen["status"] == "rejected" and seen["closed"] is True
    assert seen["status_text"] == f"经审核未予公开，原因：{reason}"
    assert public_numbers(client, cid) == set()
    assert client.post(f"/api/suggestions/{held}/likes", json={"sender": "r2"}).status_code == 409


def test_only_supervisors_review_and_only_admins_edit_the_word_list(client: TestClient, staff_token: Token) -> None:
    agent, supervisor, admin = staff_token("agent"), staff_token("supervisor"), staff_token("admin")
    assert client.get(QUEUE, headers=auth(agent)).status_code == 403
    assert client.get(QUEUE).status_code == 401
    assert client.get(WORDS, headers=auth(supervisor)).status_code == 200
    assert client.post(WORDS, json={"word": "某某"}, headers=auth(supervisor)).status_code == 403
    assert client.delete(f"{WORDS}/{DEFAULT_WORD}", headers=auth(supervisor)).status_code == 403
    assert client.get(WORDS, headers=auth(admin)).status_code == 200


def test_administrators_edit_the_word_list(client: TestClient, staff_token: Token) -> None:
    admin, supervisor = staff_token("admin"), staff_token("supervisor")
    cid = open_consultation(client, supervisor)

    def listed() -> dict[str, str]:
        return {w["word"]: w["source"] for w in client.get(WORDS, headers=auth(admin)).json()}

    defaults = listed()
    assert defaults[DEFAULT_WORD] == "default" and "遮阳棚" not in defaults
    added = client.post(WORDS, json={"word": " 遮阳棚 "}, headers=auth(admin))
    assert added.status_code == 201 and added.json()["word"] == "遮阳棚" and added.json()["changed_by"] == "admin1"
    assert client.post(WORDS, json={"word": "遮阳棚"}, headers=auth(admin)).status_code == 409
    assert suggest(client, cid, "r1", "建议公交站台加装遮阳棚")["status"] == "pending_review"

    assert client.delete(f"{WORDS}/{DEFAULT_WORD}", headers=auth(admin)).status_code == 200
    remaining = client.delete(f"{WORDS}/遮阳棚", headers=auth(admin))
    assert remaining.status_code == 200 and {w["word"] for w in remaining.json()} == set(defaults) - {DEFAULT_WORD}
    assert listed() == {w: s for w, s in defaults.items() if w != DEFAULT_WORD}
    assert suggest(client, cid, "r2", "想咨询的加微信，建议公交站台加装遮阳棚")["status"] == "received"
    gone = client.delete(f"{WORDS}/{DEFAULT_WORD}", headers=auth(admin))
    assert gone.status_code == 404 and gone.json()["message"] == f"敏感词表中没有“{DEFAULT_WORD}”"

    # A default word taken off can be put back.
    assert client.post(WORDS, json={"word": DEFAULT_WORD}, headers=auth(admin)).status_code == 201
    assert listed()[DEFAULT_WORD] == "admin"
    trail = client.get("/api/staff/audit", headers=auth(admin)).json()
    changes = [(e["action"], e["detail"]["word"]) for e in trail if e["action"].startswith("sensitive_word")]
    assert sorted(changes) == sorted(
        [
            ("sensitive_word_add", "遮阳棚"),
            ("sensitive_word_remove", DEFAULT_WORD),
            ("sensitive_word_remove", "遮阳棚"),
            ("sensitive_word_add", DEFAULT_WORD),
        ]
    )


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("  ", "敏感词：内容过短，至少1个字"),
        ("！？。", "敏感词不能为空，也不能只有空格或标点"),
        ("长" * 33, "敏感词：内容过长，最多32个字"),
    ],
)
def test_bad_words_are_refused_in_chinese(client: TestClient, staff_token: Token, word: str, message: str) -> None:
    response = client.post(WORDS, json={"word": word}, headers=auth(staff_token("admin")))
    assert response.status_code == 422 and response.json()["message"] == message


def test_bad_review_input(client: TestClient, staff_token: Token) -> None:
    supervisor = staff_token("supervisor")
    cid = open_consultation(client, supervisor)
    clean = suggest(client, cid, "r1", "建议公交站台加装遮阳棚")["number"]
    held = suggest(client, cid, "r2", "加微信领取优惠，建议公交站台加装遮阳棚")["number"]
    bypass = client.post(f"/api/staff/cases/{held}/status", json={"status": "received"}, headers=auth(supervisor))
    assert bypass.status_code == 409 and bypass.json()["detail"] == "under_review"
    not_held = client.post(f"{QUEUE}/{clean}/approve", json={}, headers=auth(supervisor))
    assert not_held.status_code == 409 and not_held.json()["message"] == "这条建议已审核过，当前状态：已收到，等待研究"
    unknown = client.post(
        f"{QUEUE}/JY2026010100001/reject", json={"rejection_reason": "广告"}, headers=auth(supervisor)
    )
    assert unknown.status_code == 404
    ticket = client.post(f"{QUEUE}/TS2026010100001/approve", json={}, headers=auth(supervisor))
    assert ticket.status_code == 404
    extra = client.post(f"{QUEUE}/{clean}/approve", json={"note": "x"}, headers=auth(supervisor))
    assert extra.status_code == 422 and extra.json()["message"]
    paging = client.get(QUEUE, params={"limit": 0}, headers=auth(supervisor))
    assert paging.status_code == 422 and paging.json()["message"].endswith("：取值不正确")
    short = {"content": "好", "review_note": "改短"}
    too_short = client.post(f"{QUEUE}/{clean}/edit", json=short, headers=auth(supervisor))
    assert too_short.status_code == 422 and too_short.json()["message"] == "建议内容：内容过短，至少5个字"


def test_normalized_folds_what_hides_a_word() -> None:
    assert normalized("加 微-信") == normalized("加微信") == "加微信"
    assert normalized("ＡＢＣ，ａｂｃ") == "abcabc"


def test_migration_0010_masks_suggestions_published_before(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0009")
    engine = sa.create_engine(database_url)
    texts = {
        "JY2026010500001": "我叫王五，电话138 1234 5678，建议延长图书馆开放时间",
        "JY2026010500002": "建议多建公园",
    }
    with engine.begin() as connection:
        for number, content in texts.items():
            case_id = connection.execute(
                sa.text(
                    "INSERT INTO cases (number, kind, status, channel, created_at, updated_at) "
                    "VALUES (:number, 'suggestion', 'received', 'web', :now, :now) RETURNING id"
                ),
                {"number": number, "now": "2026-01-05 08:00:00+00:00"},
            ).scalar_one()
            connection.execute(
                sa.text("INSERT INTO suggestions (id, content, likes) VALUES (:id, :content, 0)"),
                {"id": case_id, "content": content},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        query = "SELECT number, content FROM suggestions JOIN cases USING (id) ORDER BY number"
        rows = connection.execute(sa.text(query)).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("JY2026010500001", "我叫王*，电话138****5678，建议延长图书馆开放时间"),
        ("JY2026010500002", "建议多建公园"),
    ]
    command.downgrade(config, "0009")
    command.upgrade(config, "head")
