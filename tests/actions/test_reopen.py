"""不满意重办 in the conversation: which case is sent back (named, just checked, one of the resident's own, or found
by the status check), what the resident reads for each answer of the gateway, and what the gateway is sent."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import FollowupAction, SlotSet

from actions.reopen import ActionReopenCase
from tests.actions.conftest import user_event

NUMBER = "TS2026120100007"
REOPENS = ("POST", f"/api/cases/{NUMBER}/reopen")


def reopen_answer(new: bool = True, **extra: object) -> dict[str, object]:
    """What the gateway answers (contract.receipts.ReopenReceipt)."""
    return {
        "number": NUMBER,
        "kind_text": "投诉",
        "status_text": "处理中",
        "reopened_at": "2026-12-03T09:00:00+08:00",
        "new": new,
        **extra,
    }


def run(tracker, gateway, dispatcher, domain):
    return asyncio.run(ActionReopenCase(gateway.client()).run(dispatcher, tracker, domain))


def test_the_checked_case_is_sent_back_with_the_residents_words(gateway, dispatcher, make_tracker, domain):
    gateway.routes[REOPENS] = (201, reopen_answer(department="市城市管理局", deadline="2026-12-08T23:59:59+08:00"))
    said = "说是办结了 路灯还是不亮"
    tracker = make_tracker(
        slots={"checked_case": {"number": NUMBER, "phone_last4": "5678"}}, events=[user_event(said, "reopen_case")]
    )
    events = run(tracker, gateway, dispatcher, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "phone_last4": "5678", "note": said}
    assert dispatcher.messages[0]["text"] == (
        f"已为您申请重办投诉 {NUMBER}，已退回承办部门市城市管理局重新办理，您的意见一并转交。当前状态：处理中。"
        "办理时限：2026年12月8日。"
    )
    assert events == [SlotSet("case_number", None)]


def test_a_button_press_sends_no_words_and_a_retry_is_told_it_is_being_redone(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[REOPENS] = (200, reopen_answer(new=False))
    payload = f'/reopen_case{{"case_number": "{NUMBER}"}}'
    run(make_tracker(events=[user_event(payload, "reopen_case")]), gateway, dispatcher, domain)
    assert gateway.sent_json() == {"sender": "resident-1"}
    assert dispatcher.messages[0]["text"].startswith(f"投诉 {NUMBER} 已按您的意见退回重办，正在重新办理")


def test_without_a_case_the_residents_own_cases_are_offered(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/cases")] = (
        200,
        [{"number": NUMBER, "kind_text": "投诉", "filed_on": "2026-12-01", "text": "梅山路的路灯坏了"}],
    )
    events = run(
        make_tracker(events=[user_event("投诉的事情处理好了 但是我不满意", "reopen_case")]), gateway, dispatcher, domain
    )
    assert dispatcher.messages[0]["text"].startswith("抱歉这件事没有办好。您对哪一件的办理结果不满意？")
    assert dispatcher.messages[0]["buttons"] == [
        {
            "title": f"2026年12月1日的投诉：梅山路的路灯坏了（{NUMBER}）",
            "payload": f'/reopen_case{{"case_number": "{NUMBER}"}}',
        }
    ]
    assert events == [SlotSet("case_number", None)]
    assert all(r.method == "GET" for r in gateway.requests)  # nothing sent back before the resident picks


def test_without_own_cases_the_status_check_finds_it(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/cases")] = (200, [])
    events = run(make_tracker(events=[user_event("对处理结果不满意", "reopen_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == "抱歉这件事没有办好。先核对一下是哪件事项，查到后就可以申请重办。"
    assert events[-1] == FollowupAction("status_form")


def test_a_case_filed_elsewhere_is_checked_with_its_phone_ending_first(gateway, dispatcher, make_tracker, domain):
    gateway.routes[REOPENS] = (404, {"detail": "case_not_found", "message": "没有找到您办理的这件事项，请核对编号"})
    events = run(make_tracker(events=[user_event(f"{NUMBER}办结了没解决", "reopen_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == f"抱歉这件事没有办好。先核对一下{NUMBER}的身份，查到后就可以申请重办。"
    assert events[-2:] == [SlotSet("case_number", NUMBER), FollowupAction("status_form")]


@pytest.mark.parametrize(
    ("code", "buttons"),
    [
        ("case_open", [{"title": "催办此件", "payload": f'/urge_case{{"case_number": "{NUMBER}"}}'}]),
        ("already_reopened", [{"title": "转人工客服", "payload": "/request_human"}]),
        ("reopen_expired", [{"title": "再次反映", "payload": "/submit_complaint"}]),
        ("not_reopenable", [{"title": "再次反映", "payload": "/submit_complaint"}]),
    ],
)
def test_each_refusal_says_why_and_offers_the_way_on(code, buttons, gateway, dispatcher, make_tracker, domain):
    message = f"投诉{NUMBER}……（网关的说明）"
    gateway.routes[REOPENS] = (409, {"detail": code, "message": message})
    run(make_tracker(events=[user_event(f"{NUMBER}申请重办", "reopen_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0] == {**dispatcher.messages[0], "text": message, "buttons": buttons}


def test_the_gateway_down_is_an_apology(gateway, dispatcher, make_tracker, domain):
    run(make_tracker(events=[user_event(f"{NUMBER}申请重办", "reopen_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == "抱歉，重办申请暂时没有提交成功，请稍后再试，或转人工客服。"
