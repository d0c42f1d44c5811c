"""A push's claim is a lease (api/channels/wechat.py): a killed worker's claim lapses and WeChat's retry answers the
push; a live worker's claim is renewed for as long as its answer takes, so a retry never asks a second time.
(tests/e2e/test_faults_processes.py kills a real gateway process; these are the fast checks of the same rule.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import redis

from api.settings import Settings
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi

OPENID = "oLuAn_resident_0000000000009"
StartGateway = Callable[[Settings], Gateway]


def test_a_claim_left_by_a_killed_worker_lapses_and_the_retry_answers(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    wechat = WeChatServer(start_gateway(make_settings(**shared_redis)), mode="safe")
    # What a worker killed while answering leaves behind: its claim, which nobody renews any more.
    client = redis.Redis.from_url(shared_redis["redis_url"])
    client.set(f"{shared_redis['redis_prefix']}wechat:push:91", "pending:killed-worker", ex=3)
    started = time.monotonic()
    reply = wechat.reply_text(wechat.push(wechat.text(OPENID, "社保卡丢了怎么办", msg_id=91), timeout=6))
    assert reply == FakeRasa.echo("社保卡丢了怎么办") and time.monotonic() - started < 5.0
    assert rasa.messages() == ["社保卡丢了怎么办"]
    time.sleep(0.3)
    assert wechat_api.sent == []  # one answer, the passive one


def test_a_slow_live_worker_keeps_its_claim_and_the_retry_repeats_its_answer(
    make_settings: Callable[..., Settings],
    start_gateway: StartGateway,
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    gateway = start_gateway(make_settings(wechat_reply_budget_seconds=10.0, **shared_redis))
    wechat = WeChatServer(gateway, mode="safe")
    rasa.delay = 5.0  # longer than a claim lives without renewal
    push = wechat.text(OPENID, "居住证怎么办", msg_id=92)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(lambda: wechat.reply_text(wechat.push(push, timeout=12)))
        time.sleep(4.0)
        retry = pool.submit(lambda: wechat.reply_text(wechat.push(push, timeout=12)))
        assert first.result() == retry.result() == FakeRasa.echo("居住证怎么办")
    assert rasa.messages() == ["居住证怎么办"]
    assert wechat_api.sent == []
