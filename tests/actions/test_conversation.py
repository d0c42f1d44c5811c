"""Answers from the knowledge base, fallback, hand-over and cancel."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import ActiveLoop, ConversationPaused, FollowupAction, SlotSet

from actions import replies
from actions.answer import ActionAcknowledge, ActionAnswerService
from actions.complaint import ValidateComplaintForm
from actions.escalation import ActionEscalateToHuman, ActionHandleFallback
from actions.leave_form import ActionCancelForm, ActionSwitchTask
from actions.questions import ASK_ACTIONS
from tests.actions.conftest import FakeGateway, bot_event, knowledge, receipt, slot_event, user_event

TICKET = (201, receipt("GD2024060100003", deadline="2024-06-01T18:00:00+08:00"))


def test_confident_question_is_answered_with_its_source(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("居住证怎么办", "ask_service", knowledge(True, ("居住证办理", 0.8)))])
    events = asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    text = dispatcher.messages[0]["text"]
    assert text.startswith("居住证办理的办理指南") and "来源：六安市政务服务中心·居住证办理办事指南" in text
    assert events == [
        SlotSet("answered_service", "居住证办理"),
        SlotSet("pending_question", None),
        FollowupAction("action_listen"),
    ]


def test_inside_a_form_the_answer_leaves_the_next_step_to_the_form(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        events=[user_event("居住证怎么办", "ask_service", knowledge(True, ("居住证办理", 0.8)))],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    events = asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert events == [SlotSet("answered_service", "居住证办理"), SlotSet("pending_question", None)]
    assert "buttons" not in dispatcher.messages[0] or not dispatcher.messages[0]["buttons"]


def test_source_already_in_the_answer_is_not_repeated(dispatcher, make_tracker, domain):
    found = knowledge(True, ("居住证办理", 0.8))
    hit = found["hits"][0]
    hit["answer"] += f"\n来源：{hit['source']}"
    tracker = make_tracker(events=[user_event("居住证怎么办", "ask_service", found)])
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].count("来源：") == 1


@pytest.mark.parametrize(("text", "alone"), [("13812345678", True), ("0564-3372301", True), ("电话13812345678", False)])
def test_a_phone_number_on_its_own_is_no_question(text, alone, dispatcher, make_tracker, domain):
    # the guides that mention a hotline number would be offered for its digits
    found = knowledge(False, ("12345政务服务便民热线", 0.4))
    phone = [{"entity": "phone", "value": text[-11:], "start": 0, "end": len(text)}]
    tracker = make_tracker(events=[user_event(text, "inform", found)], entities=phone)
    events = asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert (dispatcher.messages[0]["text"] == replies.ONLY_A_PHONE) is alone
    assert "13812345678" not in dispatcher.messages[0]["text"] and "3372301" not in dispatcher.messages[0]["text"]
    if alone:
        assert events == [FollowupAction("action_listen")]


@pytest.mark.parametrize("intent", ["affirm", "deny", "out_of_scope", "nlu_fallback"])
def test_an_angry_emoji_is_asked_what_went_wrong(intent, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("😡😡😡", intent)])
    action = ActionAcknowledge() if intent in ("affirm", "deny") else ActionHandleFallback()
    asyncio.run(action.run(dispatcher, tracker, domain))
    assert [m["text"] for m in dispatcher.messages] == [replies.DISPLEASURE]
    assert dispatcher.messages[0]["buttons"] == replies.human_buttons()


def test_unsure_question_asks_which_service_was_meant(dispatcher, make_tracker, domain):
    found = knowledge(False, ("社会保障卡申领", 0.3), ("社会保障卡挂失补换", 0.29), ("医保电子凭证激活", 0.25))
    tracker = make_tracker(events=[user_event("卡的事", "ask_service", found)])
    events = asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    message = dispatcher.messages[0]
    assert message["text"] == "您想问的是哪一项？" and len(message["buttons"]) == 4
    assert message["buttons"][1]["payload"] == '/ask_service{"service": "社会保障卡挂失补换"}'
    # none of them: a person answers it
    assert message["buttons"][3] == {"title": "都不是，转人工解答", "payload": "/request_human"}
    assert events == [FollowupAction("action_listen")]


def test_nothing_fits_says_so_and_never_answers(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("火星移民怎么办", "ask_service", knowledge(False))])
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    message = dispatcher.messages[0]
    # The 12345 assistant does not send residents to the 12345 hotline: a person answers here.
    assert "没有找到可靠的答案" in message["text"] and "12345" not in message["text"]
    assert message["buttons"] == [{"title": "转人工客服", "payload": "/request_human"}]


def test_picked_button_answers_from_the_earlier_matches_without_a_new_search(gateway, dispatcher, make_tracker, domain):
    found = knowledge(False, ("社会保障卡申领", 0.3), ("社会保障卡挂失补换", 0.29))
    events = [
        user_event("卡的事", "ask_service", found),
        bot_event("您想问的是哪一项？"),
        user_event('/ask_service{"service": "社会保障卡挂失补换"}', "ask_service"),
    ]
    tracker = make_tracker(events=events, entities=[{"entity": "service", "value": "社会保障卡挂失补换"}])
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].startswith("社会保障卡挂失补换的办理指南")
    assert gateway.requests == []


@pytest.mark.parametrize("another_subject", [True, False])
def test_a_service_named_in_a_question_about_something_its_guide_does_not_cover_is_no_answer(
    another_subject, gateway, dispatcher, make_tracker, domain
):
    # "个体户" names 个体工商户设立登记, but the question asks how to close the business (注销).
    text = "个体户不干了注销执照是不是还要去税务那边"
    found = {**knowledge(False, ("个体工商户设立登记", 0.51)), "query": text, "another_subject": another_subject}
    tracker = make_tracker(
        events=[user_event(text, "ask_service", found)], entities=[{"entity": "service", "value": "个体工商户设立登记"}]
    )
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    answered = dispatcher.messages[0]["text"].startswith("个体工商户设立登记的办理指南")
    assert answered is not another_subject
    if another_subject:  # no guide offered as a choice: a person answers (a consultation, a GD ticket)
        assert dispatcher.messages[0]["text"] == replies.OFFER_CONSULTATION
        assert "个体工商户设立登记" not in [b["title"] for b in dispatcher.messages[0]["buttons"]]


def test_a_confident_search_outweighs_another_service_named_in_passing(gateway, dispatcher, make_tracker, domain):
    # "低保" names 最低生活保障申请, but the question is about 公租房: the whole question decides.
    text = "家里吃低保的 公租房能不能排上"
    found = {**knowledge(True, ("公共租赁住房申请", 0.51), ("最低生活保障申请", 0.43)), "query": text}
    tracker = make_tracker(
        events=[user_event(text, "ask_service", found)], entities=[{"entity": "service", "value": "最低生活保障申请"}]
    )
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].startswith("公共租赁住房申请的办理指南")


def test_a_grievance_about_another_subject_is_offered_as_a_request(gateway, dispatcher, make_tracker, domain):
    # The search says the guide does not deal with 户口本; something is wrong, so it is a request, not a question.
    text = "户口本丢了 网上补办交不上去 一直转圈"
    found = {**knowledge(False, ("居民身份证换领补领", 0.5)), "query": text, "another_subject": True}
    tracker = make_tracker(events=[user_event(text, "ask_service", found)])
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == replies.OFFER_TO_REGISTER


@pytest.mark.parametrize(
    ("text", "intent", "action"),
    [
        ("新生儿出生登记 医院系统里查不到出生证信息 派出所办不了", "inform", ActionAnswerService),
        ("生育登记填错了孩次 想改改不了 系统没这个选项", "deny", ActionAcknowledge),
        ("户口本丢了去补办 派出所一直推诿不给办", "ask_service", ActionAnswerService),
    ],
)
def test_a_grievance_read_as_anything_else_outside_a_form_is_a_complaint_not_an_answer(
    text, intent, action, gateway, dispatcher, make_tracker, domain
):
    found = {**knowledge(True, ("新生儿出生登记", 0.7)), "query": text}
    tracker = make_tracker(events=[user_event(text, intent, found)])
    events = asyncio.run(action(gateway.client()).run(dispatcher, tracker, domain))
    assert events == [SlotSet("complaint_description", text), FollowupAction("complaint_form")]
    assert dispatcher.messages == []  # the complaint form speaks next


def test_a_question_after_a_withdrawn_complaint_is_answered_not_filed(gateway, dispatcher, make_tracker, domain):
    # After the cancel (ActionCancelForm): its 投诉 is withdrawn, so no complaint starts again.
    text = "不投诉了 就是想问问住房公积金提取要什么材料"
    found = {**knowledge(True, ("住房公积金提取", 0.8)), "query": text}
    tracker = make_tracker(events=[user_event(text, "cancel", found)])
    events = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert FollowupAction("complaint_form") not in events
    assert dispatcher.messages[0]["text"].startswith("住房公积金提取")


def test_a_grievance_inside_a_form_is_left_to_the_form(gateway, dispatcher, make_tracker, domain):
    text = "新生儿出生登记 医院系统里查不到出生证信息 派出所办不了"
    found = {**knowledge(True, ("新生儿出生登记", 0.7)), "query": text}
    events = [user_event(text, "inform", found)]
    tracker = make_tracker(events=events, active_loop="apply_form", requested_slot="id_number")
    events = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert FollowupAction("complaint_form") not in events


def test_a_named_service_is_not_answered_when_the_search_says_the_question_is_about_another_subject(
    gateway, dispatcher, make_tracker, domain
):
    # The NLU component kept no hits; "营业执照" names 个体工商户设立登记, whose guide says nothing of annual reports.
    text = "营业执照年报漏报了 被列入异常名录 咋移出来"
    found = {"query": text, "confident": False, "aspect": "general", "hits": [], "another_subject": True}
    tracker = make_tracker(
        events=[user_event(text, "ask_service", found)], entities=[{"entity": "service", "value": "个体工商户设立登记"}]
    )
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == replies.OFFER_CONSULTATION


def test_another_subject_without_any_hit_is_no_failure(gateway, dispatcher, make_tracker, domain):
    # The NLU component keeps no hit too weak to offer; the flag may still be set.
    text = "公司被列入经营异常名录了 是先办地址变更再申请移出吗"
    found = {"query": text, "confident": False, "aspect": "general", "hits": [], "another_subject": True}
    tracker = make_tracker(events=[user_event(text, "ask_service", found)])
    asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages  # an offer or a way on, never the failure message


def conversation():
    return [
        user_event("我的社保卡丢了", "ask_service", knowledge(False, ("社会保障卡挂失补换", 0.31))),
        bot_event("您想问的是哪一项？"),
        user_event("我叫张三 电话13812345678 身份证11010519491231002X", "inform"),
        {
            **bot_event("抱歉，我没太明白您的意思。"),
            "data": {"buttons": [{"title": "转人工客服", "payload": "/request_human"}]},
        },
        user_event("/request_human", "request_human", metadata={"channel": "web"}),
    ]


def test_hand_over_files_a_ticket_with_masked_transcript_and_pauses(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/tickets")] = TICKET
    tracker = make_tracker(events=conversation(), slots={"phone": "13812345678"}, active_loop="apply_form")
    events = asyncio.run(ActionEscalateToHuman(gateway.client()).run(dispatcher, tracker, domain))
    request = gateway.requests[0]
    assert request.headers["X-Service-Token"] == "test-token"
    sent = gateway.sent_json()
    texts = [line["text"] for line in sent["transcript"]]
    assert texts[0] == "我的社保卡丢了" and texts[-1] == "［按钮］转人工客服"
    assert "13812345678" not in str(texts) and "138****5678" in texts[2]
    assert [line["role"] for line in sent["transcript"]] == ["resident", "bot", "resident", "bot", "resident"]
    assert sent["suggestions"] == [{"service": "社会保障卡挂失补换", "score": 0.31}]
    assert sent["phone"] == "13812345678" and sent["summary"].startswith("我叫张三")
    assert sent["channel"] == "web" and sent["sender"] == "resident-1"
    # The unfinished application is not filed, and the resident hears so before the hand-over.
    assert dispatcher.messages[0]["text"] == "好的，刚才的办事申请先不办了，已填写的信息不会提交。"
    assert "GD2024060100003" in dispatcher.messages[1]["text"]
    assert events[0] == ActiveLoop(None) and SlotSet("phone", None) in events and events[-1] == ConversationPaused()


def test_hand_over_failure_points_to_the_hotline_and_does_not_pause(gateway, dispatcher, make_tracker, domain):
    events = asyncio.run(
        ActionEscalateToHuman(gateway.client()).run(dispatcher, make_tracker(events=conversation()), domain)
    )
    assert events == [] and "12345" in dispatcher.messages[0]["text"]


def test_first_fallback_rephrases_second_in_a_row_hands_over(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/tickets")] = TICKET
    once = [user_event("啊吧啊吧", "nlu_fallback", knowledge(False))]
    first = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=once), domain))
    assert first == [FollowupAction("action_listen")] and gateway.requests == []
    assert "换个说法" in dispatcher.messages[0]["text"]
    said = dispatcher.messages[0]["text"]
    twice = [*once, bot_event(said), user_event("嗯嗯嗯", "greet", knowledge(False))]  # a core fallback too
    second = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=twice), domain))
    assert second[-1] == ConversationPaused() and len(gateway.requests) == 1


@pytest.mark.parametrize("said", ["尊敬的领导：", "市长您好！", "各位领导你们好", "尊敬的不动产登记中心：您好！"])
def test_a_letters_salutation_on_its_own_is_asked_for_the_matter(said, gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(said, "nlu_fallback", knowledge(False))])
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == replies.SAY_THE_MATTER  # not "没太明白"


@pytest.mark.parametrize("said", ["我想问一下", "咨询个事", "问个问题哈"])
def test_a_question_announced_on_its_own_is_asked_for(said, gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(said, "nlu_fallback", knowledge(False))])
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == replies.SAY_THE_QUESTION  # not "没太明白"


def test_a_salutation_read_as_an_answer_is_asked_for_the_matter(gateway, dispatcher, make_tracker, domain):
    """ "尊敬的市长：" read as inform, with the 12345 hotline's guide as a candidate (市长热线): no guide offered."""
    said = "尊敬的市长："
    tracker = make_tracker(events=[user_event(said, "inform", knowledge(False, ("12345政务服务便民热线", 0.4)))])
    events = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert [m["text"] for m in dispatcher.messages] == [replies.SAY_THE_MATTER]
    assert events == [FollowupAction("action_listen")]


