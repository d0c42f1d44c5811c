import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import SlotSet

from actions.apply import ActionAskApplyConfirmed, ActionSubmitApplication, ValidateApplyForm
from tests.actions.conftest import knowledge, slot_event, user_event

ONLINE = {"name": "居住证办理", "department": "市公安局", "online": True, "place": "派出所户籍窗口", "materials": []}
OFFLINE = {
    "name": "结婚登记",
    "department": "市民政局",
    "online": False,
    "place": "六安市婚姻登记处",
    "materials": ["户口簿", "身份证"],
    "offline_steps": ["双方一起到场", "现场填表并拍照"],
}
FILLED = {
    "service": "居住证办理",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "apply_confirmed": True,
}


def test_online_service_is_accepted_by_its_canonical_name(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/services")] = (200, [OFFLINE, ONLINE])
    action = ValidateApplyForm(gateway.client())
    tracker = make_tracker(events=[user_event("我要办居住证", "apply_service")])
    result = asyncio.run(action.validate_service("居住证办理", dispatcher, tracker, domain))
    assert result["service"] == "居住证办理"
    assert dispatcher.messages == []


def test_another_service_named_half_way_replaces_the_first_and_says_so(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/services")] = (200, [OFFLINE, ONLINE])
    events = [
        user_event("我要申请社保卡", "apply_service"),
        slot_event("service", "社会保障卡申领"),
        user_event("张三", "inform"),
        slot_event("applicant_name", "张三"),
        user_event("不对，我要办居住证", "apply_service"),
        slot_event("service", "居住证办理"),
    ]
    tracker = make_tracker(events=events, active_loop="apply_form", requested_slot="id_number")
    result = asyncio.run(
        ValidateApplyForm(gateway.client()).validate_service("居住证办理", dispatcher, tracker, domain)
    )
    assert result["service"] == "居住证办理"
    assert dispatcher.messages[0]["text"] == "好的，办理事项改为“居住证办理”。"

    # the same service named again is no change
    events[1]["value"] = "居住证办理"
    again = make_tracker(events=events, active_loop="apply_form", requested_slot="id_number")
    asyncio.run(ValidateApplyForm(gateway.client()).validate_service("居住证办理", dispatcher, again, domain))
    assert len(dispatcher.messages) == 1


def test_offline_service_gives_the_steps_and_ends_the_form_before_any_personal_data(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/services")] = (200, [OFFLINE])
    tracker = make_tracker(events=[user_event("我要结婚登记", "apply_service")])
    result = asyncio.run(ValidateApplyForm(gateway.client()).validate_service("结婚登记", dispatcher, tracker, domain))
    assert result == {"service": None, "requested_slot": None}
    text = dispatcher.messages[0]["text"]
    assert "不能在线申请" in text and "1. 双方一起到场" in text and "需要带：户口簿、身份证" in text
    assert "办理地点：六安市婚姻登记处" in text


def test_unknown_service_offers_the_knowledge_candidates(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/services")] = (200, [ONLINE])
    candidates = knowledge(False, ("社会保障卡申领", 0.3), ("社会保障卡挂失补换", 0.28))
    tracker = make_tracker(events=[user_event("办个卡", "apply_service", candidates)])
    result = asyncio.run(ValidateApplyForm(gateway.client()).validate_service("卡", dispatcher, tracker, domain))
    assert result == {"service": None, "failed_attempts": {"service": 1}}
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["社会保障卡申领", "社会保障卡挂失补换"]
    assert buttons[0]["payload"] == '/inform{"service": "社会保障卡申领"}'


def test_gateway_down_while_checking_the_service_apologises(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("我要办居住证", "apply_service")])
    result = asyncio.run(
        ValidateApplyForm(gateway.client()).validate_service("居住证办理", dispatcher, tracker, domain)
    )
    assert result["service"] is None
    assert "12345" in dispatcher.messages[0]["text"]


def test_bad_id_number_is_reprompted_and_the_third_failure_offers_the_ways_on(dispatcher, make_tracker, domain):
    action = ValidateApplyForm()
    attempts = None
    for attempt in range(1, 4):
        tracker = make_tracker(slots={"failed_attempts": attempts})
        result = action.validate_id_number("110105194912310021", dispatcher, tracker, domain)
        attempts = result["failed_attempts"]
        assert result["id_number"] is None and attempts == {"id_number": attempt}
    assert "buttons" not in dispatcher.messages[0] or not dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in dispatcher.messages[2]["buttons"]] == ["/continue_form", "/cancel", "/request_human"]


def test_valid_answer_clears_the_failure_count(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots={"failed_attempts": {"id_number": 2}})
    result = ValidateApplyForm().validate_id_number("11010519491231002x", dispatcher, tracker, domain)
    assert result == {"id_number": "11010519491231002X", "failed_attempts": None}


def test_name_and_phone_validation(dispatcher, make_tracker, domain):
    action, tracker = ValidateApplyForm(), make_tracker()
    assert action.validate_applicant_name("我叫王五", dispatcher, tracker, domain)["applicant_name"] == "王五"
    assert action.validate_applicant_name("不知道啊123", dispatcher, tracker, domain)["applicant_name"] is None
    assert action.validate_phone("138-1234-5678", dispatcher, tracker, domain)["phone"] == "13812345678"
    assert action.validate_phone("12345", dispatcher, tracker, domain)["phone"] is None


def test_a_name_read_as_a_bot_challenge_is_still_the_name(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("名字是何文斌", "bot_challenge")], requested_slot="applicant_name")
    result = ValidateApplyForm().validate_applicant_name("名字是何文斌", dispatcher, tracker, domain)
    assert result["applicant_name"] == "何文斌" and dispatcher.messages == []


def test_a_bot_challenge_at_the_name_step_is_answered_and_not_counted_as_a_failed_try(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("你是谁", "bot_challenge")], requested_slot="applicant_name")
    result = ValidateApplyForm().validate_applicant_name("你是谁", dispatcher, tracker, domain)
    assert result == {"applicant_name": None}  # "你是谁" would pass as a three-character name
    assert [m["response"] for m in dispatcher.messages] == ["utter_bot_challenge"]


