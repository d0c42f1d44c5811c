"""补充说明 in the conversation: which case the words go to (named, just checked, filed in this conversation, or one
of the resident's own, picked with a button while the words wait), what the resident reads for each answer of the
gateway, and what the gateway is sent."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import SlotSet

from actions.supplement import ActionSupplementCase
from tests.actions.conftest import user_event

NUMBER = "TS2026120100007"
SUPPLEMENTS = ("POST", f"/api/cases/{NUMBER}/supplements")
FORGET = [SlotSet("case_number", None), SlotSet("supplement_text", None)]


def supplement_answer(new: bool = True, **extra: object) -> dict[str, object]:
    """What the gateway answers (contract.receipts.SupplementReceipt)."""
    return {
        "number": NUMBER,
        "kind_text": "投诉",
        "status_text": "已受理，等待处理",
        "supplemented_at": "2026-12-06T09:00:00+08:00",
        "new": new,
        **extra,
    }


def run(tracker, gateway, dispatcher, domain):
    return asyncio.run(ActionSupplementCase(gateway.client()).run(dispatcher, tracker, domain))


def test_a_correction_goes_to_the_case_just_filed(gateway, dispatcher, make_tracker, domain):
    gateway.routes[SUPPLEMENTS] = (201, supplement_answer(department="市住房和城乡建设局"))
    said = "算了 不是电梯 是楼道灯坏了"
    tracker = make_tracker(slots={"last_case_number": NUMBER}, events=[user_event(said, "supplement_case")])
    events = run(tracker, gateway, dispatcher, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "supplement": said}
    assert dispatcher.messages[0]["text"] == (
        f"已把您补充的内容记入投诉 {NUMBER}，并转给承办部门市住房和城乡建设局。当前状态：已受理，等待处理。"
    )
    assert events == FORGET


def test_the_checked_case_is_supplemented_with_its_phone_ending(gateway, dispatcher, make_tracker, domain):
    gateway.routes[SUPPLEMENTS] = (200, supplement_answer(new=False))
    tracker = make_tracker(
        slots={"checked_case": {"number": NUMBER, "phone_last4": "5678"}, "last_case_number": "TS2026120100001"},
        events=[user_event("补充一下 是3号楼东单元", "supplement_case")],
    )
    run(tracker, gateway, dispatcher, domain)
    assert gateway.sent_json() == {
        "sender": "resident-1",
        "phone_last4": "5678",
        "supplement": "补充一下 是3号楼东单元",
    }
    assert dispatcher.messages[0]["text"].startswith(f"这段内容已经记入投诉 {NUMBER}，不用重复发送。")


def test_an_announcement_without_content_asks_for_it(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"last_case_number": NUMBER}, events=[user_event("我想补充一下", "supplement_case")])
    events = run(tracker, gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == (
        f"好的，请把要补充的内容发给我，开头写上“补充”，例如：补充：是3号楼东单元的电梯。我会记入投诉 {NUMBER}。"
    )
    assert gateway.requests == [] and events == FORGET


def test_without_a_case_the_own_cases_are_offered_and_the_words_wait_for_the_press(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/cases")] = (
        200,
        [{"number": NUMBER, "kind_text": "投诉", "filed_on": "2026-12-01", "text": "梅山路的路灯坏了"}],
    )
    said = "刚才忘了说 路灯在实验小学门口"
    events = run(make_tracker(events=[user_event(said, "supplement_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"].startswith("好的。您要补充的是哪一件？")
    payload = f'/supplement_case{{"case_number": "{NUMBER}"}}'
    assert dispatcher.messages[0]["buttons"] == [
        {"title": f"2026年12月1日的投诉：梅山路的路灯坏了（{NUMBER}）", "payload": payload}
    ]
    assert events == [SlotSet("case_number", None), SlotSet("supplement_text", said)]
    # The press: the words said before it go to the case picked.
    gateway.routes[SUPPLEMENTS] = (201, supplement_answer())
    pressed = make_tracker(slots={"supplement_text": said}, events=[user_event(payload, "supplement_case")])
    run(pressed, gateway, dispatcher, domain)
    assert gateway.sent_json() == {"sender": "resident-1", "supplement": said}


def test_without_any_case_a_problem_it_states_is_offered_as_a_request(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/cases")] = (200, [])
    said = "算了 不是电梯 是楼道灯坏了"
    events = run(make_tracker(events=[user_event(said, "supplement_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"].startswith("您说的情况我还没法直接解答。需要的话，我可以把它原样登记为诉求")
    assert SlotSet("offered_request", said) in events
    assert all(r.method == "GET" for r in gateway.requests)


def test_without_any_case_the_number_is_asked_with_the_content(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/cases")] = (200, [])
    events = run(make_tracker(events=[user_event("补充一下 是二单元", "supplement_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"].startswith("好的。请把办件编号和要补充的内容一起发给我")
    assert events == FORGET


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (404, {"detail": "case_not_found", "message": "…"}, f"{NUMBER}不是在这里提交的。请先查询一下这件事项的进度"),
        (
            409,
            {"detail": "case_closed", "message": f"投诉{NUMBER}当前为“已办结”，不能再补充。"},
            f"投诉{NUMBER}当前为“已办结”",
        ),
    ],
)
def test_refusals_say_why(status, body, text, gateway, dispatcher, make_tracker, domain):
    gateway.routes[SUPPLEMENTS] = (status, body)
    run(make_tracker(events=[user_event(f"{NUMBER} 补充：在西门", "supplement_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"].startswith(text)


def test_the_gateway_down_is_an_apology(gateway, dispatcher, make_tracker, domain):
    run(make_tracker(events=[user_event(f"{NUMBER} 补充：在西门", "supplement_case")]), gateway, dispatcher, domain)
    assert dispatcher.messages[0]["text"] == "抱歉，补充的内容暂时没有提交成功，请稍后再试，或转人工客服。"