def test_out_of_scope_is_said_so_and_answered_when_the_knowledge_base_is_sure(dispatcher, make_tracker, domain):
    weather = [user_event("明天下雨吗", "out_of_scope", knowledge(False))]
    assert asyncio.run(ActionHandleFallback().run(dispatcher, make_tracker(events=weather), domain)) == [
        FollowupAction("action_listen")
    ]
    assert "不在政务服务范围内" in dispatcher.messages[0]["text"] and "12345" not in dispatcher.messages[0]["text"]
    battery = [user_event("电池是什么垃圾", "out_of_scope", knowledge(True, ("生活垃圾分类指导", 0.7)))]
    asyncio.run(ActionHandleFallback().run(dispatcher, make_tracker(events=battery), domain))
    assert dispatcher.messages[1]["text"].startswith("生活垃圾分类指导")


@pytest.mark.parametrize(
    ("text", "intent", "reply"),
    [
        ("宝宝两个月了 该打哪几针 在哪个医院打", "nlu_fallback", replies.WHICH_SERVICE),  # the candidate to pick
        ("宝宝两个月了 医院说疫苗没到货 一直往后推", "nlu_fallback", replies.OFFER_TO_REGISTER),  # a problem
        ("现在几点了 六安这边", "out_of_scope", replies.OUT_OF_SCOPE),  # its candidates are as weak
    ],
)
def test_an_unsure_fallback_offers_the_candidates_for_a_question(
    text, intent, reply, gateway, dispatcher, make_tracker, domain
):
    found = {**knowledge(False, ("预防接种", 0.45)), "query": text}
    tracker = make_tracker(events=[user_event(text, intent, found)])
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == reply
    if reply == replies.WHICH_SERVICE:
        assert dispatcher.messages[0]["buttons"][0]["title"] == "预防接种"


