"""Every state has a way on: unusable answers, farewells, "继续填写", "你能做什么", praise and follow-ups."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.answer import ActionAnswerService
from actions.capabilities import ActionShowCapabilities
from actions.complaint import ActionSubmitComplaint, ValidateComplaintForm
from actions.escalation import ActionHandleFallback
from actions.forms import FORMS
from actions.leave_form import ActionContinueForm, ActionGoodbye, ActionSwitchTask
from actions.praise import ActionSubmitPraise, ValidatePraiseForm
from actions.questions import ASK_ACTIONS
from actions.replies import ADDED_TO_DESCRIPTION as ADDED
from actions.replies import QUESTIONS
from actions.second_request import offer_pending_request
from tests.actions.conftest import FakeGateway, bot_event, knowledge, receipt, slot_event, user_event

SHORT_ANSWERS = [(form.name, slot) for form in FORMS.values() for slot in form.slots if slot in QUESTIONS]


def described(text, dispatcher, tracker, domain):
    """The complaint form's reading of a description (the router behind it is down: no place asked)."""
    form = ValidateComplaintForm(FakeGateway().client())
    return asyncio.run(form.validate_complaint_description(text, dispatcher, tracker, domain))


@pytest.mark.parametrize(("form", "slot"), SHORT_ANSWERS)
def test_an_unusable_answer_in_any_form_is_said_and_asked_again_then_the_ways_on(
    form, slot, gateway, dispatcher, make_tracker, domain
):
    attempts = None
    for attempt in (1, 2, 3):
        dispatcher.messages.clear()
        tracker = make_tracker(
            slots={"failed_attempts": attempts},
            events=[user_event("嗯啊那个", "nlu_fallback", knowledge(False))],
            active_loop=form,
            requested_slot=slot,
        )
        events = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
        assert events[-1] == FollowupAction(form), "the form must ask again: no dead end"
        attempts = next(e["value"] for e in events if e.get("name") == "failed_attempts")
        assert attempts == {slot: attempt}
        assert len(dispatcher.messages) == 1 and dispatcher.messages[0]["text"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/continue_form", "/cancel", "/request_human"]
    assert gateway.requests == []  # never a hand-over the resident did not ask for


def test_a_question_the_knowledge_base_is_sure_of_is_answered_inside_the_form(dispatcher, make_tracker, domain):
    asked = [user_event("公积金咋取", "nlu_fallback", knowledge(True, ("住房公积金提取", 0.7)))]
    tracker = make_tracker(events=asked, active_loop="apply_form", requested_slot="applicant_name")
    events = asyncio.run(ActionHandleFallback().run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].startswith("住房公积金提取的办理指南")
    assert events[-1] == FollowupAction("apply_form")


@pytest.mark.parametrize("slot", ["applicant_name", "case_number", "stars"])
def test_the_same_question_is_not_said_twice_in_a_row(slot, dispatcher, make_tracker, domain):
    question = QUESTIONS[slot][0]
    events = [bot_event(question), user_event("嗯", "nlu_fallback"), bot_event("没看明白")]
    asyncio.run(ASK_ACTIONS[slot]().run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] != question and question in dispatcher.messages[0]["text"]
    dispatcher.messages.clear()
    asyncio.run(
        ASK_ACTIONS[slot]().run(dispatcher, make_tracker(events=[user_event("我要办", "apply_service")]), domain)
    )
    assert dispatcher.messages[0]["text"] == question


@pytest.mark.parametrize(
    ("said", "taken"),
    [("下雨天坑里全是水，老人摔了好几次", ADDED), ("不对 是叶集区", "好的，地点改为：叶集区。")],
)
def test_a_message_taken_in_passing_gets_the_question_plainly(said, taken, dispatcher, make_tracker, domain):
    # more of a letter, or a corrected place, instead of the answer: no mistake, so no "麻烦您再回答一下"
    question = QUESTIONS["complaint_form_phone"][0]
    events = [bot_event(question), user_event(said, "inform"), bot_event(taken)]
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == question


def test_continue_resets_the_tries_and_goes_back_to_the_question(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"failed_attempts": {"phone": 3}}, active_loop="complaint_form", requested_slot="phone"
    )
    events = asyncio.run(ActionContinueForm().run(dispatcher, tracker, domain))
    assert events == [SlotSet("failed_attempts", None), FollowupAction("complaint_form")]
    assert dispatcher.messages == []


