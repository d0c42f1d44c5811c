"""催办 in the conversation: which case is urged (named, just checked, one of the resident's own, or found by the
status check with the phone ending), what the resident reads, and what the gateway is sent."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import FollowupAction, SlotSet

from actions.status import ActionCheckStatus
from actions.urge import ActionUrgeCase
from tests.actions.conftest import status_answer, user_event

NUMBER = "TS2026120100007"
URGES = ("POST", f"/api/cases/{NUMBER}/urges")


def urge_answer(new: bool = True, **extra: object) -> dict[str, object]:
    """What the gateway answers to an urge (contract.receipts.UrgeReceipt)."""
    return {
        "number": NUMBER,
        "kind_text": "投诉",
        "status_text": "已受理，等待处理",
        "urged_at": "2026-12-03T09:00:00+08:00",
        "new": new,
        **extra,
    }


def run(action, dispatcher, tracker, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def test_right_after_the_status_the_checked_case_is_urged_with_the_residents_words(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[URGES] = (
        201,
        urge_answer(department="市城市管理局", deadline="2026-12-04T23:59:59+08:00"),
    )
    said = "怎么还没人处理 都等三天了"
    tracker = make_tracker(
        slots={"checked_case": {"number": NUMBER, "phone_last4": "5678"}}, events=[user_event(said, "urge_case")]
    )
    events = run(ActionUrgeCase(gateway.client()), dispatcher, tracker, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "phone_last4": "5678", "note": said}
    assert dispatcher.messages[0]["text"] == (
        f"已为您催办投诉 {NUMBER}，已提醒承办部门市城市管理局尽快办理。当前状态：已受理，等待处理。"
        "办理时限：2026年12月4日。"
    )
    assert events == [SlotSet("case_number", None)]


def test_urged_within_a_day_already_says_so(gateway, dispatcher, make_tracker, domain):
    gateway.routes[URGES] = (200, urge_answer(new=False))
    tracker = make_tracker(events=[user_event(f"帮我催一下{NUMBER}", "urge_case")])
    run(ActionUrgeCase(gateway.client()), dispatcher, tracker, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "note": f"帮我催一下{NUMBER}"}  # no ending: their own
    assert dispatcher.messages[0]["text"].startswith(f"投诉 {NUMBER} 24小时内已经催办过")


def test_a_button_press_sends_no_words_and_a_case_without_department_names_who_dispatches(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[URGES] = (201, urge_answer())
    payload = f'/urge_case{{"case_number": "{NUMBER}"}}'
    run(ActionUrgeCase(gateway.client()), dispatcher, make_tracker(events=[user_event(payload, "urge_case")]), domain)
    assert "note" not in gateway.sent_json()
    assert "已提醒负责分派的工作人员尽快办理" in dispatcher.messages[0]["text"]


def test_without_a_case_the_residents_own_cases_are_offered(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/cases")] = (
        200,
        [{"number": NUMBER, "kind_text": "投诉", "filed_on": "2026-12-01", "text": "梅山路的路灯坏了"}],
    )
    tracker = make_tracker(events=[user_event("怎么还没人处理", "urge_case")])
    events = run(ActionUrgeCase(gateway.client()), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("好的，我帮您催办。您要催办的是哪一件？")
    assert dispatcher.messages[0]["buttons"] == [
        {
            "title": f"2026年12月1日的投诉：梅山路的路灯坏了（{NUMBER}）",
            "payload": f'/urge_case{{"case_number": "{NUMBER}"}}',
        }
    ]
    assert events == [SlotSet("case_number", None)]
    assert all(r.method == "GET" for r in gateway.requests)  # nothing urged before the resident picks


@pytest.mark.parametrize("own", [(200, []), None])  # none of their own; the gateway down
def test_without_own_cases_the_status_check_finds_the_case_to_urge(own, gateway, dispatcher, make_tracker, domain):
    if own is not None:
        gateway.routes[("GET", "/api/cases")] = own
    events = run(
        ActionUrgeCase(gateway.client()), dispatcher, make_tracker(events=[user_event("催办", "urge_case")]), domain
    )
    assert dispatcher.messages[0]["text"] == "好的，我帮您催办。先核对一下是哪件事项。"
    assert events[-2:] == [SlotSet("urge_requested", True), FollowupAction("status_form")]


def test_a_case_filed_elsewhere_is_urged_once_its_phone_ending_matches(gateway, dispatcher, make_tracker, domain):
    gateway.routes[URGES] = (404, {"detail": "case_not_found", "message": "没有找到您办理的这件事项，请核对编号"})
    tracker = make_tracker(events=[user_event(f"催一下{NUMBER}", "urge_case")])
    events = run(ActionUrgeCase(gateway.client()), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == f"好的，我帮您催办{NUMBER}。先核对一下身份。"
    assert events[-3:] == [
        SlotSet("case_number", NUMBER),
        SlotSet("urge_requested", True),
        FollowupAction("status_form"),
    ]
    # The status check, with the ending, urges it (and shows no separate status: the urge says it).
    gateway.routes[("GET", f"/api/status/{NUMBER}")] = (200, status_answer(NUMBER, "pending"))
    gateway.routes[URGES] = (201, urge_answer())
    checked = make_tracker(slots={"case_number": NUMBER, "phone_last4": "5678", "urge_requested": True})
    dispatcher.messages.clear()
    events = run(ActionCheckStatus(gateway.client()), dispatcher, checked, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "phone_last4": "5678"}
    assert [m["text"][:6] for m in dispatcher.messages] == ["已为您催办投"]
    assert SlotSet("urge_requested", None) in events  # a later status check is only that


def test_a_closed_case_offers_to_report_again(gateway, dispatcher, make_tracker, domain):
    message = f"事项{NUMBER}当前为“已办结”，无需催办。如果问题仍未解决，可以再次反映。"
    gateway.routes[URGES] = (409, {"detail": "case_closed", "message": message})
    run(
        ActionUrgeCase(gateway.client()),
        dispatcher,
        make_tracker(events=[user_event(f"催办{NUMBER}", "urge_case")]),
        domain,
    )
    assert dispatcher.messages[0]["text"] == message
    assert dispatcher.messages[0]["buttons"] == [{"title": "再次反映", "payload": "/submit_complaint"}]


def test_the_gateway_down_is_an_apology(gateway, dispatcher, make_tracker, domain):
    run(
        ActionUrgeCase(gateway.client()),
        dispatcher,
        make_tracker(events=[user_event(f"催办{NUMBER}", "urge_case")]),
        domain,
    )
    assert dispatcher.messages[0]["text"] == "抱歉，催办暂时没有提交成功，请稍后再试，或转人工客服。"


def test_the_status_of_an_open_case_offers_to_urge_it_and_is_remembered(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", f"/api/status/{NUMBER}")] = (200, status_answer(NUMBER, "processing"))
    slots = {"case_number": NUMBER, "phone_last4": "5678"}
    events = run(ActionCheckStatus(gateway.client()), dispatcher, make_tracker(slots=slots), domain)
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "催办此件", "payload": f'/urge_case{{"case_number": "{NUMBER}"}}'}
    ]
    assert SlotSet("checked_case", {"number": NUMBER, "phone_last4": "5678"}) in events
    assert all(r.method == "GET" for r in gateway.requests)  # shown, not urged


@pytest.mark.parametrize(
    ("number", "status", "buttons"),
    [
        (NUMBER, "resolved", [{"title": "不满意，申请重办", "payload": f'/reopen_case{{"case_number": "{NUMBER}"}}'}]),
        ("LA2026120100002", "done", []),  # an application's outcome is a decision: nothing to send back
    ],
)
def test_a_closed_case_has_no_urge_button_but_may_be_sent_back(
    number, status, buttons, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", f"/api/status/{number}")] = (200, status_answer(number, status))
    slots = {"case_number": number, "phone_last4": "5678"}
    run(ActionCheckStatus(gateway.client()), dispatcher, make_tracker(slots=slots), domain)
    assert dispatcher.messages[0].get("buttons") == buttons