def test_fallback_still_answers_when_the_knowledge_base_is_sure(dispatcher, make_tracker, domain):
    events = [user_event("公积金咋取", "nlu_fallback", knowledge(True, ("住房公积金提取", 0.7)))]
    result = asyncio.run(ActionHandleFallback().run(dispatcher, make_tracker(events=events), domain))
    assert result[0] == SlotSet("answered_service", "住房公积金提取") and result[-1] == FollowupAction("action_listen")


def test_cancel_stops_the_form_and_forgets_its_slots(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"phone": "13812345678"}, active_loop="complaint_form", requested_slot="complaint_description"
    )
    events = asyncio.run(ActionCancelForm().run(dispatcher, tracker, domain))
    assert events[0] == ActiveLoop(None)
    assert SlotSet("phone", None) in events and SlotSet("requested_slot", None) in events
    assert "已为您取消" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("active_loop", ["complaint_form", None])
def test_a_complaint_withdrawn_for_a_question_goes_on_to_its_answer(dispatcher, make_tracker, domain, active_loop):
    events = [user_event("不对 不投诉了 就是想问问物业费标准谁定的", "cancel")]
    tracker = make_tracker(
        events=events,
        slots={"complaint_description": "物业"} if active_loop else {},
        active_loop=active_loop,
        requested_slot="phone" if active_loop else None,
    )
    result = asyncio.run(ActionCancelForm().run(dispatcher, tracker, domain))
    assert result[-1] == FollowupAction("action_answer_service")
    if active_loop:
        assert result[0] == ActiveLoop(None) and SlotSet("complaint_description", None) in result
        assert dispatcher.messages[0]["text"].startswith("好的，刚才的投诉先不办了")
    else:
        assert result == [FollowupAction("action_answer_service")] and not dispatcher.messages