def test_a_farewell_in_a_form_says_nothing_was_filed_and_forgets_it(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"applicant_name": "张三", "service": "居住证办理"},
        events=[user_event("谢谢 不用了 再见", "goodbye")],
        active_loop="apply_form",
        requested_slot="id_number",
    )
    events = asyncio.run(ActionGoodbye().run(dispatcher, tracker, domain))
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0] == "好的，刚才的办事申请先不办了，已填写的信息不会提交。" and "再见" in texts[1]
    assert events[0] == ActiveLoop(None) and SlotSet("applicant_name", None) in events


def test_what_can_you_do_lists_the_main_things_and_returns_to_the_form(dispatcher, make_tracker, domain):
    outside = asyncio.run(ActionShowCapabilities().run(dispatcher, make_tracker(), domain))
    assert outside == [FollowupAction("action_listen")]
    message = dispatcher.messages[0]
    assert "投诉" in message["text"] and "查询进度" in [b["title"] for b in message["buttons"]]
    inside = asyncio.run(ActionShowCapabilities().run(dispatcher, make_tracker(active_loop="rate_form"), domain))
    assert inside == [FollowupAction("rate_form")]


def test_praise_is_recorded_as_a_commendation_not_a_complaint(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/commendations")] = (201, {"id": 7, "department": "市公安局"})
    slots = {"praise_text": "我要表扬户籍窗口的民警，特别耐心", "department": "市公安局"}
    events = asyncio.run(ActionSubmitPraise(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    sent = gateway.sent_json()
    assert sent["text"] == slots["praise_text"] and sent["department"] == "市公安局"
    assert "感谢您的表扬" in dispatcher.messages[0]["text"] and "市公安局" in dispatcher.messages[0]["text"]
    assert all(r.url.path != "/api/complaints" for r in gateway.requests)
    assert SlotSet("praise_text", None) in events


def test_bare_praise_trigger_lets_the_form_ask_whom(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("我要表扬", "praise")])
    assert ValidatePraiseForm().validate_praise_text("我要表扬", dispatcher, tracker, domain) == {"praise_text": None}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("0564-3372301", "0564-3372301"),
        ("座机05643372301", "0564-3372301"),
        ("不方便留", "不留"),
        ("138 1234 5678", "13812345678"),
    ],
)
def test_a_complaint_takes_a_landline_or_no_phone(answer, stored, dispatcher, make_tracker, domain):
    assert ValidateComplaintForm().validate_phone(answer, dispatcher, make_tracker(), domain)["phone"] == stored


def test_more_of_the_letter_that_says_not_convenient_is_no_phone_refusal(dispatcher, make_tracker, domain):
    first = "尊敬的领导：我们小区门口的路灯坏了"
    more = "已经一个多月了，晚上老人孩子出门很不方便，希望有关部门尽快派人维修，谢谢！"
    events = [slot_event("complaint_description", first), user_event(more, "submit_complaint")]
    tracker = make_tracker(events=events, slots={"complaint_description": first}, active_loop="complaint_form")
    result = ValidateComplaintForm().validate_phone(more, dispatcher, tracker, domain)
    assert result == {"complaint_description": f"{first}\n{more}", "phone": None}  # the phone is asked again


def test_a_complaint_without_phone_gets_its_query_code(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2024060100011", deadline="2024-06-05T17:00:00+08:00", query_code="4821"),
    )
    slots = {"complaint_description": "小区门口的路灯坏了一个月", "phone": "不留"}
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert "phone" not in gateway.sent_json()
    text = dispatcher.messages[0]["text"]
    assert "TS2024060100011" in text and "查询码：4821" in text


def follow_up(text: str) -> dict:
    found = knowledge(True, ("不动产权证书补办", 0.5))
    return {**found, "query": text, "aspect": "fee", "follow_up": True}


