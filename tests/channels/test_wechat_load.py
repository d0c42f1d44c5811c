"""Load: 50 concurrent pushes (half of them WeChat's retries) over two gateway workers sharing Redis."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.settings import Settings
from tests.channels.conftest import FakeRasa, Gateway, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi

RESIDENTS = [f"oLuAn_load_resident_{n:08d}" for n in range(5)]
QUESTIONS = ["户口迁移", "社保转移", "公积金提取", "居住证", "营业执照"]


@pytest.mark.parametrize(
    ("budget", "assistant_delay"),
    [(4.0, 0.5), (0.5, 1.0)],
    ids=["answers-in-time", "answers-through-customer-service"],
)
def test_fifty_concurrent_pushes_lose_nothing_and_duplicate_nothing(
    budget: float,
    assistant_delay: float,
    make_settings: Callable[..., Settings],
    start_gateway: Callable[[Settings], Gateway],
    shared_redis: dict[str, str],
    rasa: FakeRasa,
    wechat_api: FakeWeChatApi,
) -> None:
    settings = make_settings(wechat_reply_budget_seconds=budget, **shared_redis)
    workers = [WeChatServer(start_gateway(settings), mode="safe") for _ in range(2)]
    rasa.delay = assistant_delay
    messages = [
        (msg_id, openid, f"{openid[-2:]}号居民问{question}")
        for msg_id, (openid, question) in enumerate(((o, q) for o in RESIDENTS for q in QUESTIONS), start=100)
    ]
    pushes = [(copy, message) for message in messages for copy in range(2)]  # every push and one retry
    random.Random(5).shuffle(pushes)

    def push(copy: int, message: tuple[int, str, str]) -> tuple[int, str | None]:
        msg_id, openid, text = message
        wechat = workers[(msg_id + copy) % 2]  # the retry lands on the other worker
        return msg_id, wechat.reply_text(wechat.push(wechat.text(openid, text, msg_id), timeout=15))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(pushes)) as pool:
        results = list(pool.map(lambda p: push(*p), pushes))
    elapsed = time.monotonic() - started

    expected = {msg_id: FakeRasa.echo(text) for msg_id, _, text in messages}
    passive: dict[int, set[str]] = defaultdict(set)
    for msg_id, reply in results:
        if reply is not None:
            passive[msg_id].add(reply)
    # Every answer not given passively must come as 客服消息; wait for those, then a little for duplicates.
    assert wechat_api.wait_until(lambda: len(wechat_api.sent) >= len(expected) - len(passive), timeout=15)
    time.sleep(0.5)
    pushed = [m["text"]["content"] for m in wechat_api.sent]
    assert sorted(rasa.messages()) == sorted(text for _, _, text in messages)  # each asked exactly once
    for msg_id, answer in expected.items():
        # Delivered exactly once: as the (same) passive reply of its copies, or else as one 客服消息.
        assert passive.get(msg_id, {answer}) == {answer}
        assert pushed.count(answer) == (0 if msg_id in passive else 1)
    assert len(pushed) == len(expected) - len(passive)
    print(f"\n50 pushes (25 retries) over 2 workers: {elapsed:.2f} s, {len(passive)} passive, {len(pushed)} pushed")
