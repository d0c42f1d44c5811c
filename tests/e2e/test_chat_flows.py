"""Every resident flow through `POST /api/chat` with the trained assistant, checked in the database."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.conftest import LiveStack, payloads, text_of
from tests.gateway.test_personal_data import with_check_digit

pytestmark = pytest.mark.rasa

ID_NUMBER = with_check_digit("34150219880808123")


def number_in(text: str, prefix: str) -> str:
    match = re.search(rf"{prefix}\d{{8,}}", text)
    assert match, f"no {prefix} number in: {text}"
    return match.group(0)


def test_question_is_answered_from_the_knowledge_base_with_its_source(live_stack: LiveStack) -> None:
    reply = text_of(live_stack.chat("e2e-ask", "公积金怎么提取出来"))
    assert "住房公积金提取" in reply and "住房公积金管理中心" in reply
    assert "以窗口最新要求为准" in reply


def test_out_of_scope_question_is_not_answered_from_the_knowledge_base(live_stack: LiveStack) -> None:
    reply = text_of(live_stack.chat("e2e-oos", "明天六安会下雨吗"))
    assert "来源" not in reply
    assert "12345" in reply or "不在" in reply


def test_complaint_is_filed_with_a_three_working_day_deadline(live_stack: LiveStack) -> None:
    sender = "e2e-complaint"
    live_stack.chat(sender, "我要投诉")
    live_stack.chat(sender, "在政务中心社保窗口排了三个小时队，工作人员一直在玩手机")
    reply = text_of(live_stack.chat(sender, "13812345678"))
    number = number_in(reply, "TS")
    assert "3个工作日" in reply
    rows = live_stack.query(
        "SELECT c.status, c.phone_last4, p.description FROM cases c JOIN complaints p ON p.id = c.id "
        "WHERE c.number = %(n)s",
        n=number,
    )
    assert rows and rows[0][0] == "pending" and rows[0][1] == "5678" and "玩手机" in rows[0][2]

    status = text_of(live_stack.chat("e2e-status", "查一下办件进度"))
    assert "编号" in status
    live_stack.chat("e2e-status", number.lower())
    assert "待处理" in text_of(live_stack.chat("e2e-status", "5678"))


@pytest.mark.parametrize(("status", "text"), [("processing", "处理中"), ("resolved", "已办结")])
def test_a_complaint_that_staff_moved_on_reads_in_chinese(live_stack: LiveStack, status: str, text: str) -> None:
    # The actions once kept their own status table, and a resolved complaint read "当前状态：resolved".
    filed = httpx.post(
        f"{live_stack.gateway}/api/complaints",
        json={"description": "小区门口路灯坏了一个月没人修", "phone": "13812345678"},
        timeout=10,
    ).json()
    number = filed["number"]
    live_stack.execute("UPDATE cases SET status = %(s)s WHERE number = %(n)s", s=status, n=number)
    sender = f"e2e-status-{status}"
    live_stack.chat(sender, "查一下办件进度")
    live_stack.chat(sender, number)
    reply = text_of(live_stack.chat(sender, "5678"))
    assert f"投诉 {number} 当前状态：{text}。" in reply
    assert not re.search(r"[A-Za-z]{2,}", reply.replace(number, ""))


def test_a_resident_not_satisfied_with_a_resolved_complaint_sends_it_back(live_stack: LiveStack) -> None:
    sender = "e2e-reopen"
    live_stack.chat(sender, "我要投诉，公积金窗口说材料不全却不告诉我缺什么")
    number = number_in(text_of(live_stack.chat(sender, "13812345678")), "TS")
    live_stack.execute("UPDATE cases SET status = 'resolved' WHERE number = %(n)s", n=number)
    offered = live_stack.chat(sender, "投诉的事情处理好了 但是我不满意")
    assert "您对哪一件的办理结果不满意" in text_of(offered)
    pressed = next(p for p in payloads(offered) if number in p)
    reply = text_of(live_stack.chat(sender, pressed))
    assert f"已为您申请重办投诉 {number}" in reply and "当前状态：处理中" in reply
    rows = live_stack.query(
        "SELECT c.status, e.kind FROM cases c JOIN supervision_events e ON e.case_id = c.id WHERE c.number = %(n)s",
        n=number,
    )
    assert rows == [("processing", "reopen")]
    # Resolved again and still not satisfied: a person follows it up, not another round.
    live_stack.execute("UPDATE cases SET status = 'resolved' WHERE number = %(n)s", n=number)
    again = live_stack.chat(sender, f"{number}说是办结了 问题根本没解决")
    assert "已经按您的意见重办过一次" in text_of(again) and "/request_human" in payloads(again)


def test_application_is_filed_after_confirmation_with_masked_data(live_stack: LiveStack) -> None:
    sender = "e2e-apply"
    live_stack.chat(sender, "我要在线申请居住证")
    live_stack.chat(sender, "张三")
    live_stack.chat(sender, ID_NUMBER)
    confirm = text_of(live_stack.chat(sender, "13912345678"))
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in confirm and "139****5678" in confirm
    assert ID_NUMBER not in confirm
    reply = text_of(live_stack.chat(sender, "/affirm"))
    number = number_in(reply, "LA")
    rows = live_stack.query(
        "SELECT c.service, c.status FROM cases c WHERE c.number = %(n)s",
        n=number,
    )
    assert rows == [("居住证办理", "submitted")]

    live_stack.chat(sender, "/rate_service")
    live_stack.chat(sender, "5星")
    thanks = text_of(live_stack.chat(sender, "办得挺快的"))
    assert "感谢" in thanks
    ratings = live_stack.query("SELECT stars, comment FROM evaluations WHERE case_number = %(n)s", n=number)
    assert ratings == [(5, "办得挺快的")]


def test_a_complaint_asked_for_in_the_middle_of_an_application_replaces_it(live_stack: LiveStack) -> None:
    sender = "e2e-switch"
    live_stack.chat(sender, "我要在线申请居住证")
    live_stack.chat(sender, "张三")
    live_stack.chat(sender, ID_NUMBER)
    switched = live_stack.chat(sender, "我要投诉")
    # the leave message and the complaint's first question, no re-prompt for the cleared application slots
    assert len(switched) == 2
    assert "办事申请先不办了" in switched[0]["text"] and "发生了什么" in switched[1]["text"]
    live_stack.chat(sender, "居住证窗口说我材料不全，又说不清缺什么，来回跑了三趟")
    number = number_in(text_of(live_stack.chat(sender, "13812345678")), "TS")
    rows = live_stack.query("SELECT number, kind FROM cases WHERE sender = %(s)s", s=live_stack.internal(sender))
    # only the complaint was filed: the application the resident left was not
    assert rows == [(number, "complaint")]


def test_suggestion_on_an_open_consultation_and_a_like(live_stack: LiveStack) -> None:
    sender = "e2e-suggest"
    choices = live_stack.chat(sender, "我想提个建议")
    consultation = next(p for p in payloads(choices) if "consultation" in p)
    live_stack.chat(sender, consultation)
    live_stack.chat(sender, "建议在老城区学校门口增设临时停车位，接送孩子不再堵路")
    reply = text_of(live_stack.chat(sender, "不用了"))
    number = number_in(reply, "JY")
    assert live_stack.query(
        "SELECT count(*) FROM suggestions s JOIN cases c ON c.id = s.id WHERE c.number = %(n)s", n=number
    ) == [(1,)]

    liked = text_of(live_stack.chat("e2e-voter", f"给{number}点个赞"))
    assert "点赞" in liked
    assert live_stack.query(
        "SELECT likes FROM suggestions s JOIN cases c ON c.id = s.id WHERE c.number = %(n)s", n=number
    ) == [(1,)]


def test_escalation_creates_a_ticket_with_the_transcript_and_pauses_the_bot(live_stack: LiveStack) -> None:
    sender = "e2e-human"
    live_stack.chat(sender, "新生儿怎么上户口")
    reply = text_of(live_stack.chat(sender, "转人工"))
    number = number_in(reply, "GD")
    rows = live_stack.query(
        "SELECT t.origin, t.transcript FROM tickets t JOIN cases c ON c.id = t.id WHERE c.number = %(n)s",
        n=number,
    )
    assert rows and rows[0][0] == "bot"
    assert any("上户口" in line["text"] for line in rows[0][1])
    # While an agent has the conversation, the assistant stays silent on it.
    after = text_of(live_stack.chat(sender, "有人吗"))
    assert "来源" not in after
    health = httpx.get(f"{live_stack.gateway}/health", timeout=10).json()
    assert health["checks"]["rasa"]["ok"] and health["checks"]["redis"]["ok"]