def test_a_follow_up_is_about_the_service_last_answered(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/knowledge/search")] = (
        200,
        {"query": "q", "confident": True, "hits": [knowledge(True, ("居住证办理", 0.9))["hits"][0]]},
    )
    tracker = make_tracker(
        slots={"answered_service": "居住证办理"},
        events=[user_event("那要多少钱", "ask_service", follow_up("那要多少钱"))],
    )
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.requests[0].url.params["q"] == "居住证办理 那要多少钱"
    assert "居住证办理" in dispatcher.messages[0]["text"] and "不动产" not in dispatcher.messages[0]["text"]


def test_a_follow_up_while_applying_is_about_the_service_applied_for(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/knowledge/search")] = (200, {"query": "q", "confident": False, "hits": []})
    tracker = make_tracker(
        slots={"service": "居住证办理", "answered_service": "企业设立登记"},
        events=[user_event("要多久能办好", "ask_service", follow_up("要多久能办好"))],
        active_loop="apply_form",
        requested_slot="applicant_name",
    )
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.requests[0].url.params["q"].startswith("居住证办理")


def test_a_follow_up_without_context_asks_which_service_then_answers_it(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("要带什么", "ask_service", follow_up("要带什么"))])
    events = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert "哪项业务" in dispatcher.messages[0]["text"] and SlotSet("pending_question", "要带什么") in events
    gateway.routes[("GET", "/api/knowledge/search")] = (
        200,
        {"query": "q", "confident": True, "hits": [knowledge(True, ("居住证办理", 0.9))["hits"][0]]},
    )
    dispatcher.messages.clear()
    answer = make_tracker(
        slots={"pending_question": "要带什么"},
        events=[user_event("居住证", "inform", knowledge(True, ("居住证办理", 0.8)))],
        entities=[{"entity": "service", "value": "居住证办理"}],
    )
    events = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, answer, domain))
    assert gateway.requests[-1].url.params["q"] == "居住证办理 要带什么"
    assert SlotSet("pending_question", None) in events and "居住证办理" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "first", "then"),
    [
        ("我要投诉窗口态度差，另外帮我查一下上次申请的进度", "complaint_form", "check_status"),
        ("查一下进度，顺便我想表扬一下窗口的小王", "status_form", "praise"),
        ("我要投诉，还有我想提个建议", "complaint_form", "give_suggestion"),
    ],
)
def test_a_second_request_is_kept_and_offered_after_the_first(text, first, then, dispatcher, make_tracker, domain):
    trigger = FORMS[first].trigger
    starting = make_tracker(events=[user_event(text, trigger)])
    events = asyncio.run(ActionSwitchTask().run(dispatcher, starting, domain))
    assert SlotSet("pending_task", then) in events and "先帮您办" in dispatcher.messages[0]["text"]
    dispatcher.messages.clear()
    assert offer_pending_request(dispatcher, make_tracker(slots={"pending_task": then})) == [
        SlotSet("pending_task", None)
    ]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == f"/{then}"


def test_one_request_is_just_one(dispatcher, make_tracker, domain):
    starting = make_tracker(events=[user_event("我要投诉，然后窗口的人还骂人", "submit_complaint")])
    assert asyncio.run(ActionSwitchTask().run(dispatcher, starting, domain)) == []


def test_out_of_scope_twice_is_not_said_the_same_way_twice(dispatcher, make_tracker, domain):
    first = [user_event("啊吧啊吧", "out_of_scope", knowledge(False))]
    asyncio.run(ActionHandleFallback().run(dispatcher, make_tracker(events=first), domain))
    said = dispatcher.messages[0]["text"]
    again = [*first, bot_event(said), user_event("呃呃呃", "out_of_scope", knowledge(False))]
    events = asyncio.run(ActionHandleFallback().run(dispatcher, make_tracker(events=again), domain))
    assert dispatcher.messages[1]["text"] != said and dispatcher.messages[1]["buttons"]
    assert events == [FollowupAction("action_listen")]


