"""WeChat text as residents send it: empty or over-long texts answered like on the website, and a numbered
choice kept in a handed-off conversation as the title the resident picked, never as its payload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Ticket
from api.replies import NOTHING_RECEIVED, too_long
from api.senders import wechat_sender
from api.settings import Settings
from contract.limits import MAX_LETTER_CHARS
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer

OPENID = "oLuAn_resident_0000000000002"


@pytest.fixture
def gateway(make_settings: Callable[..., Settings], start_gateway: Callable[[Settings], Gateway]) -> Gateway:
    return start_gateway(make_settings())


def test_an_empty_text_is_answered_without_the_assistant(gateway: Gateway, rasa: FakeRasa) -> None:
    wechat = WeChatServer(gateway, mode="safe")
    assert wechat.reply_text(wechat.push(wechat.text(OPENID, "   ", msg_id=7001))) == NOTHING_RECEIVED
    assert rasa.messages() == []


def test_an_over_long_text_reaches_the_assistant_cut_and_the_resident_is_told(gateway: Gateway, rasa: FakeRasa) -> None:
    wechat = WeChatServer(gateway, mode="safe")
    letter = "小区门口的垃圾一直没人清理。" * (MAX_LETTER_CHARS // 10)
    reply = wechat.reply_text(wechat.push(wechat.text(OPENID, letter, msg_id=7002)))
    assert reply.startswith(too_long(MAX_LETTER_CHARS))
    assert rasa.messages() == [letter[:MAX_LETTER_CHARS]]


def test_a_numbered_choice_reaches_the_agent_as_its_title(gateway: Gateway, rasa: FakeRasa) -> None:
    buttons = [{"title": "没解决，转人工", "payload": "not_satisfied"}, {"title": "解决了", "payload": "/affirm"}]
    rasa.answer("社保卡丢了", {"text": "可以在线挂失。", "buttons": buttons})
    wechat = WeChatServer(gateway, mode="safe")
    wechat.reply_text(wechat.push(wechat.text(OPENID, "社保卡丢了", msg_id=7101)))
    ticket = gateway.http.post(
        "/api/tickets",
        headers={"X-Service-Token": gateway.settings.service_token},
        json={"sender": wechat_sender(OPENID), "channel": "wechat", "summary": "居民要求人工服务"},
    )
    assert ticket.status_code == 201
    wechat.reply_text(wechat.push(wechat.text(OPENID, "1", msg_id=7102)))
    sessions = make_session_factory(make_engine(gateway.settings.database_url))
    with transaction(sessions) as session:
        stored = session.scalars(select(Ticket).where(Ticket.number == ticket.json()["number"])).one()
        assert [line["text"] for line in stored.transcript] == ["没解决，转人工"]
