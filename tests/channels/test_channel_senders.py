"""Senders tied to their channel (issue 15, item 3): a WeChat resident is `wx:<openid>` behind the gateway, and
a web client can name neither that id nor the bare openid, so it reaches neither the resident's tracker nor
their handoff. Agent replies still go to WeChat's API under the bare openid."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.db import make_engine, make_session_factory, transaction
from api.models import StaffUser
from api.security import hash_password
from api.settings import Settings
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.senders import internal_sender, issued_sender

OPENID = "oLuAn_resident_0000000000077"
PASSWORD = "agent-password-0123456789"


def agent_headers(gateway: Gateway) -> dict[str, str]:
    with transaction(make_session_factory(make_engine(gateway.settings.database_url))) as session:
        session.add(
            StaffUser(username="agent1", display_name="王坐席", role="agent", password_hash=hash_password(PASSWORD))
        )
    login = gateway.http.post("/api/auth/login", json={"username": "agent1", "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def escalate(gateway: Gateway, sender: str) -> None:
    """What the action server does when the resident asks for a person: a ticket, which puts them in the queue."""
    ticket = gateway.http.post(
        "/api/tickets",
        json={"sender": sender, "channel": "wechat", "summary": "要找人工", "transcript": [], "suggestions": []},
        headers={"X-Service-Token": gateway.settings.service_token},
    )
    assert ticket.status_code == 201, ticket.text


@pytest.fixture
def gateway(make_settings: Callable[..., Settings], start_gateway: Callable[[Settings], Gateway]) -> Gateway:
    return start_gateway(make_settings())


def test_a_wechat_resident_is_prefixed_and_a_web_client_cannot_speak_as_them(
    gateway: Gateway, rasa: FakeRasa, wechat_api: FakeWeChatApi
) -> None:
    wechat = WeChatServer(gateway)
    assert wechat.reply_text(wechat.push(wechat.text(OPENID, "社保卡怎么办", msg_id=71))) == FakeRasa.echo(
        "社保卡怎么办"
    )
    assert [call["sender"] for call in rasa.calls] == [f"wx:{OPENID}"]

    for named in (OPENID, f"wx:{OPENID}", f"web:{OPENID}"):
        refused = gateway.http.post("/api/chat", json={"sender": named, "message": "我要继续填表"})
        assert refused.status_code == 403, named
        assert refused.json()["detail"] == "sender_not_issued" and "刷新" in refused.json()["message"]
    assert len(rasa.calls) == 1  # none of them reached the assistant

    sender = issued_sender(gateway.http)
    answered = gateway.http.post("/api/chat", json={"sender": sender, "message": "你好"})
    assert answered.status_code == 200 and answered.json()["messages"] == [{"text": FakeRasa.echo("你好")}]
    assert rasa.calls[-1]["sender"] == internal_sender(sender) != f"wx:{OPENID}"
    assert rasa.calls[-1]["metadata"]["channel"] == "web"


def test_a_handoff_stays_with_wechat_and_agent_replies_go_to_the_bare_openid(
    gateway: Gateway, rasa: FakeRasa, wechat_api: FakeWeChatApi
) -> None:
    escalate(gateway, f"wx:{OPENID}")
    headers = agent_headers(gateway)

    # A web client naming the resident can neither write into the handoff nor read or stream it.
    assert gateway.http.post("/api/chat", json={"sender": OPENID, "message": "我在网页上"}).status_code == 403
    for named in (OPENID, f"wx:{OPENID}"):
        assert gateway.http.get("/api/handoff/messages", params={"sender": named}).status_code == 403
        with gateway.http.stream("GET", "/api/handoff/stream", params={"sender": named}) as stream:
            assert stream.status_code == 403 and stream.headers["content-type"].startswith("application/json")
    queue = gateway.http.get("/api/staff/handoff/queue", headers=headers).json()["conversations"]
    assert [(c["sender"], c["channel"]) for c in queue] == [(f"wx:{OPENID}", "wechat")]

    reply = gateway.http.post(
        f"/api/staff/handoff/conversations/wx:{OPENID}/reply", json={"text": "您好，我是12345坐席"}, headers=headers
    )
    assert reply.status_code == 200 and reply.json()["delivered"] is True
    assert wechat_api.wait_until(lambda: bool(wechat_api.sent), timeout=10)
    assert wechat_api.texts_to(OPENID) == ["【人工客服】您好，我是12345坐席"]
    assert wechat_api.texts_to(f"wx:{OPENID}") == []
