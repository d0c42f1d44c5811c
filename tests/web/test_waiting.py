"""A resident waiting for a 12345 agent: taking the handoff back, the after-hours answer, button titles in
the transcript; and a resident the assistant did not answer (the tracker is repaired)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import AuditEntry
from api.replies import (
    ACKNOWLEDGEMENT,
    NOT_ANSWERED,
    NOT_ANSWERED_BUTTONS,
    STILL_WAITING,
    WITHDRAWN_NOTE,
    after_hours,
    withdrawn,
)
from api.waiting import wants_to_withdraw
from tests.senders import internal_sender, issued_sender
from tests.web.conftest import ANSWER, FakeRasa, Gateway
from tests.web.test_handoff_api import BOTH_STORES, chat, escalate, ticket_of

LISTEN = {"event": "action", "name": "action_listen"}


def in_queue(http: httpx.Client, agent: dict[str, str], sender: str) -> bool:
    queue = http.get("/api/staff/handoff/queue", headers=agent).json()
    return any(c["sender"] == sender for c in queue["conversations"])


@pytest.mark.parametrize(
    "text", ["算了", "算了吧", "不用了", "不需要了", "取消", "不用人工了", "我自己看看", "那算了，谢谢", "  不用了。"]
)
def test_short_answers_take_the_handoff_back(text: str) -> None:
    assert wants_to_withdraw(text)


@pytest.mark.parametrize(
    "text", ["算了算了，你们这个系统太难用了，我的社保卡到底什么时候能补好", "取消预约怎么办", "好的"]
)
def test_a_sentence_that_merely_contains_those_words_stays_with_the_agent(text: str) -> None:
    assert not wants_to_withdraw(text)


@BOTH_STORES
def test_the_resident_takes_the_handoff_back(
    http: httpx.Client,
    agent: dict[str, str],
    gateway: Gateway,
    fake_rasa: FakeRasa,
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    number = escalate(http, issued)
    long_sentence = "算了算了，你们这个系统太难用了，我的社保卡到底什么时候能补好"
    assert chat(http, issued, long_sentence) == [{"text": ACKNOWLEDGEMENT}]
    assert in_queue(http, agent, sender)

    assert chat(http, issued, "算了，不用了") == [{"text": withdrawn(number)}]
    assert not in_queue(http, agent, sender)
    assert fake_rasa.resumed == [sender]
    ticket = ticket_of(gateway, number)
    assert ticket.status == "open"
    texts = [line["text"] for line in ticket.transcript]
    assert texts[-3:] == [long_sentence, "算了，不用了", WITHDRAWN_NOTE]
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.target == number)))
        assert "handoff_withdrawn" in actions

    assert chat(http, issued, "社保卡怎么办")[0]["text"] == ANSWER  # the assistant answers again


def test_once_an_agent_replied_no_thanks_is_an_answer_to_the_agent(
    http: httpx.Client,
    agent: dict[str, str],
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    escalate(http, issued)
    http.post(
        f"/api/staff/handoff/conversations/{sender}/reply", json={"text": "需要我帮您预约吗？"}, headers=agent
    ).raise_for_status()
    assert chat(http, issued, "不用了") == [{"text": ACKNOWLEDGEMENT}]  # the first message of the handoff
    assert chat(http, issued, "谢谢") == []  # the agent is talking with the resident: the gateway is quiet
    assert in_queue(http, agent, sender)


def test_staff_reading_the_ticket_see_waiting_messages_and_button_titles(
    http: httpx.Client,
    agent: dict[str, str],
) -> None:
    issued = issued_sender(http)
    number = escalate(http, issued)
    pressed = http.post("/api/chat", json={"sender": issued, "message": "not_satisfied", "title": "没解决，转人工"})
    assert pressed.status_code == 200
    chat(http, issued, "身份证340102199003071234补办")
    ticket = http.get(f"/api/staff/cases/{number}", headers=agent).json()
    texts = [line["text"] for line in ticket["transcript"]]
    assert texts[-2:] == ["没解决，转人工", "身份证340102********1234补办"]
    assert "not_satisfied" not in texts


def test_after_hours_the_first_answer_says_when_a_person_will_read_it(
    http: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saturday = datetime(2026, 12, 5, 21, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr("api.waiting.utcnow", lambda: saturday)
    issued = issued_sender(http)
    escalate(http, issued)
    first = chat(http, issued, "我的社保卡丢了")
    assert first == [{"text": after_hours("12月7日（周一）上午8:30")}]
    assert "非工作时间" in first[0]["text"]
    assert chat(http, issued, "麻烦尽快") == [{"text": STILL_WAITING[0]}]


def test_an_unanswered_message_gets_a_reply_and_repairs_the_tracker(
    http: httpx.Client,
    fake_rasa: FakeRasa,
) -> None:
    issued = issued_sender(http)
    sender = internal_sender(issued)
    assert chat(http, issued, "/restart") == [{"text": NOT_ANSWERED, "buttons": NOT_ANSWERED_BUTTONS}]
    assert fake_rasa.events == [(sender, LISTEN)]
    assert chat(http, issued, "社保卡怎么办")[0]["text"] == ANSWER
    assert fake_rasa.events == [(sender, LISTEN)]  # an answered message repairs nothing
