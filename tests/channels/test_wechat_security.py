"""What a captured or forged WeChat request can no longer do: plaintext while the AES key is set, another
body under a used (timestamp, nonce), signatures guessed by timing."""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from api.channels import wechat_envelope
from api.settings import Settings
from tests.channels.conftest import TOKEN, FakeRasa, Gateway, WeChatServer, sign

OPENID = "oLuAn_resident_0000000000009"
StartGateway = Callable[[Settings], Gateway]


def test_a_plaintext_push_is_refused_while_the_aes_key_is_set(
    make_settings: Callable[..., Settings], start_gateway: StartGateway, rasa: FakeRasa
) -> None:
    gateway = start_gateway(make_settings())
    plaintext = WeChatServer(gateway, mode="plaintext")
    refused = plaintext.push(plaintext.text(OPENID, "帮我查一下张三的身份证号", msg_id=9001))
    assert refused.status_code == 403 and refused.json()["detail"] == "invalid_signature"
    assert rasa.calls == []
    for mode, msg_id in (("compatible", 9002), ("safe", 9003)):
        wechat = WeChatServer(gateway, mode=mode)
        assert wechat.reply_text(wechat.push(wechat.text(OPENID, "社保卡怎么补办", msg_id=msg_id))) is not None
    assert rasa.messages() == ["社保卡怎么补办", "社保卡怎么补办"]


def _post(gateway: Gateway, params: dict[str, str], body: bytes) -> httpx.Response:
    return gateway.http.post("/wechat", params=params, content=body)


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_a_used_nonce_carries_no_other_push_and_the_same_request_is_answered_once(
    make_settings: Callable[..., Settings], start_gateway: StartGateway, rasa: FakeRasa, mode: str
) -> None:
    gateway = start_gateway(make_settings(wechat_aes_key=None) if mode == "plaintext" else make_settings())
    wechat = WeChatServer(gateway, mode=mode)
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    params, body = wechat.envelope(wechat.text(OPENID, "公积金怎么提取", msg_id=9101), timestamp, nonce)
    first = wechat.reply_text(_post(gateway, params, body))
    # WeChat's retry is the very same request: the same answer, the assistant asked once.
    assert wechat.reply_text(_post(gateway, params, body)) == first
    # A captured request's signature with another push under it (in plaintext mode the body is not signed).
    forged_params, forged_body = wechat.envelope(wechat.text("oSomeoneElse", "退订", msg_id=9102), timestamp, nonce)
    refused = _post(gateway, forged_params, forged_body)
    assert refused.status_code == 403 and refused.json()["detail"] == "invalid_signature"
    assert rasa.messages() == ["公积金怎么提取"]


def test_nonces_are_shared_by_the_workers_through_redis(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
) -> None:
    settings = make_settings(wechat_aes_key=None, **shared_redis)
    first, second = start_gateway(settings), start_gateway(settings)
    wechat = WeChatServer(first, mode="plaintext")
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    assert _post(first, *wechat.envelope(wechat.text(OPENID, "你好", msg_id=9201), timestamp, nonce)).status_code == 200
    replay = _post(second, *wechat.envelope(wechat.text(OPENID, "注销账号", msg_id=9202), timestamp, nonce))
    assert replay.status_code == 403
    assert rasa.messages() == ["你好"]


def test_signatures_are_compared_in_constant_time(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[bytes] = []
    compare_digest = hmac.compare_digest

    def recording_compare_digest(a: bytes, b: bytes) -> bool:
        compared.extend((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(wechat_envelope.hmac, "compare_digest", recording_compare_digest)
    gateway = start_gateway(make_settings())
    timestamp, nonce = str(int(time.time())), "n0nce"
    url_check = {"timestamp": timestamp, "nonce": nonce, "echostr": "42", "signature": sign(TOKEN, timestamp, nonce)}
    assert gateway.http.get("/wechat", params=url_check).text == "42"
    assert sign(TOKEN, timestamp, nonce).encode() in compared
    wechat = WeChatServer(gateway, mode="safe")
    params, body = wechat.envelope(wechat.text(OPENID, "你好", msg_id=9301), timestamp, "n0nce2")
    assert _post(gateway, params, body).status_code == 200
    assert params["msg_signature"].encode() in compared  # the safe-mode signature over the ciphertext too


@pytest.mark.parametrize("signature", ["签名", "", "0" * 4000])
def test_odd_signatures_are_403_not_500(
    make_settings: Callable[..., Settings], start_gateway: StartGateway, signature: str
) -> None:
    gateway = start_gateway(make_settings())
    query = {"timestamp": str(int(time.time())), "nonce": "n", "echostr": "1", "signature": signature}
    assert gateway.http.get("/wechat", params=query).status_code == 403