def test_answer_inside_a_form_has_no_feedback_buttons(dispatcher, make_tracker, domain):
    events = [user_event("社保卡要带什么", "ask_service", knowledge(True, ("社会保障卡申领", 0.8)))]
    tracker = make_tracker(events=events, active_loop="apply_form", requested_slot="applicant_name")
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].startswith("社会保障卡申领的办理指南")
    assert not dispatcher.messages[0]["buttons"]


def test_switching_task_ends_the_form_and_keeps_what_the_switching_message_named(dispatcher, make_tracker, domain):
    events = [
        user_event("我要申请居住证", "apply_service"),
        slot_event("service", "居住证办理"),
        user_event("李四", "inform"),
        slot_event("applicant_name", "李四"),
        user_event("我要投诉", "submit_complaint"),
        slot_event("complaint_description", "我要投诉"),
    ]
    tracker = make_tracker(
        slots={"service": "居住证办理", "applicant_name": "李四", "complaint_description": "我要投诉"},
        events=events,
        active_loop="apply_form",
        requested_slot="id_number",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert result[0] == ActiveLoop(None)
    assert SlotSet("service", None) in result and SlotSet("applicant_name", None) in result
    assert SlotSet("requested_slot", None) in result
    # the complaint form starts next and finds the description the switching message gave (its validator
    # then decides that a bare "我要投诉" says nothing yet)
    assert (
        SlotSet("complaint_description", None) not in result and SlotSet("complaint_description", "我要投诉") in result
    )
    assert dispatcher.messages[0]["text"] == "好的，刚才的办事申请先不办了，已填写的信息不会提交。"


def test_switching_before_anything_was_filled_says_nothing_about_lost_answers(dispatcher, make_tracker, domain):
    events = [
        user_event("我想查进度", "check_status"),
        user_event("我要申请公积金提取", "apply_service"),
        slot_event("service", "住房公积金提取"),
    ]
    tracker = make_tracker(
        slots={"service": "住房公积金提取"}, events=events, active_loop="status_form", requested_slot="case_number"
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert result == [
        ActiveLoop(None),
        SlotSet("case_number", None),
        SlotSet("phone_last4", None),
        SlotSet("status_tries", None),
        SlotSet("urge_requested", None),
        SlotSet("requested_slot", None),
        SlotSet("failed_attempts", None),
    ]
    assert dispatcher.messages[0]["text"] == "好的，刚才的进度查询先不办了。"


def test_switching_without_a_form_does_nothing(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("我要投诉", "submit_complaint")])
    assert asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain)) == []
    assert dispatcher.messages == []