def test_the_other_request_may_come_first_in_the_message(dispatcher, make_tracker, domain):
    text = "我要投诉窗口态度差，另外想查一下上次的进度"  # read as check_status as a whole
    events = asyncio.run(
        ActionSwitchTask().run(dispatcher, make_tracker(events=[user_event(text, "check_status")]), domain)
    )
    assert SlotSet("pending_task", "submit_complaint") in events


@pytest.mark.parametrize("text", ["好的谢谢你们再见啦", "嗯嗯 好的 没事了", "。。。。。。。"])
def test_small_talk_is_no_description(text, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(text, "goodbye")], active_loop="complaint_form")
    result = described(text, dispatcher, tracker, domain)
    assert result["complaint_description"] is None and dispatcher.messages


def test_a_problem_in_own_words_is_offered_as_a_request_and_filed_as_written(gateway, dispatcher, make_tracker, domain):
    text = "我们小区门口的下水道堵了快一个月，臭气熏天，物业一直推给社区"
    tracker = make_tracker(events=[user_event(text, "nlu_fallback", knowledge(False))])
    # Without the router's word (the gateway has no /api/routing here) the assistant offers; with it, it takes
    # the request in at once (test_conversation.py).
    events = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
    assert "登记为诉求" in dispatcher.messages[0]["text"] and "没太明白" not in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/submit_complaint"
    assert SlotSet("offered_request", text) in events
    dispatcher.messages.clear()
    pressed = make_tracker(
        slots={"offered_request": text}, events=[user_event("/submit_complaint", "submit_complaint")]
    )
    started = asyncio.run(ActionSwitchTask().run(dispatcher, pressed, domain))
    assert SlotSet("complaint_description", text) in started and SlotSet("offered_request", None) in started


@pytest.mark.parametrize(("text", "intent"), [("明天六安会下雨吗", "out_of_scope"), ("嗯嗯好的", "nlu_fallback")])
def test_a_short_question_or_small_talk_is_not_offered_as_a_request(text, intent, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(text, intent, knowledge(False))])
    asyncio.run(ActionHandleFallback().run(dispatcher, tracker, domain))
    assert "登记为诉求" not in dispatcher.messages[0]["text"]


def test_a_retry_button_keeps_the_description_written_before(dispatcher, make_tracker, domain):
    events = [
        user_event("窗口工作人员态度很差还骂人", "submit_complaint"),
        slot_event("complaint_description", "窗口工作人员态度很差还骂人"),
        user_event("/submit_complaint", "submit_complaint"),
    ]
    tracker = make_tracker(events=events, active_loop="complaint_form")
    result = described("/submit_complaint", dispatcher, tracker, domain)
    assert result == {"complaint_description": "窗口工作人员态度很差还骂人"}


def test_the_offered_request_survives_the_button_that_files_it(dispatcher, make_tracker, domain):
    text = "我家孩子的学籍转不过来学校也不给说法"
    events = [
        user_event("/submit_complaint", "submit_complaint"),
        slot_event("complaint_description", "/submit_complaint"),  # read from the button by the slot mapping
        slot_event("complaint_description", text),  # set by action_switch_task from the offer
        slot_event("complaint_description", "/submit_complaint"),  # Rasa's form offers its candidate again
    ]
    tracker = make_tracker(slots={"complaint_description": "/submit_complaint"}, events=events)
    result = described("/submit_complaint", dispatcher, tracker, domain)
    assert result == {"complaint_description": text}


def test_a_phone_number_is_no_description(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("13812345678", "inform")], active_loop="complaint_form")
    result = described("13812345678", dispatcher, tracker, domain)
    assert result["complaint_description"] is None


