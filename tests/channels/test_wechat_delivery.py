"""Exactly-once answers: WeChat's retries, the 5-second limit, and the customer-service API (客服消息)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.channels.wechat_api import mask_openid
from api.main import create_app
from api.settings import Settings
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi

OPENID = "oLuAn_resident_0000000000002"
StartGateway = Callable[[Settings], Gateway]


@pytest.fixture(params=["redis", "memory"])
def store(request: pytest.FixtureRequest) -> dict[str, str | None]:
    """Dedupe in the real Redis (shared by workers), and in-process when REDIS_URL is not set."""
    if request.param == "redis":
        shared: dict[str, str | None] = request.getfixturevalue("shared_redis")
        return shared
    return {"redis_url": None}


def test_slow_answer_gets_success_in_time_then_a_customer_service_message(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(**shared_redis)), mode="safe")
    rasa.delay = 5.5  # longer than WeChat's 5 seconds
    started = time.monotonic()
    response = wechat.push(wechat.text(OPENID, "公积金怎么提取", msg_id=1), timeout=6)
    elapsed = time.monotonic() - started
    assert wechat.reply_text(response) is None and 3.9 <= elapsed < 5.0  # WeChat gives up at 5 s
    assert wechat_api.wait_until(lambda: bool(wechat_api.sent), timeout=10)
    assert wechat_api.texts_to(OPENID) == [FakeRasa.echo("公积金怎么提取")]
    assert rasa.messages() == ["公积金怎么提取"]


def test_concurrent_retries_reach_the_assistant_once(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    store: dict[str, str | None],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(**store)), mode="safe")
    rasa.delay = 1.0
    push = wechat.text(OPENID, "居住证怎么办", msg_id=2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda _: wechat.reply_text(wechat.push(push)), range(4)))
    assert replies == [FakeRasa.echo("居住证怎么办")] * 4  # WeChat shows the reply of the one it still waits on
    assert rasa.messages() == ["居住证怎么办"]
    time.sleep(0.3)
    assert wechat_api.sent == []


def test_retry_after_the_budget_gets_success_and_the_answer_comes_once(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    store: dict[str, str | None],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(wechat_reply_budget_seconds=1.0, **store)))
    rasa.delay = 2.5
    push = wechat.text(OPENID, "医保卡丢了", msg_id=3)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(lambda: wechat.reply_text(wechat.push(push)))
        time.sleep(1.3)
        retry = pool.submit(lambda: wechat.reply_text(wechat.push(push)))
        assert retry.result() is None and first.result() is None
    assert wechat_api.wait_until(lambda: bool(wechat_api.sent), timeout=10)
    time.sleep(0.3)
    assert wechat_api.texts_to(OPENID) == [FakeRasa.echo("医保卡丢了")]
    assert rasa.messages() == ["医保卡丢了"]


def test_a_retry_that_gives_up_first_hands_the_answer_to_customer_service(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    """Two workers: the retry (short budget) answers `success` while the first copy (long budget) is still
    waiting, so the first copy must not reply passively any more: the answer goes out once, as 客服消息."""
    patient = start_gateway(make_settings(wechat_reply_budget_seconds=3.0, **shared_redis))
    hasty = start_gateway(make_settings(wechat_reply_budget_seconds=0.5, **shared_redis))
    first, retry = WeChatServer(patient), WeChatServer(hasty)
    rasa.delay = 1.5
    push = first.text(OPENID, "不动产登记要什么材料", msg_id=4)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first_reply = pool.submit(lambda: first.reply_text(first.push(push)))
        time.sleep(0.2)
        assert retry.reply_text(retry.push(push)) is None
        assert first_reply.result() is None
    assert wechat_api.wait_until(lambda: bool(wechat_api.sent), timeout=10)
    time.sleep(0.3)
    assert wechat_api.texts_to(OPENID) == [FakeRasa.echo("不动产登记要什么材料")]
    assert rasa.messages() == ["不动产登记要什么材料"]


def test_outside_the_48_hour_window_is_logged_masked_and_not_retried(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(wechat_reply_budget_seconds=0.5)))
    wechat_api.refuse(OPENID, 45015)
    rasa.delay = 1.0
    with caplog.at_level(logging.INFO):
        assert wechat.reply_text(wechat.push(wechat.text(OPENID, "营业执照怎么办", msg_id=5))) is None
        assert wechat_api.wait_until(lambda: bool(wechat_api.refused), timeout=10)
        time.sleep(0.5)
    assert [errcode for _, errcode in wechat_api.refused] == [45015] and wechat_api.sent == []
    window = [r for r in caplog.records if "48-hour" in r.getMessage()]
    assert len(window) == 1 and window[0].__dict__["to"] == mask_openid(OPENID)
    assert not any(OPENID in r.getMessage() or OPENID in str(r.__dict__) for r in caplog.records)


def test_expired_token_is_refreshed_once(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(wechat_reply_budget_seconds=0.3, **shared_redis)))
    rasa.delay = 0.6
    assert wechat.reply_text(wechat.push(wechat.text(OPENID, "第一问", msg_id=6))) is None
    assert wechat_api.wait_until(lambda: len(wechat_api.sent) == 1, timeout=10)
    wechat_api.expire_tokens()  # the cached token (in Redis) is now stale: 42001, then one refresh
    assert wechat.reply_text(wechat.push(wechat.text(OPENID, "第二问", msg_id=7))) is None
    assert wechat_api.wait_until(lambda: len(wechat_api.sent) == 2, timeout=10)
    assert wechat_api.token_fetches == 2
    # A token refused even after the refresh is not refreshed again and again.
    other = "oLuAn_resident_0000000000003"
    wechat_api.refuse(other, 40001)
    assert wechat.reply_text(wechat.push(wechat.text(other, "第三问", msg_id=8))) is None
    assert wechat_api.wait_until(lambda: len(wechat_api.refused) == 2, timeout=10)
    time.sleep(0.5)
    assert len(wechat_api.refused) == 2 and wechat_api.token_fetches == 3


def test_workers_share_one_access_token_through_redis(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    settings = make_settings(wechat_reply_budget_seconds=0.2, **shared_redis)
    workers = [WeChatServer(start_gateway(settings)), WeChatServer(start_gateway(settings))]
    rasa.delay = 0.4
    for delivered, wechat in enumerate(workers, start=1):
        assert wechat.reply_text(wechat.push(wechat.text(OPENID, f"问题{delivered}", msg_id=8 + delivered))) is None
        assert wechat_api.wait_until(lambda: len(wechat_api.sent) == delivered, timeout=10)  # noqa: B023 - waited for in this iteration
    assert wechat_api.token_fetches == 1


def test_agent_replies_go_out_as_customer_service_messages(
    make_settings: Callable[..., Settings], wechat_api: FakeWeChatApi
) -> None:
    with TestClient(create_app(make_settings())) as client:
        outbound = client.app.state.outbound["wechat"]  # type: ignore[attr-defined]
        assert client.portal is not None  # the app runs on the client's event loop
        buttons = [{"title": "已解决", "payload": "/affirm"}, {"title": "未解决", "payload": "/deny"}]
        delivered = client.portal.call(
            outbound.deliver, OPENID, [{"text": "【人工客服】已为您加急办理", "buttons": buttons}]
        )
        assert delivered is True
        wechat_api.refuse("oLuAn_resident_0000000000004", 45015)
        assert client.portal.call(outbound.deliver, "oLuAn_resident_0000000000004", [{"text": "您好"}]) is False
    assert wechat_api.texts_to(OPENID) == ["【人工客服】已为您加急办理\n\n1. 已解决\n2. 未解决\n回复数字1-2选择"]