def test_a_status_check_in_the_middle_of_a_form_pauses_it_with_its_answers(dispatcher, make_tracker, domain):
    slots = {"complaint_description": "小区门口的路灯坏了一个月没人修", "requested_slot": "complaint_place"}
    tracker = make_tracker(
        slots=slots,
        events=[user_event("查一下SQ2026120400001的进度", "check_status")],
        active_loop="complaint_form",
        requested_slot="complaint_place",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert result == [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("paused_form", "complaint_form")]
    assert dispatcher.messages[0]["text"] == "好的，先帮您查进度。刚才的投诉已填写的内容会保留，查完接着办。"


def test_starting_the_paused_form_again_keeps_its_answers(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"complaint_description": "小区门口的路灯坏了一个月没人修", "paused_form": "complaint_form"},
        events=[user_event("我要投诉", "submit_complaint")],
        active_loop="status_form",
        requested_slot="phone_last4",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("paused_form", None) in result
    assert not any(event.get("name") == "complaint_description" for event in result)


def test_another_task_forgets_the_paused_form(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"complaint_description": "小区门口的路灯坏了一个月没人修", "paused_form": "complaint_form"},
        events=[user_event("我想表扬一下窗口的工作人员", "praise")],
        active_loop="status_form",
        requested_slot="phone_last4",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("paused_form", None) in result and SlotSet("complaint_description", None) in result


def test_changing_the_kind_of_request_keeps_what_was_told(dispatcher, make_tracker, domain):
    told = "楼道的灯坏了好几天，晚上上下楼很危险"
    tracker = make_tracker(
        slots={"incident_description": told, "incident_kind": "报修"},
        events=[slot_event("incident_description", told), user_event("不对，我想改成投诉物业", "submit_complaint")],
        active_loop="incident_form",
        requested_slot="community",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    # what the switching message adds (物业: whom the complaint is about) comes along, in the resident's words
    kept = f"{told}\n不对，我想改成投诉物业"
    assert SlotSet("complaint_description", kept) in result and SlotSet("incident_description", None) in result
    assert dispatcher.messages[0]["text"] == "好的，改为投诉，您刚才说的情况会一并带上。"


def test_a_message_that_only_changes_the_kind_adds_nothing(dispatcher, make_tracker, domain):
    told = "楼道的灯坏了好几天，晚上上下楼很危险"
    tracker = make_tracker(
        slots={"incident_description": told},
        events=[slot_event("incident_description", told), user_event("不对，还是投诉吧", "submit_complaint")],
        active_loop="incident_form",
        requested_slot="community",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("complaint_description", told) in result


def test_a_change_of_kind_answering_the_description_question_is_the_new_forms_description(
    dispatcher, make_tracker, domain
):
    text = "算了 我改成提个建议吧 希望小区多装几个电动车充电桩"
    tracker = make_tracker(
        slots={"complaint_description": text},
        # the free-text question took the message too (action_extract_slots) before the form refused it
        events=[user_event(text, "give_suggestion"), slot_event("complaint_description", text)],
        active_loop="complaint_form",
        requested_slot="complaint_description",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("suggestion_content", text) in result and SlotSet("complaint_description", None) in result
    assert dispatcher.messages[0]["text"] == "好的，刚才的投诉先不办了。"


def test_a_new_matter_in_the_switching_message_is_taken_as_it_is(dispatcher, make_tracker, domain):
    text = "我要投诉，物业收了维修基金不干活"
    tracker = make_tracker(
        slots={"incident_description": "楼道的灯坏了好几天"},
        events=[user_event(text, "submit_complaint")],
        active_loop="incident_form",
        requested_slot="community",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("complaint_description", text) in result


def routed(confidence: float, department: str = "市交通运输局") -> tuple[int, dict]:
    return 200, {"category": "交通运输", "subcategory": "公交出行", "department": department,
                 "confidence": confidence, "alternatives": [], "place": None, "needs_place": False}  # fmt: skip


@pytest.mark.parametrize(("confidence", "offered"), [(0.99, True), (0.5, False)])
def test_a_short_out_of_scope_message_the_router_places_is_offered_registration(
    confidence, offered, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(confidence)
    text = "公交车空调不开 热死了 票价一分没少"
    events = [user_event(text, "out_of_scope", knowledge(False))]
    result = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert gateway.sent_json() == {"text": text}
    if offered:
        assert dispatcher.messages[0]["text"] == replies.OFFER_TO_REGISTER
        assert SlotSet("offered_request", text) in result
    else:
        assert dispatcher.messages[0]["text"] == replies.OUT_OF_SCOPE


def test_a_short_out_of_scope_question_the_router_places_is_offered_as_a_consultation(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(0.99)
    text = "宝宝两个月了 该打哪几针 在哪个医院打"  # asks, tells nothing wrong: a person answers it
    events = [user_event(text, "out_of_scope", knowledge(False, ("预防接种", 0.45)))]
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == replies.OFFER_CONSULTATION


def split_between(first: float, second: float) -> tuple[int, dict]:
    status, body = routed(first)
    body["alternatives"] = [
        {"category": "教育文体", "subcategory": "文体设施", "department": "市体育局", "score": first},
        {"category": "城乡建设", "subcategory": "市政设施", "department": "市住房和城乡建设局", "score": second},
    ]
    return status, body


@pytest.mark.parametrize(
    ("text", "scores", "offered"),
    [
        ("公园里健身器材坏了好几个 小孩玩容易受伤", (0.70, 0.25), True),  # a problem between two categories
        ("公园里健身器材坏了好几个 小孩玩容易受伤", (0.45, 0.20), False),  # a problem nobody's surely
        ("公园里的健身器材是哪年装的 挺好看的", (0.70, 0.25), False),  # no problem told: needs 0.85 alone
    ],
)
def test_a_problem_the_router_splits_between_two_categories_is_a_department_matter(
    text, scores, offered, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = split_between(*scores)
    events = [user_event(text, "out_of_scope", knowledge(False))]
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == (replies.OFFER_TO_REGISTER if offered else replies.OUT_OF_SCOPE)


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "taken"),
    [
        ("停水三天了", "nlu_fallback", 0.99, True),  # too short for the offer, a problem the router places
        ("井盖丢了", "out_of_scope", 0.99, True),
        ("电脑坏了", "nlu_fallback", 0.21, False),  # a problem no department has: "没太明白"
        ("停水了吗", "nlu_fallback", 0.99, False),  # asks, tells nothing
        ("你好呀朋友", "nlu_fallback", 0.99, False),  # nothing wrong: the router is not asked
    ],
)
def test_a_short_problem_the_router_places_goes_to_the_complaint_form(
    text, intent, confidence, taken, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(confidence)
    events = [user_event(text, intent, knowledge(False))]
    result = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    if taken:
        assert result == [
            SlotSet("complaint_description", text),
            SlotSet("offered_request", None),
            FollowupAction("complaint_form"),
        ]
        assert dispatcher.messages == []  # the form's questions follow
    else:
        assert FollowupAction("complaint_form") not in result and dispatcher.messages


def test_the_rest_of_an_offered_letter_joins_it_when_it_goes_to_the_complaint_form(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(0.99)
    first, rest = "尊敬的领导：我们村通往镇上的路坑坑洼洼", "桥栏杆也断了一截 孩子上学很危险"
    events = [
        user_event(first, "nlu_fallback", knowledge(False)),
        slot_event("offered_request", first),
        bot_event(replies.OFFER_TO_REGISTER),
        user_event(rest, "nlu_fallback", knowledge(False)),
    ]
    tracker = make_tracker(slots={"offered_request": first}, events=events)
    result = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, tracker, domain))
    assert SlotSet("complaint_description", f"{first}\n{rest}") in result


@pytest.mark.parametrize(
    ("text", "intent", "found", "taken"),
    [
        ("门口积水了", "inform", knowledge(False), True),  # read as an answer outside a form
        ("门口积水了", "ask_service", knowledge(False, ("城市道路积水", 0.4)), True),
        ("社保卡坏了", "ask_service", knowledge(True, ("社会保障卡补换", 0.9)), False),  # its guide answers
    ],
)
def test_a_short_problem_read_as_a_question_goes_to_the_complaint_form(
    text, intent, found, taken, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(0.99, department="市人力资源和社会保障局")  # the guide's too
    tracker = make_tracker(events=[user_event(text, intent, found)])
    result = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert (FollowupAction("complaint_form") in result) is taken
    assert (dispatcher.messages == []) is taken  # else the guide, or what a guide-less question gets


def test_out_of_scope_without_the_router_says_so(gateway, dispatcher, make_tracker, domain):
    events = [user_event("公交车空调不开 热死了 票价一分没少", "out_of_scope", knowledge(False))]
    asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == replies.OUT_OF_SCOPE  # the gateway is down: nothing is claimed


OFFERED = "我家楼下的烧烤店每天开到凌晨两点，油烟和吵闹声让全楼的人都睡不好"


def offered_then(said: str, intent: str) -> list[dict]:
    return [
        user_event(OFFERED, "nlu_fallback", knowledge(False)),
        slot_event("offered_request", OFFERED),
        bot_event(replies.OFFER_TO_REGISTER),
        user_event(said, intent, knowledge(False)),
    ]


def test_yes_to_the_offer_registers_the_request_as_the_button_does(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=offered_then("好的", "affirm"), slots={"offered_request": OFFERED})
    events = asyncio.run(ActionAcknowledge().run(dispatcher, tracker, domain))
    assert events == [
        SlotSet("complaint_description", OFFERED),
        SlotSet("offered_request", None),
        FollowupAction("complaint_form"),
    ]
    assert dispatcher.messages == []


def test_no_to_the_offer_lets_it_go(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=offered_then("不用了", "deny"), slots={"offered_request": OFFERED})
    events = asyncio.run(ActionAcknowledge().run(dispatcher, tracker, domain))
    assert events == [SlotSet("offered_request", None)]
    assert dispatcher.messages[0]["response"] == "utter_anything_else"


def test_yes_without_an_offer_is_acknowledged(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("好的", "affirm", knowledge(False))])
    assert asyncio.run(ActionAcknowledge().run(dispatcher, tracker, domain)) == []
    assert dispatcher.messages[0]["response"] == "utter_anything_else"


def test_a_question_read_as_no_is_answered_as_a_question(dispatcher, make_tracker, domain):
    question = "出生证明上娃名字写错了一个字 能改不 去哪改"
    found = knowledge(False, ("新生儿出生登记", 0.35), ("生育登记", 0.3))
    tracker = make_tracker(events=[user_event(question, "deny", found)])
    events = asyncio.run(ActionAcknowledge().run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"] == replies.WHICH_SERVICE
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "新生儿出生登记" in titles and titles[-1] == "都不是，转人工解答"
    assert events[-1] == FollowupAction("action_listen")


def test_a_question_no_guide_answers_is_offered_as_a_consultation(gateway, dispatcher, make_tracker, domain):
    question = "港澳通行证过期了续签要带啥"
    gateway.routes[("POST", "/api/routing")] = routed(0.99)
    events = [user_event(question, "out_of_scope", knowledge(False))]
    result = asyncio.run(ActionHandleFallback(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == replies.OFFER_CONSULTATION
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/request_human", "/submit_complaint"]
    assert SlotSet("offered_request", question) in result


def test_yes_to_the_consultation_offer_hands_it_to_a_person(dispatcher, make_tracker, domain):
    question = "港澳通行证过期了续签要带啥"
    events = [
        user_event(question, "out_of_scope", knowledge(False)),
        slot_event("offered_request", question),
        bot_event(replies.OFFER_CONSULTATION),
        user_event("好的", "affirm", knowledge(False)),
    ]
    tracker = make_tracker(events=events, slots={"offered_request": question})
    assert asyncio.run(ActionAcknowledge().run(dispatcher, tracker, domain)) == [
        FollowupAction("action_escalate_to_human")
    ]


def test_no_to_a_guides_answer_hands_the_question_to_a_person(dispatcher, make_tracker, domain):
    answer = "不动产权证书补办的办理指南\n" + replies.SOURCE.format(source="不动产权证书补办（市自然资源和规划局）")
    events = [
        user_event("请问宅基地上盖的房子能办房产证吗", "ask_service", knowledge(True, ("不动产权证书补办", 0.6))),
        bot_event(answer),
        user_event("都不是", "deny", knowledge(False)),
    ]
    result = asyncio.run(ActionAcknowledge().run(dispatcher, make_tracker(events=events), domain))
    assert result == [FollowupAction("action_escalate_to_human")] and dispatcher.messages == []


OPENING = "尊敬的领导您好：我是金安区清水河街道某小区的业主，想反映几个问题。"


@pytest.mark.parametrize(
    ("said", "intent", "asked"),
    [
        ("一是小区物业不作为，垃圾好几天才清一次；二是小区电梯经常坏，上个月困人两次。", "report_incident", "phone"),
        ("希望有关部门督促物业整改，谢谢！", "give_suggestion", "phone"),
        ("希望有关部门督促物业整改，谢谢！", "praise", "complaint_place"),
    ],
)
def test_the_next_part_of_a_letter_goes_on_with_the_complaint(said, intent, asked, dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"complaint_description": OPENING},
        events=[slot_event("complaint_description", OPENING), user_event(said, intent)],
        active_loop="complaint_form",
        requested_slot=asked,
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert result == [SlotSet("complaint_description", f"{OPENING}\n{said}"), FollowupAction("complaint_form")]
    assert dispatcher.messages[0]["text"] == "这段已补充到您反映的问题里。"


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("我要报修，楼道的灯也坏了好几天", "report_incident"),
        ("那我想提个建议，小区多装几个充电桩", "give_suggestion"),
        ("算了不投诉了，表扬一下物业的王师傅", "praise"),
    ],
)
def test_asking_for_another_task_in_words_ends_the_complaint(said, intent, dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"complaint_description": OPENING},
        events=[slot_event("complaint_description", OPENING), user_event(said, intent)],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert result[0] == ActiveLoop(None) and FollowupAction("complaint_form") not in result


def test_a_third_part_of_a_letter_is_acknowledged_in_other_words(dispatcher, make_tracker, domain):
    second = "一是小区物业不作为，垃圾好几天才清一次。"
    third = "希望有关部门督促物业整改，谢谢！"
    tracker = make_tracker(
        slots={"complaint_description": f"{OPENING}\n{second}"},
        events=[
            user_event(second, "report_incident"),
            bot_event("这段已补充到您反映的问题里。"),
            bot_event("请留一个联系电话"),
            user_event(third, "give_suggestion"),
        ],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = asyncio.run(ActionSwitchTask().run(dispatcher, tracker, domain))
    assert SlotSet("complaint_description", f"{OPENING}\n{second}\n{third}") in result
    assert dispatcher.messages[0]["text"] == "这段也补充进去了。"


def test_an_opening_that_only_announces_is_kept_and_the_matter_asked(dispatcher, make_tracker, domain):
    form = ValidateComplaintForm(FakeGateway().client())
    tracker = make_tracker(events=[user_event(OPENING, "submit_complaint")], active_loop="complaint_form")
    result = asyncio.run(form.validate_complaint_description(OPENING, dispatcher, tracker, domain))
    assert result == {"complaint_description": None, "complaint_opening": OPENING}
    assert dispatcher.messages == []  # no "能再具体说说吗": the form's own question comes next

    matter = "一是小区物业不作为，垃圾好几天才清一次；二是小区电梯经常坏，上个月困人两次。"
    tracker = make_tracker(
        slots={"complaint_opening": OPENING},
        events=[user_event(matter, "report_incident")],
        active_loop="complaint_form",
        requested_slot="complaint_description",
    )
    result = asyncio.run(form.validate_complaint_description(matter, dispatcher, tracker, domain))
    assert result["complaint_description"] == f"{OPENING}\n{matter}" and result["complaint_opening"] is None


def test_after_an_opening_the_matter_is_simply_invited(dispatcher, make_tracker, domain):
    # The opening announced a matter: "请您说说遇到了什么问题" would read as if it had not been heard.
    ask = ASK_ACTIONS["complaint_description"]
    asyncio.run(ask().run(dispatcher, make_tracker(slots={"complaint_opening": OPENING}), domain))
    asyncio.run(ask().run(dispatcher, make_tracker(), domain))
    asked = [m["text"] for m in dispatcher.messages]
    assert asked == [replies.ASK_MATTER_AFTER_OPENING, replies.QUESTIONS["complaint_description"][0]]


def test_a_phone_number_after_an_opening_is_no_matter(dispatcher, make_tracker, domain):
    form = ValidateComplaintForm(FakeGateway().client())
    tracker = make_tracker(
        slots={"complaint_opening": OPENING},
        events=[user_event("13812345678", "inform")],
        active_loop="complaint_form",
        requested_slot="complaint_description",
    )
    result = asyncio.run(form.validate_complaint_description("13812345678", dispatcher, tracker, domain))
    assert result["complaint_description"] is None and "complaint_opening" not in result  # kept for the answer
    assert "具体说说" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("question", ["complaint_form_phone", "phone", "suggestion_phone"])
def test_a_phone_given_earlier_in_the_conversation_is_offered_masked(question, dispatcher, make_tracker, domain):
    earlier = [
        user_event("梅山路的路灯坏了", "submit_complaint"),
        slot_event("phone", "13812345678"),
        slot_event("phone", None),  # the first complaint filed: its slots were forgotten
        user_event("还有 楼下烧烤店油烟太大", "submit_complaint"),
    ]
    asyncio.run(ASK_ACTIONS[question]().run(dispatcher, make_tracker(events=earlier), domain))
    first = dispatcher.messages[0]["buttons"][0]
    assert first["title"] == "用刚才的号码 138****5678"
    assert first["payload"] == '/inform{"phone": "13812345678"}'
    assert "13812345678" not in dispatcher.messages[0]["text"]


def test_a_mobile_written_in_the_request_is_offered_masked_not_assumed(dispatcher, make_tracker, domain):
    told = "老板跑路了 工资还欠俺们三个月 电话13912345678 麻烦联系我"
    tracker = make_tracker(
        slots={"complaint_description": told},
        events=[user_event(told, "submit_complaint")],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, tracker, domain))
    first = dispatcher.messages[0]["buttons"][0]
    assert first["title"] == "用您写的号码 139****5678"
    assert first["payload"] == '/inform{"phone": "13912345678"}'
    # a longer digit run (an ID number, an account) holds no mobile number
    tracker = make_tracker(
        slots={"complaint_description": "社保号是341502199001011234 一直查不到缴费记录"},
        active_loop="complaint_form",
        requested_slot="phone",
    )
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, tracker, domain))
    assert all("号码" not in b["title"] for b in dispatcher.messages[1].get("buttons") or [])


@pytest.mark.parametrize(
    "events",
    [
        [user_event("梅山路的路灯坏了", "submit_complaint")],  # no phone given yet
        [slot_event("phone", "13812345678"), {"event": "session_started"}, user_event("路灯坏了", "submit_complaint")],
        [slot_event("phone", "不留"), user_event("路灯坏了", "submit_complaint")],  # declined: nothing to offer
    ],
)
def test_no_phone_is_offered_without_one_given_in_this_session(events, dispatcher, make_tracker, domain):
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, make_tracker(events=events), domain))
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles == ["不留电话"]


def test_a_refused_answer_is_not_followed_by_the_same_question(dispatcher, make_tracker, domain):
    # "这个身份证号没有通过校验，请核对后重新输入18位号码" already asks again: the question would say it twice.
    refused = [user_event("340102199001011234", "inform"), slot_event("failed_attempts", {"id_number": 1})]
    tracker = make_tracker(events=refused, slots={"failed_attempts": {"id_number": 1}}, requested_slot="id_number")
    asyncio.run(ASK_ACTIONS["id_number"]().run(dispatcher, tracker, domain))
    assert dispatcher.messages == []
    # Refused twice alike: the question follows, so that the reply is not the very same as the turn before.
    again = [bot_event(replies.REPROMPTS["id_number"]), *refused]
    again.insert(-1, bot_event(replies.REPROMPTS["id_number"]))
    tracker = make_tracker(events=again, slots={"failed_attempts": {"id_number": 1}}, requested_slot="id_number")
    asyncio.run(ASK_ACTIONS["id_number"]().run(dispatcher, tracker, domain))
    assert [m["text"] for m in dispatcher.messages] == [replies.QUESTIONS["id_number"][0]]
    dispatcher.messages.clear()
    # A try counted in an earlier turn: this turn's answer was not refused, so the question is asked.
    earlier = [slot_event("failed_attempts", {"id_number": 1}), user_event("好的", "affirm")]
    tracker = make_tracker(events=earlier, slots={"failed_attempts": {"id_number": 1}}, requested_slot="id_number")
    asyncio.run(ASK_ACTIONS["id_number"]().run(dispatcher, tracker, domain))
    assert [m["text"] for m in dispatcher.messages] == [replies.QUESTIONS["id_number"][0]]
    # A question with buttons is asked again: the buttons are the easy way out ("不留电话").
    phone = [user_event("123", "inform"), slot_event("failed_attempts", {"phone": 1})]
    tracker = make_tracker(events=phone, slots={"failed_attempts": {"phone": 1}}, requested_slot="phone")
    asyncio.run(ASK_ACTIONS["complaint_form_phone"]().run(dispatcher, tracker, domain))
    assert dispatcher.messages[-1]["buttons"]


@pytest.mark.parametrize(
    ("text", "confidence", "department", "taken"),
    [
        ("村干部把低保都给了自己亲戚 真正困难的没吃上", 0.99, "市纪委监委", True),  # about the service, not how
        ("村干部把低保都给了自己亲戚 真正困难的没吃上", 0.60, "市纪委监委", False),  # the router is unsure
        ("低保名额是按什么条件评的", 0.99, "市纪委监委", False),  # asks: the guide answers
        ("我想申请低保 家里就我一个劳动力", 0.99, "市人力资源和社会保障局", False),  # the guide's department
    ],
)
def test_a_statement_the_router_gives_to_another_department_than_the_guides_is_a_request(
    text, confidence, department, taken, gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("POST", "/api/routing")] = routed(confidence, department=department)
    tracker = make_tracker(events=[user_event(text, "ask_service", knowledge(True, ("最低生活保障申请", 0.9)))])
    result = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, tracker, domain))
    assert (SlotSet("complaint_description", text) in result) is taken
    assert (dispatcher.messages == []) is taken  # else the guide answers


def test_a_statement_naming_a_service_is_a_request_when_the_router_gives_it_to_another_department(
    gateway, dispatcher, make_tracker, domain
):
    text = "我们村的低保名额都给了村干部的亲戚 我家符合条件却评不上"
    gateway.routes[("POST", "/api/routing")] = routed(0.98, department="市纪委监委")
    event = user_event(text, "ask_service", knowledge(False, ("最低生活保障申请", 0.41)))
    event["parse_data"]["entities"] = [{"entity": "service", "value": "最低生活保障申请"}]  # 低保 named
    result = asyncio.run(ActionAnswerService(gateway.client()).run(dispatcher, make_tracker(events=[event]), domain))
    assert SlotSet("complaint_description", text) in result and dispatcher.messages == []
