"""The community flows of issue 16 through `POST /api/chat` with the trained assistant, the action server and the
gateway's own services (seed-demo's sample community, budget rounds and stand-in department systems), checked in
the database: a 小区报事 with a photo, a budget proposal, voting and results, a property lookup by its owner (the
code texted through the HTTP SMS sender to a local stand-in of the provider's adapter)."""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.conftest import LiveStack, payloads, start_live_stack, text_of
from tests.gateway.server import serve

pytestmark = pytest.mark.rasa


def number_in(text: str, prefix: str) -> str:
    match = re.search(rf"{prefix}\d{{8,}}", text)
    assert match, f"no {prefix} number in: {text}"
    return match.group(0)


def tiny_png() -> bytes:
    """A 1x1 white PNG, written here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_an_incident_told_in_one_sentence_asks_only_the_community_and_phone(live_stack: LiveStack) -> None:
    sender = "e2e-incident"
    first = text_of(live_stack.chat(sender, "我家3栋2单元楼道灯坏了"))
    assert "哪个小区" in first and "几栋" not in first and "哪一类" not in first
    assert "手机号" in text_of(live_stack.chat(sender, "金安区某社区"))
    photo = httpx.post(
        f"{live_stack.gateway}/api/chat/photo",
        data={"sender": live_stack.sender(sender)},
        files={"file": ("light.png", tiny_png(), "image/png")},
        timeout=60,
    )
    assert photo.status_code == 200, photo.text
    assert "照片收到了" in text_of(photo.json()["messages"])
    reply = text_of(live_stack.chat(sender, "13812345678"))
    number = number_in(reply, "SQ")
    assert "报修" in reply and "样例·金安区某社区3栋2单元" in reply and re.search(r"\d+小时内", reply)
    rows = live_stack.query(
        "SELECT i.incident_kind, i.building, i.unit, i.description, i.photo_ids, c.phone_last4 "
        "FROM incidents i JOIN cases c ON c.id = i.id WHERE c.number = %(n)s",
        n=number,
    )
    assert rows and rows[0][:4] == ("报修", "3", "2", "我家3栋2单元楼道灯坏了")
    assert len(rows[0][4]) == 1 and rows[0][5] == "5678"

    live_stack.chat(sender, "查一下进度")
    live_stack.chat(sender, number)
    assert "网格员" in text_of(live_stack.chat(sender, "5678"))


def test_a_kind_and_place_are_asked_when_missing_and_a_plain_complaint_stays_one(live_stack: LiveStack) -> None:
    sender = "e2e-incident-ask"
    kinds = live_stack.chat(sender, "我要报修")
    assert "哪一类" in text_of(kinds) and '/inform{"incident_kind": "报修"}' in payloads(kinds)
    assert "哪个小区" in text_of(live_stack.chat(sender, '/inform{"incident_kind": "环境卫生"}'))
    assert "几栋几单元" in text_of(live_stack.chat(sender, "金安区某社区"))
    assert "什么情况" in text_of(live_stack.chat(sender, "/deny"))
    assert "手机号" in text_of(live_stack.chat(sender, "南门的垃圾桶满了好几天没人收"))
    reply = text_of(live_stack.chat(sender, "13812345678"))
    assert "环境卫生" in reply and number_in(reply, "SQ")

    complaint = text_of(live_stack.chat("e2e-incident-complaint", "政务服务中心的窗口工作人员态度很差，问两句就不耐烦"))
    assert "联系电话" in complaint


def test_a_budget_proposal_is_filed_with_its_rough_cost(live_stack: LiveStack) -> None:
    sender = "e2e-proposal"
    assert "名字" in text_of(live_stack.chat(sender, "我想提一个社区预算项目"))
    assert "要做什么" in text_of(live_stack.chat(sender, "小区快递驿站"))
    assert "多少钱" in text_of(live_stack.chat(sender, "在小区北门建一个快递驿站，方便老人取快递"))
    assert "建在哪里" in text_of(live_stack.chat(sender, "约5万元"))
    assert "手机号" in text_of(live_stack.chat(sender, "北门空地"))
    reply = text_of(live_stack.chat(sender, "13812345678"))
    number = number_in(reply, "YS")
    rows = live_stack.query(
        "SELECT p.title, p.rough_cost_yuan, c.status FROM proposals p JOIN cases c ON c.id = p.id "
        "WHERE c.number = %(n)s",
        n=number,
    )
    assert rows == [("小区快递驿站", 50000, "submitted")]


def test_voting_outside_wechat_points_to_the_page_and_results_wait_for_the_vote(live_stack: LiveStack) -> None:
    vote = text_of(live_stack.chat("e2e-vote-web", "我要投票"))
    assert "民生实事项目投票（样例）" in vote and "/budget" in vote and "最多选3个" in vote
    results = text_of(live_stack.chat("e2e-results", "预算项目结果"))
    assert "投票结束后公布" in results and "民生实事项目投票（样例）" in results


class SmsInbox:
    """The SMS provider's adapter (SMS_SENDER=http), stood in for: keeps what the gateway texts."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/sms")
        def receive(message: dict[str, Any]) -> dict[str, str]:
            self.sent.append(message)
            return {"status": "queued"}

    def code_to(self, phone: str) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            texts = [m["text"] for m in self.sent if m["phone"] == phone]
            if texts and (match := re.search(r"验证码是(\d{6})", texts[-1])):
                return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no code texted to {phone}: {self.sent}")


@pytest.fixture(scope="module")
def sms_stack() -> Iterator[tuple[LiveStack, SmsInbox]]:
    inbox = SmsInbox()
    with serve(inbox.app) as url, start_live_stack(SMS_SENDER="http", SMS_HTTP_URL=f"{url}/sms") as stack:
        yield stack, inbox


def test_a_property_lookup_needs_the_owner_and_names_the_missing_part(
    sms_stack: tuple[LiveStack, SmsInbox],
) -> None:
    stack, inbox = sms_stack
    sender = "e2e-property"
    assert "不动产权证号" in text_of(stack.chat(sender, "查询不动产信息"))
    assert "格式" in text_of(stack.chat(sender, "房产证在抽屉里"))
    assert "权利人" in text_of(stack.chat(sender, "皖(2026)六安市不动产权第0034567号"))
    # A valid ID number that owns another sample property: refused, nobody named, asked again.
    refused = text_of(stack.chat(sender, "341503197506080042"))
    assert "不一致" in refused and "4504" not in refused and "341502" not in refused
    sent = text_of(stack.chat(sender, "341502198601150035"))
    assert "尾号4504" in sent and "18755644504" not in sent and "6位验证码" in sent
    assert "刚刚已发送" not in sent and len(inbox.sent) == 1  # one check, one text
    code = inbox.code_to("18755644504")
    assert "不动产信息查询" in inbox.sent[-1]["text"]
    wrong = stack.chat(sender, "000000" if code != "000000" else "111111")
    assert "还可以再试4次" in text_of(wrong) and "重新发送验证码" in payloads(wrong)
    reply = text_of(stack.chat(sender, code))
    assert "土地信息（市自然资源和规划局）" in reply and "商服用地" in reply and "46.10平方米" in reply
    assert "税务信息暂时没有查到，请稍后再试" in reply
    audited = stack.query(
        "SELECT action, detail FROM audit_log WHERE action IN ('property_owner_check', 'property_lookup') ORDER BY id"
    )
    assert [action for action, _ in audited] == ["property_owner_check", "property_owner_check", "property_lookup"]
    assert "341502198601150035" not in str(audited) and "341502********0035" in str(audited)
