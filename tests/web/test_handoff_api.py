"""Human handoff through the gateway's HTTP API: escalation, the silent bot, agent replies, dispatch,
resolve and rating, hand-back, auth failures and bad input; in-process and with Redis as the hub's store."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import AuditEntry, Evaluation, Ticket
from api.replies import (
    ACKNOWLEDGEMENT,
    LOW_RATING_REOPEN,
    LOW_RATING_STARS,
    STILL_WAITING,
    THANKS_FOR_RATING,
    UNDELIVERED,
    reopen_buttons,
)
from tests.senders import internal_sender, issued_sender
from tests.web.conftest import ANSWER, FakeRasa, Gateway

Staff = Callable[[str, str], None]
BOTH_STORES = pytest.mark.parametrize(
    "handoff_settings", ["memory", pytest.param("redis", marks=pytest.mark.redis)], indirect=True
)


def chat(http: httpx.Client, sender: str, text: str) -> list[dict[str, Any]]:
    response = http.post("/api/chat", json={"sender": sender, "message": text})
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


def escalate(http: httpx.Client, sender: str) -> str:
    reply = chat(http, sender, "我要转人工")[0]["text"]
    match = re.search(r"工单编号：(GD\d{8,})", reply)
    assert match, reply
    return match.group(1)


def ticket_of(gateway: Gateway, number: str) -> Ticket:
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        session.expunge(ticket)
        return ticket


@BOTH_STORES
def test_full_handoff_over_the_api(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway, fake_rasa: FakeRasa
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    assert chat(http, issued, "社保卡怎么办")[0]["text"] == ANSWER
    number = escalate(http, issued)
    asked = len(fake_rasa.messages)

    # While waiting, the bot is silent and none reaches Rasa: every message is acknowledged, the first fully,
    # the later ones briefly and never with the same sentence twice in a row.
    assert chat(http, issued, "我的电话是13812345678，社保卡丢了") == [{"text": ACKNOWLEDGEMENT}]
    assert chat(http, issued, "还有，卡里的钱会不会丢") == [{"text": STILL_WAITING[0]}]
    assert chat(http, issued, "请尽快处理") == [{"text": STILL_WAITING[1]}]
    assert len(fake_rasa.messages) == asked

    # Staff reading the ticket see the messages at once (masked), before the handoff ends.
    kept = [line["text"] for line in ticket_of(gateway, number).transcript]
    assert "我的电话是138****5678，社保卡丢了" in kept and kept[-1] == "请尽快处理"
    assert not any("13812345678" in text for text in kept)

    queue = http.get("/api/staff/handoff/queue", headers=agent).json()
    row = next(c for c in queue["conversations"] if c["sender"] == sender)
    assert row["ticket"] == number and row["state"] == "waiting" and row["card"] == "green"
    assert row["last_message"] == "请尽快处理"
    assert any(t["number"] == number for t in queue["tickets"])

    view = http.get(f"/api/staff/handoff/conversations/{sender}", headers=agent).json()
    texts = [line["text"] for line in view["lines"]]
    assert "我的电话是138****5678，社保卡丢了" in texts  # personal numbers never reach the console unmasked
    assert view["ticket"]["number"] == number and view["ticket"]["transcript"]
    # The console shows the bot part from the ticket and this handoff's lines once, from `lines`.
    assert not {line["text"] for line in view["ticket"]["transcript"]} & set(texts)
    assert view["suggestions"]["query"] == "请尽快处理" and len(view["suggestions"]["hits"]) == 3

    sent = http.post(
        f"/api/staff/handoff/conversations/{sender}/reply", json={"text": "您好，已为您登记挂失。"}, headers=agent
    )
    assert sent.status_code == 200 and sent.json()["agent"] == "agent7坐席"
    polled = http.get("/api/handoff/messages", params={"sender": issued}).json()
    assert polled["state"] == "agent" and [line["text"] for line in polled["lines"]] == ["您好，已为您登记挂失。"]
    assert ticket_of(gateway, number).assigned_to == "agent7"

    dispatch = {"category": "劳动和社会保障", "subcategory": "社会保障卡"}
    dispatched = http.post(f"/api/staff/handoff/tickets/{number}/dispatch", json=dispatch, headers=agent).json()
    assert dispatched["status"] == "dispatched" and dispatched["department"] == "市人力资源和社会保障局"
    assert (dispatched["category"], dispatched["subcategory"]) == ("劳动和社会保障", "社会保障卡")
    assert dispatched["routed_by"] == "agent7"

    resolved = http.post(f"/api/staff/handoff/conversations/{sender}/resolve", headers=agent)
    assert resolved.status_code == 200 and resolved.json()["state"] == "rating"
    assert fake_rasa.resumed == [sender]
    # Resumed and listening: Rasa's rules only follow an action_listen (the hand-over action was the last).
    assert fake_rasa.events[-2:] == [
        (sender, {"event": "resume"}),
        (sender, {"event": "action", "name": "action_listen"}),
    ]
    prompt = http.get("/api/handoff/messages", params={"sender": issued, "after": 1}).json()["lines"][-1]
    assert [b["payload"] for b in prompt["buttons"]] == ["5", "4", "3", "2", "1"]
    assert all(
        c["sender"] != sender for c in http.get("/api/staff/handoff/queue", headers=agent).json()["conversations"]
    )

    assert chat(http, issued, "4分") == [{"text": THANKS_FOR_RATING}]
    ticket = ticket_of(gateway, number)
    assert ticket.status == "resolved"
    roles = [line["role"] for line in ticket.transcript]
    assert roles[-5:] == ["resident", "resident", "resident", "agent", "system"]  # the rating prompt last
    assert [line["text"] for line in ticket.transcript].count("请尽快处理") == 1  # nothing doubled at archive
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        evaluation = session.scalars(select(Evaluation).where(Evaluation.case_number == number)).one()
        assert (evaluation.stars, evaluation.sender) == (4, sender)
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.target == number)))
        assert {"handoff_reply", "dispatch", "handoff_resolve", "status"} <= actions

    # The conversation is the bot's again.
    assert chat(http, issued, "公积金怎么提取")[0]["text"] == ANSWER
    assert http.get(f"/api/staff/handoff/conversations/{sender}", headers=agent).status_code == 404


@pytest.mark.parametrize(("answer", "stars"), [("两星", 2), ("⭐⭐⭐", 3), ("5分", 5), ("非常满意", 5)])
def test_the_rating_after_a_handoff_reads_stars_as_the_chat_form_does(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway, answer: str, stars: int
) -> None:
    """The same parser as the assistant's rating form (contract/ratings.py): words and star signs count."""
    issued = issued_sender(http)
    sender = internal_sender(issued)
    number = escalate(http, issued)
    http.post(f"/api/staff/handoff/conversations/{sender}/resolve", headers=agent).raise_for_status()
    # A low rating of the resolved ticket offers to have it done again (不满意重办).
    low = [{"text": LOW_RATING_REOPEN, "buttons": reopen_buttons(number)}]
    assert chat(http, issued, answer) == (low if stars <= LOW_RATING_STARS else [{"text": THANKS_FOR_RATING}])
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        evaluation = session.scalars(select(Evaluation).where(Evaluation.case_number == number)).one()
        assert evaluation.stars == stars