def test_no_at_the_confirmation_asks_what_to_change_and_keeps_everything(dispatcher, make_tracker, domain):
    result = ValidateApplyForm().validate_apply_confirmed(False, dispatcher, make_tracker(slots=FILLED), domain)
    assert result == {"apply_confirmed": None}
    tracker = make_tracker(
        slots=FILLED, events=[user_event("不对", "deny")], active_loop="apply_form", requested_slot="apply_confirmed"
    )
    asyncio.run(ActionAskApplyConfirmed().run(dispatcher, tracker, domain))
    message = dispatcher.messages[0]
    assert "哪一项需要修改" in message["text"] and "张*" not in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["办理事项", "姓名", "身份证号", "手机号"]


def test_no_with_the_new_value_shows_the_summary_again(dispatcher, make_tracker, domain):
    said = "手机号写错了，是13987654321"
    tracker = make_tracker(
        slots={**FILLED, "phone": "13987654321"},
        events=[user_event(said, "deny"), slot_event("phone", "13987654321")],
        active_loop="apply_form",
        requested_slot="apply_confirmed",
    )
    asyncio.run(ActionAskApplyConfirmed().run(dispatcher, tracker, domain))
    text = dispatcher.messages[0]["text"]
    assert "139****4321" in text and "哪一项需要修改" not in text


@pytest.mark.parametrize(
    ("text", "intent", "cleared"),
    [
        ("不对不对 号码打错了", "deny", "phone"),
        ("改手机号", "inform", "phone"),
        ("身份证号码输错了", "deny", "id_number"),
        ("名字写错了", "inform", "applicant_name"),
        ("改办理事项", "inform", "service"),
    ],
)
def test_naming_the_wrong_field_asks_only_that_one_again(text, intent, cleared, dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots=FILLED, events=[user_event(text, intent)], active_loop="apply_form", requested_slot="apply_confirmed"
    )
    result = asyncio.run(ValidateApplyForm().extract_apply_confirmed(dispatcher, tracker, domain))
    assert result == {cleared: None, "apply_confirmed": None}


def test_a_new_phone_sent_with_the_correction_is_not_cleared(dispatcher, make_tracker, domain):
    events = [user_event("手机号写错了，是13987654321", "inform"), slot_event("phone", "13987654321")]
    tracker = make_tracker(slots=FILLED, events=events, active_loop="apply_form", requested_slot="apply_confirmed")
    assert asyncio.run(ValidateApplyForm().extract_apply_confirmed(dispatcher, tracker, domain)) == {}


