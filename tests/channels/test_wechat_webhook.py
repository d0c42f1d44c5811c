"""The `/wechat` webhook driven by wechatpy playing the WeChat server, in plaintext, compatible and safe mode."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import xmltodict

from api.replies import TEXT_ONLY, WELCOME
from api.senders import wechat_sender
from api.settings import Settings
from tests.channels.conftest import (
    TOKEN,
    FakeRasa,
    Gateway,
    WeChatServer,
    sign,
)
from tests.channels.fake_wechat_api import FakeWeChatApi

OPENID = "oLuAn_resident_0000000000001"
MODES = ["plaintext", "compatible", "safe"]

StartGateway = Callable[[Settings], Gateway]


@pytest.fixture
def gateway(make_settings: Callable[..., Settings], start_gateway: StartGateway) -> Gateway:
    return start_gateway(make_settings())


@pytest.fixture
def plaintext_gateway(make_settings: Callable[..., Settings], start_gateway: StartGateway) -> Gateway:
    """Plaintext mode: the account has no EncodingAESKey configured."""
    return start_gateway(make_settings(wechat_aes_key=None))


@pytest.fixture(params=MODES)
def wechat(request: pytest.FixtureRequest) -> WeChatServer:
    gateway = request.getfixturevalue("plaintext_gateway" if request.param == "plaintext" else "gateway")
    return WeChatServer(gateway, mode=request.param)


def test_url_verification_echoes_only_for_our_token(gateway: Gateway) -> None:
    query = {"timestamp": "1700000000", "nonce": "n0nce", "echostr": "4821930557"}
    good = gateway.http.get("/wechat", params={**query, "signature": sign(TOKEN, "1700000000", "n0nce")})
    assert good.status_code == 200 and good.text == "4821930557"
    forged = gateway.http.get("/wechat", params={**query, "signature": sign("other", "1700000000", "n0nce")})
    assert forged.status_code == 403
    assert gateway.http.get("/wechat", params={"echostr": "1"}).status_code == 403


def test_text_goes_to_the_assistant_with_the_prefixed_openid_as_sender(wechat: WeChatServer, rasa: FakeRasa) -> None:
    response = wechat.push(wechat.text(OPENID, "新生儿怎么办理户口", msg_id=1001))
    assert wechat.reply_text(response) == FakeRasa.echo("新生儿怎么办理户口")
    assert [(c["sender"], c["message"], c["metadata"]["channel"]) for c in rasa.calls] == [
        (wechat_sender(OPENID), "新生儿怎么办理户口", "wechat")
    ]
    assert rasa.calls[0]["metadata"]["request_id"]  # the push's request id, on to the actions (api/request_id.py)
    if wechat.mode == "safe":
        assert "新生儿" not in response.text and "您问的是" not in response.text  # nothing in the clear


def test_cdata_terminator_inside_a_reply_survives(wechat: WeChatServer, rasa: FakeRasa) -> None:
    tricky = "材料清单]]><xml>不是标签</xml> & 其他"
    rasa.answer("特殊字符", {"text": tricky})
    assert wechat.reply_text(wechat.push(wechat.text(OPENID, "特殊字符", msg_id=1002))) == tricky


def test_subscribe_gets_the_welcome(wechat: WeChatServer, rasa: FakeRasa) -> None:
    response = wechat.push(wechat.message(OPENID, "event", Event="subscribe", EventKey=""))
    assert wechat.reply_text(response) == WELCOME
    assert "12345" in WELCOME and rasa.calls == []


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("voice", {"MediaId": "m2", "Format": "amr"}),
        ("location", {"Location_X": "31.73", "Location_Y": "116.50", "Scale": "15", "Label": "六安市"}),
    ],
)
def test_media_gets_a_polite_please_type(
    gateway: Gateway, rasa: FakeRasa, msg_type: str, fields: dict[str, Any]
) -> None:
    wechat = WeChatServer(gateway, mode="safe")
    response = wechat.push(wechat.message(OPENID, msg_type, msg_id=2000 + len(msg_type), **fields))
    assert wechat.reply_text(response) == TEXT_ONLY
    assert "请直接输入文字" in TEXT_ONLY and rasa.calls == []


def test_voice_with_recognition_goes_to_the_assistant(gateway: Gateway, rasa: FakeRasa) -> None:
    wechat = WeChatServer(gateway)
    push = wechat.message(OPENID, "voice", msg_id=2100, MediaId="m3", Format="amr", Recognition="社保卡丢了怎么办")
    assert wechat.reply_text(wechat.push(push)) == FakeRasa.echo("社保卡丢了怎么办")
    assert rasa.messages() == ["社保卡丢了怎么办"]


def test_buttons_become_numbered_choices_and_a_number_picks_one(wechat: WeChatServer, rasa: FakeRasa) -> None:
    buttons = [
        {"title": "在线申请", "payload": '/apply_service{"service":"社会保障卡申领"}'},
        {"title": "查看材料", "payload": "/ask_service"},
        {"title": "转人工", "payload": "/request_human"},
    ]
    rasa.answer("办社保卡", {"text": "请问您想怎么办理？", "buttons": buttons})
    first = wechat.reply_text(wechat.push(wechat.text(OPENID, "办社保卡", msg_id=3001)))
    assert first == "请问您想怎么办理？\n\n1. 在线申请\n2. 查看材料\n3. 转人工\n回复数字1-3选择"

    wechat.reply_text(wechat.push(wechat.text(OPENID, "１", msg_id=3002)))  # full-width, as Chinese keyboards type
    assert rasa.messages()[-1] == '/apply_service{"service":"社会保障卡申领"}'
    # The echo had no buttons, so a number is now just text (a rating, an answer), not a choice.
    wechat.reply_text(wechat.push(wechat.text(OPENID, "3", msg_id=3003)))
    assert rasa.messages()[-1] == "3"


def test_a_choice_typed_out_picks_it_too(wechat: WeChatServer, rasa: FakeRasa) -> None:
    buttons = [
        {"title": "登记诉求", "payload": "/submit_complaint"},
        {"title": "转人工客服", "payload": "/request_human"},
    ]
    rasa.answer("小区门口下水道堵了两周", {"text": "需要的话，我可以把它登记为诉求。", "buttons": buttons})
    wechat.reply_text(wechat.push(wechat.text(OPENID, "小区门口下水道堵了两周", msg_id=3101)))
    wechat.reply_text(wechat.push(wechat.text(OPENID, "登记诉求", msg_id=3102)))
    assert rasa.messages()[-1] == "/submit_complaint"


def test_long_answer_is_split_within_the_limit(gateway: Gateway, rasa: FakeRasa, wechat_api: FakeWeChatApi) -> None:
    paragraphs = [f"第{i}条：" + "办理材料包括身份证原件及复印件、户口簿、近期免冠照片。" * 4 for i in range(1, 21)]
    rasa.answer("材料有哪些", {"text": "\n".join(paragraphs)})
    wechat = WeChatServer(gateway, mode="safe")
    first = wechat.reply_text(wechat.push(wechat.text(OPENID, "材料有哪些", msg_id=4001)))
    assert first is not None and len(first.encode()) <= 2048
    assert wechat_api.wait_until(lambda: len(wechat_api.sent) >= 2, timeout=10)
    time.sleep(0.3)  # nothing more than the rest of this answer may follow
    rest = wechat_api.texts_to(OPENID)
    assert all(len(part.encode()) <= 2048 for part in rest)
    assert "\n".join([first, *rest]) == "\n".join(paragraphs)


@pytest.mark.parametrize("mode", ["compatible", "safe"])
def test_bad_pushes_are_refused_without_reaching_the_assistant(gateway: Gateway, rasa: FakeRasa, mode: str) -> None:
    wechat = WeChatServer(gateway, mode=mode)
    timestamp, nonce = str(int(time.time())), "abc123"
    params, body = wechat.envelope(wechat.text(OPENID, "我的身份证号是什么", msg_id=5001), timestamp, nonce)
    encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
    raw = bytearray(base64.b64decode(encrypt))
    raw[40] ^= 0xFF  # flip bits inside the AES payload
    tampered = base64.b64encode(bytes(raw)).decode()
    tampered_body = body.replace(encrypt.encode(), tampered.encode())

    def post(query: dict[str, str], content: bytes) -> httpx.Response:
        return gateway.http.post("/wechat", params=query, content=content)

    # Not signed with our token, or ciphertext changed after WeChat signed it: 403.
    assert post({**params, "signature": sign("not-our-token", timestamp, nonce)}, body).status_code == 403
    assert post(params, tampered_body).status_code == 403
    # Signed, but the ciphertext does not decrypt to a push (as if the sender knew the token, not the key): 400.
    resigned = {**params, "msg_signature": sign(TOKEN, timestamp, nonce, tampered)}
    refused = post(resigned, tampered_body)
    assert refused.status_code == 400 and "身份证" not in refused.text
    # Encrypted for another official account: 400.
    other = WeChatServer(gateway, mode=mode, app_id="wx0000000000000000")
    assert post(*other.envelope(other.text(OPENID, "你好", msg_id=5002), timestamp, nonce)).status_code == 400
    # Safe-mode query without the message signature, or a body that is not a push: 400.
    assert post({k: v for k, v in params.items() if k != "msg_signature"}, body).status_code == 400
    assert post(params, b"<xml><ToUserName>x</ToUserName>").status_code == 400
    assert rasa.calls == []


def test_a_push_older_than_the_dedupe_window_is_refused_as_a_possible_replay(
    wechat: WeChatServer, rasa: FakeRasa
) -> None:
    window = Settings(database_url="sqlite://").wechat_dedupe_seconds

    def post_sent_seconds_ago(age: int, msg_id: int) -> httpx.Response:
        timestamp = str(int(time.time()) - age)
        params, body = wechat.envelope(wechat.text(OPENID, "社保卡怎么办", msg_id=msg_id), timestamp, "n0nce")
        return wechat.gateway.http.post("/wechat", params=params, content=body)

    # a push a minute old is a normal retry or a slow network: answered
    assert post_sent_seconds_ago(60, msg_id=7001).status_code == 200
    # signed with our token, but older than the window in which MsgIds are remembered: refused
    stale = post_sent_seconds_ago(window + 60, msg_id=7002)
    assert stale.status_code == 403 and stale.json()["detail"] == "stale_push"
    assert post_sent_seconds_ago(-(window + 60), msg_id=7003).status_code == 403  # from the future
    assert [c["message"] for c in rasa.calls] == ["社保卡怎么办"]


def test_push_with_a_timestamp_that_is_not_a_number_is_400(plaintext_gateway: Gateway, rasa: FakeRasa) -> None:
    wechat = WeChatServer(plaintext_gateway, mode="plaintext")
    params, body = wechat.envelope(wechat.text(OPENID, "你好", msg_id=7101), "yesterday", "n0nce")
    assert plaintext_gateway.http.post("/wechat", params=params, content=body).status_code == 400
    assert rasa.calls == []


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml", b"<xml><MsgType>text</MsgType></xml>", b"<html/>", "<xml>\u4e2d".encode("gbk")],
)
def test_malformed_plaintext_push_is_400_not_500(plaintext_gateway: Gateway, rasa: FakeRasa, body: bytes) -> None:
    wechat = WeChatServer(plaintext_gateway, mode="plaintext")
    query = wechat.query(str(int(time.time())), "n")
    response = plaintext_gateway.http.post("/wechat", params=query, content=body)
    assert response.status_code == 400
    assert rasa.calls == []


def test_plaintext_push_with_a_wrong_signature_is_403(gateway: Gateway, rasa: FakeRasa) -> None:
    wechat = WeChatServer(gateway, token="guessed-token")
    assert wechat.push(wechat.text(OPENID, "你好", msg_id=6001)).status_code == 403
    assert rasa.calls == []


def test_channel_is_closed_until_configured(
    make_settings: Callable[..., Settings], start_gateway: StartGateway
) -> None:
    gateway = start_gateway(make_settings(wechat_token=None, wechat_aes_key=None))
    wechat = WeChatServer(gateway)
    assert wechat.push(wechat.text(OPENID, "你好", msg_id=7001)).status_code == 503
