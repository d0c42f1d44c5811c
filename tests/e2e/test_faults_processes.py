"""Faults of the stack's own processes (issue 15), with the real gateway, Rasa and action server: the action server
killed in the middle of a form, and a gateway worker killed while it answers a WeChat push that files a case."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from api.replies import NOT_TAKEN
from scripts.stack import Stack, wait_until_up
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.e2e.conftest import LiveStack, text_of
from tests.e2e.wechat_resident import WeChatResident, wechat_stack
from tests.gateway.server import free_port
from tests.own_servers import kill, start_process

pytestmark = pytest.mark.rasa

SECOND_GATEWAY = "gateway-2"


@pytest.fixture(scope="module")
def fault_stack() -> Iterator[tuple[LiveStack, FakeWeChatApi]]:
    # RASA_TOKEN fixed: a process started again must hold the same token as the running ones.
    with wechat_stack(RASA_TOKEN=secrets.token_urlsafe(32), WECHAT_REPLY_BUDGET_SECONDS="30") as started:
        yield started


def processes(stack: LiveStack) -> Stack:
    assert stack.processes is not None
    return stack.processes


def test_the_action_server_killed_in_the_middle_of_a_form_loses_no_answer(
    fault_stack: tuple[LiveStack, FakeWeChatApi],
) -> None:
    stack, _ = fault_stack
    resident = "e2e-fault-actions"
    assert "姓名" in text_of(stack.chat(resident, "我要办居住证"))
    assert "身份证" in text_of(stack.chat(resident, "张三"))

    kill(processes(stack), "actions")
    # The answer cannot be checked now: the resident is told it was not taken, and that the rest is kept.
    assert stack.chat(resident, "11010519491231002X") == [{"text": NOT_TAKEN}]

    start_process(processes(stack), "actions")
    assert wait_until_up(f"http://127.0.0.1:{processes(stack).actions_port}/health", 120)
    # Sent again, it is taken where the form stopped: the name given before the crash is still there.
    assert "手机号" in text_of(stack.chat(resident, "11010519491231002X"))
    summary = text_of(stack.chat(resident, "13812345678"))
    assert "张*" in summary and "110105********002X" in summary and "138****5678" in summary, summary
    filed = text_of(stack.chat(resident, "/affirm"))
    number = re.search(r"LA\d{8,}", filed)
    assert number, filed
    rows = stack.query("SELECT phone_last4 FROM cases WHERE number = %(n)s", n=number.group(0))
    assert rows == [("5678",)]


def _filings_waiting(stack: LiveStack) -> int:
    rows = stack.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'filing_locks'::regclass")
    return int(rows[0][0])


def _complaints(stack: LiveStack, description: str) -> list[str]:
    rows = stack.query(
        "SELECT c.number FROM complaints t JOIN cases c ON c.id = t.id WHERE t.description LIKE %(d)s",
        d=f"%{description}%",
    )
    return [row[0] for row in rows]


def test_a_gateway_worker_killed_during_a_wechat_push_files_one_case_and_confirms_once(
    fault_stack: tuple[LiveStack, FakeWeChatApi],
) -> None:
    stack, api = fault_stack
    # Two gateway processes on one database and Redis, as two replicas behind WeChat's retries: the push goes to
    # the second, which is killed; the action server files through the first, which stays up.
    port = free_port()
    start_process(processes(stack), SECOND_GATEWAY, gateway_port=port)
    second = f"http://127.0.0.1:{port}"
    assert wait_until_up(f"{second}/health", 120)

    resident = WeChatResident(f"oLuAn_fault_{secrets.token_hex(6)}", stack.gateway, api)
    description = "在政务中心社保窗口排了三个小时队，工作人员一直在玩手机"
    assert "问题" in resident.say("我要投诉")
    assert "联系电话" in resident.say(description)

    # The filing is held at its first write while the worker that carries the push is killed.
    with psycopg.connect(stack.database_url) as hold:
        hold.execute("LOCK TABLE filing_locks IN EXCLUSIVE MODE")
        first_copy = threading.Thread(target=_push_ignoring_the_kill, args=(resident, "13812345678", second))
        first_copy.start()
        deadline = time.monotonic() + 60
        while _filings_waiting(stack) == 0:
            assert time.monotonic() < deadline, "the filing never reached the database"
            time.sleep(0.05)
        kill(processes(stack), SECOND_GATEWAY)
        first_copy.join(30)
    msg_id = resident.last_msg_id

    # WeChat got no answer and sends the same message again, to the worker still up.
    before = len(api.texts_to(resident.openid))
    retry = resident.server().reply_text(resident.push("13812345678", msg_id=msg_id))
    print("RETRY:", retry)
    numbers = _complaints(stack, description)
    assert len(numbers) == 1, numbers
    assert retry is not None and numbers[0] in retry
    time.sleep(2)
    assert api.texts_to(resident.openid)[before:] == []  # no second confirmation through 客服消息


def _push_ignoring_the_kill(resident: WeChatResident, text: str, gateway: str) -> None:
    try:
        resident.push(text, gateway=gateway)
    except httpx.HTTPError:
        pass  # the worker was killed: WeChat sees a dropped connection and will retry