def test_a_farewell_is_no_name(dispatcher, make_tracker, domain):
    result = ValidateApplyForm().validate_applicant_name("谢谢 不用了 再见", dispatcher, make_tracker(), domain)
    assert result["applicant_name"] is None and "姓名" in dispatcher.messages[0]["text"]


def test_confirmation_shows_masked_data_only(dispatcher, make_tracker, domain):
    asyncio.run(ActionAskApplyConfirmed().run(dispatcher, make_tracker(slots=FILLED), domain))
    text = dispatcher.messages[0]["text"]
    assert "张*" in text and "110105********002X" in text and "138****5678" in text
    assert "张三" not in text and "11010519491231002X" not in text and "13812345678" not in text


def test_confirmed_application_is_filed_and_personal_slots_are_forgotten(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/applications")] = (
        201,
        {
            "number": "LA2024060100042",
            "kind": "application",
            "status": "submitted",
            "service": "居住证办理",
            "department": "市公安局",
            "expected_completion": "2024-06-14",
        },
    )
    events = asyncio.run(
        ActionSubmitApplication(gateway.client()).run(dispatcher, make_tracker(slots=FILLED, sender="web-7"), domain)
    )
    sent = gateway.sent_json()
    assert sent["id_number"] == "11010519491231002X" and sent["applicant_name"] == "张三"
    assert sent["sender"] == "web-7" and sent["channel"] == "api"  # no channel metadata: direct API use
    text = dispatcher.messages[0]["text"]
    assert "LA2024060100042" in text and "2024年6月14日" in text
    for slot in ("applicant_name", "id_number", "phone", "service"):
        assert SlotSet(slot, None) in events
    assert SlotSet("last_case_number", "LA2024060100042") in events


def test_failed_submission_keeps_the_data_and_offers_a_retry(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/applications")] = (500, {"detail": "boom", "message": "内部错误"})
    events = asyncio.run(ActionSubmitApplication(gateway.client()).run(dispatcher, make_tracker(slots=FILLED), domain))
    assert events == []
    message = dispatcher.messages[0]
    assert "没有提交成功" in message["text"] and "12345" in message["text"]
    assert message["buttons"][0]["payload"] == "/apply_service"


def test_unconfirmed_form_end_files_nothing(gateway, dispatcher, make_tracker, domain):
    events = asyncio.run(ActionSubmitApplication(gateway.client()).run(dispatcher, make_tracker(), domain))
    assert gateway.requests == [] and dispatcher.messages == []
    assert SlotSet("service", None) in events


def test_slots_cleared_by_leaving_another_form_are_not_validated_as_answers(gateway, dispatcher, make_tracker, domain):
    # "我要申请居住证" while the complaint form asked for a phone: the switch cleared the complaint's
    # slots in this turn, and Rasa offers those cleared values to the application form with the service.
    gateway.routes[("GET", "/api/services")] = (200, [OFFLINE, ONLINE])
    events = [
        user_event("我要申请居住证", "apply_service"),
        slot_event("service", "居住证办理"),
        {"event": "action", "name": "action_switch_task"},
        {"event": "active_loop", "name": None},
        slot_event("phone", None),
        slot_event("id_number", None),
        slot_event("service", "居住证办理"),
    ]
    tracker = make_tracker(slots={"service": "居住证办理"}, events=events)
    result = asyncio.run(ValidateApplyForm(gateway.client()).get_validation_events(dispatcher, tracker, domain))
    assert SlotSet("service", "居住证办理") in result
    assert not [event for event in result if event["name"] in ("phone", "id_number")]
    assert dispatcher.messages == []


def test_a_service_taken_offline_meanwhile_is_explained_and_the_form_ends(gateway, dispatcher, make_tracker, domain):
    message = "“居住证办理”暂不支持在线申请，请携带材料到市政务服务中心现场办理"
    gateway.routes[("POST", "/api/applications")] = (422, {"detail": {"code": "not_online"}, "message": message})
    events = asyncio.run(ActionSubmitApplication(gateway.client()).run(dispatcher, make_tracker(slots=FILLED), domain))
    assert dispatcher.messages[0]["text"] == message and not dispatcher.messages[0].get("buttons")
    assert SlotSet("id_number", None) in events