def test_a_message_that_is_not_a_rating_goes_to_the_bot(http: httpx.Client, agent: dict[str, str]) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    escalate(http, issued)
    http.post(f"/api/staff/handoff/conversations/{sender}/resolve", headers=agent).raise_for_status()
    assert chat(http, issued, "社保卡补办要带什么")[0]["text"] == ANSWER


def test_hand_back_to_the_bot_keeps_the_ticket_open(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway, fake_rasa: FakeRasa
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    number = escalate(http, issued)
    released = http.post(f"/api/staff/handoff/conversations/{sender}/release", headers=agent)
    assert released.status_code == 200 and released.json() == {"state": "bot", "ticket": number}
    assert fake_rasa.resumed == [sender]
    assert ticket_of(gateway, number).status == "open"
    last = http.get("/api/handoff/messages", params={"sender": issued}).json()
    assert last["state"] == "bot" and "智能助手继续为您服务" in last["lines"][-1]["text"]
    assert chat(http, issued, "社保卡怎么办")[0]["text"] == ANSWER


def test_agent_replies_reach_other_channels_through_their_outbound_sender(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway
) -> None:
    delivered: list[tuple[str, list[dict[str, Any]]]] = []

    class Recorder:
        async def deliver(self, sender: str, messages: list[dict[str, Any]]) -> bool:
            delivered.append((sender, messages))
            return True

    gateway.app.state.outbound = {**getattr(gateway.app.state, "outbound", {}), "wechat": Recorder()}
    openid = "wx:oAbC123_wechat"  # the gateway's id of a WeChat resident (api/senders.py)
    ticket = http.post(
        "/api/tickets",
        headers={"X-Service-Token": gateway.settings.service_token},
        json={"sender": openid, "channel": "wechat", "summary": "居民在微信上要求人工服务"},
    )
    assert ticket.status_code == 201
    reply = http.post(f"/api/staff/handoff/conversations/{openid}/reply", json={"text": "您好"}, headers=agent)
    assert reply.status_code == 200 and reply.json()["delivered"] is True
    assert delivered == [(openid, [{"text": "【人工客服】您好"}])]


@BOTH_STORES
def test_a_reply_the_channel_could_not_deliver_is_marked_in_the_conversation(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway
) -> None:
    class Refusing:
        """As the WeChat sender answers outside the 48-hour window (tests/channels: errcode 45015)."""

        async def deliver(self, sender: str, messages: list[dict[str, Any]]) -> bool:
            return False

    gateway.app.state.outbound = {**getattr(gateway.app.state, "outbound", {}), "wechat": Refusing()}
    openid = "wx:oAbC123_wechat_quiet"
    http.post(
        "/api/tickets",
        headers={"X-Service-Token": gateway.settings.service_token},
        json={"sender": openid, "channel": "wechat", "summary": "居民在微信上要求人工服务"},
    ).raise_for_status()
    reply = http.post(f"/api/staff/handoff/conversations/{openid}/reply", json={"text": "您好"}, headers=agent)
    assert reply.status_code == 200 and reply.json()["delivered"] is False
    lines = http.get(f"/api/staff/handoff/conversations/{openid}", headers=agent).json()["lines"]
    assert [line["role"] for line in lines[-2:]] == ["agent", "system"]
    assert lines[-1]["text"] == UNDELIVERED


def test_the_widget_stream_delivers_replies_and_replays_after_a_reconnect(
    http: httpx.Client, agent: dict[str, str], gateway: Gateway
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    escalate(http, issued)
    received: list[dict[str, Any]] = []
    ready = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", f"{gateway.url}/api/handoff/stream", params={"sender": issued}, timeout=20) as stream:
            ready.set()
            for raw in stream.iter_lines():
                if raw.startswith("data:"):
                    received.append(json.loads(raw[5:]))
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    assert ready.wait(10)
    reply = f"/api/staff/handoff/conversations/{sender}/reply"
    http.post(reply, json={"text": "第一条回复"}, headers=agent).raise_for_status()
    listener.join(10)
    assert [line["text"] for line in received] == ["第一条回复"]

    http.post(reply, json={"text": "第二条回复"}, headers=agent).raise_for_status()
    headers = {"Last-Event-ID": str(received[0]["seq"])}
    with httpx.stream("GET", f"{gateway.url}/api/handoff/stream", params={"sender": issued}, headers=headers) as stream:
        replayed = next(json.loads(raw[5:]) for raw in stream.iter_lines() if raw.startswith("data:"))
    assert replayed["text"] == "第二条回复" and replayed["seq"] > received[0]["seq"]


def test_handoff_endpoints_need_an_agent_token(http: httpx.Client) -> None:
    for method, path in (
        ("GET", "/api/staff/handoff/queue"),
        ("GET", "/api/staff/handoff/events"),
        ("GET", "/api/staff/handoff/categories"),
        ("GET", "/api/staff/handoff/conversations/x"),
        ("POST", "/api/staff/handoff/conversations/x/reply"),
        ("POST", "/api/staff/handoff/conversations/x/resolve"),
        ("POST", "/api/staff/handoff/conversations/x/release"),
        ("POST", "/api/staff/handoff/tickets/GD2025010100001/dispatch"),
    ):
        assert http.request(method, path, json={}).status_code == 401, path
        bad = http.request(method, path, json={}, headers={"Authorization": "Bearer forged"})
        assert bad.status_code == 401 and bad.json()["message"] == "登录已失效，请重新登录"


def test_bad_input_is_refused_with_a_clear_message(http: httpx.Client, agent: dict[str, str]) -> None:
    assert http.get("/api/staff/handoff/conversations/nobody", headers=agent).status_code == 404
    missing = http.post("/api/staff/handoff/conversations/nobody/reply", json={"text": "你好"}, headers=agent)
    assert missing.status_code == 404 and "不在人工队列" in missing.json()["message"]

    issued = issued_sender(http)
    sender = internal_sender(issued)
    number = escalate(http, issued)
    for body in ({}, {"text": "   "}, {"text": "长" * 2001}):
        reply = http.post(f"/api/staff/handoff/conversations/{sender}/reply", json=body, headers=agent)
        assert reply.status_code == 422, body

    path = f"/api/staff/handoff/tickets/{number}/dispatch"
    cases = (
        ({"category": "不存在的分类", "subcategory": "社会保障卡"}, "unknown_category"),
        ({"category": "劳动和社会保障", "subcategory": "噪声扰民"}, "unknown_subcategory"),
        ({"category": "劳动和社会保障", "subcategory": "社会保障卡", "department": "某某局"}, "unknown_department"),
    )
    for body, code in cases:
        response = http.post(path, json=body, headers=agent)
        assert response.status_code == 422 and response.json()["detail"] == code, response.text
    unknown = http.post(
        "/api/staff/handoff/tickets/GD2020010100001/dispatch",
        json=cases[0][0] | {"category": "民政", "subcategory": "婚姻登记"},
        headers=agent,
    )
    assert unknown.status_code == 404

    assert http.get("/api/handoff/messages", params={"sender": ""}).status_code == 422
    assert http.get("/api/handoff/messages", params={"sender": issued, "after": -1}).status_code == 422