def test_a_letter_in_several_messages_is_one_request(dispatcher, make_tracker, domain):
    first, second = "尊敬的领导：我们村通往镇上的路坑坑洼洼", "下雨天根本没法走，孩子上学很危险，希望尽快修一修"
    tracker = make_tracker(events=[user_event(first, "nlu_fallback", knowledge(False))])
    offered = asyncio.run(ActionHandleFallback().run(dispatcher, tracker, domain))
    events = [user_event(first, "nlu_fallback"), bot_event(dispatcher.messages[0]["text"])]
    events.append(user_event(second, "nlu_fallback", knowledge(False)))
    again = make_tracker(slots={"offered_request": first}, events=events)
    more = asyncio.run(ActionHandleFallback().run(dispatcher, again, domain))
    assert SlotSet("offered_request", first) in offered
    assert SlotSet("offered_request", f"{first}\n{second}") in more
    assert dispatcher.messages[1]["text"] != dispatcher.messages[0]["text"]


def test_more_of_the_letter_at_the_phone_step_goes_to_the_description(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"complaint_description": "小区路灯坏了一个月"}, active_loop="complaint_form")
    result = ValidateComplaintForm().validate_phone("晚上出门黑乎乎的，老人摔倒好几次了", dispatcher, tracker, domain)
    assert result == {"complaint_description": "小区路灯坏了一个月\n晚上出门黑乎乎的，老人摔倒好几次了", "phone": None}
    assert "补充" in dispatcher.messages[0]["text"]
    assert (
        ValidateComplaintForm().validate_phone("0564-3372301", dispatcher, tracker, domain)["phone"] == "0564-3372301"
    )


def test_a_complaint_asked_for_inside_another_form_keeps_what_it_says(dispatcher, make_tracker, domain):
    text = "我要投诉，窗口排了三个小时没人管"
    tracker = make_tracker(
        slots={"service": "居住证办理"},
        events=[user_event(text, "submit_complaint")],
        active_loop="apply_form",
        requested_slot="applicant_name",
    )
    events = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert ActiveLoop(None) in events and SlotSet("complaint_description", text) in events
    rating = make_tracker(events=[user_event("我要评价", "rate_service")], active_loop="apply_form")
    assert not [
        e for e in asyncio.run(ActionSwitchTask().run(dispatcher, rating, domain)) if e.get("name") == "rating_comment"
    ]


@pytest.mark.parametrize(
    ("said", "intent", "reply", "asked_again"),
    [
        # Thanks: thanked back, then the question asked plainly.
        ("谢谢", "thank", ["不客气。"], "{question}"),
        ("麻烦你们了，辛苦了", "thank", ["不客气。"], "{question}"),
        # "好的" acknowledges the question: no "电话号码格式好像不对", the question again in other words.
        ("好的", "affirm", [], "麻烦您再回答一下：{question}"),
        ("嗯嗯", "affirm", [], "麻烦您再回答一下：{question}"),
    ],
)
def test_thanks_or_an_acknowledgement_at_the_phone_question_is_no_wrong_answer(
    said, intent, reply, asked_again, gateway, dispatcher, make_tracker, domain
):
    events = [slot_event("complaint_description", "梅山路的路灯坏了一个星期了"), user_event(said, intent)]
    tracker = make_tracker(
        slots={"complaint_description": "梅山路的路灯坏了一个星期了"},
        events=events,
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = ValidateComplaintForm(gateway.client()).validate_phone(said, dispatcher, tracker, domain)
    assert result == {"phone": None}  # no try counted, the description untouched
    assert [m["text"] for m in dispatcher.messages] == reply
    question = QUESTIONS["complaint_form_phone"][0]
    dispatcher.messages.clear()
    asked = [bot_event(question), user_event(said, intent), *(bot_event(text) for text in reply)]
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, make_tracker(events=asked), domain))
    assert dispatcher.messages[0]["text"] == asked_again.format(question=question)


def test_after_a_guide_answered_in_a_form_the_question_says_the_form_goes_on(dispatcher, make_tracker, domain):
    question = QUESTIONS["complaint_place"][0]
    events = [
        bot_event(question),
        user_event("对了 社保卡丢了怎么补办", "ask_service"),
        bot_event("先挂失再补换新卡……\n来源：社会保障卡挂失补换（市人力资源和社会保障局）"),
    ]
    tracker = make_tracker(events=events, active_loop="complaint_form")
    asyncio.run(ASK_ACTIONS["complaint_place"]().run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == f"我们接着办刚才的投诉。{question}"
