"""The incident form (小区报事): the kind and the place read from what the resident says, asked only when missing;
the filing sent to the gateway, its receipt, a refused place asked again, photos kept."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import FollowupAction, SlotSet

from actions.incident import ActionKeepPhoto, ActionSubmitIncident, ValidateIncidentForm, kind_of, response_hours
from tests.actions.conftest import receipt, slot_event, user_event

COMMUNITIES = {"communities": ["样例·梅山小区", "样例·皋城家园"]}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我家3栋2单元楼道灯坏了", "报修"),
        ("电梯故障了", "报修"),
        ("楼道里有人给电动车充电", "安全隐患"),
        ("垃圾清运不及时", "环境卫生"),
        ("楼上邻居天天半夜吵", "邻里纠纷"),
        ("安全隐患", "安全隐患"),
        ("想问个事", None),
    ],
)
def test_the_kind_is_read_from_the_words(text, kind):
    assert kind_of(text) == kind


def test_the_first_message_fills_kind_building_unit_and_description(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/communities")] = (200, COMMUNITIES)
    text = "我家3栋2单元楼道灯坏了"
    tracker = make_tracker(events=[user_event(text, "report_incident")], active_loop="incident_form")
    form = ValidateIncidentForm(gateway.client())
    place = asyncio.run(form.extract_incident_place(dispatcher, tracker, domain))
    described = form.validate_incident_description(text, dispatcher, tracker, domain)
    assert place == {"incident_place": "3栋2单元"}
    assert described["incident_description"] == text and described["incident_kind"] == "报修"
    assert dispatcher.messages == []


def test_a_place_said_before_the_report_is_remembered_but_not_one_of_an_earlier_report(
    gateway, dispatcher, make_tracker, domain
):
    form = ValidateIncidentForm(gateway.client())
    said = [user_event("我住十二号楼二单元", "inform"), user_event("我要报修", "report_incident")]
    assert asyncio.run(form.extract_incident_place(dispatcher, make_tracker(events=said), domain)) == {
        "incident_place": "12栋2单元"
    }
    earlier = [user_event("5栋1单元灯坏了", "report_incident"), slot_event("last_case_number", "SQ2026120400001")]
    tracker = make_tracker(events=[*earlier, user_event("我要报修", "report_incident")])
    assert asyncio.run(form.extract_incident_place(dispatcher, tracker, domain)) == {}


def test_a_community_named_anywhere_is_recognised(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/communities")] = (200, COMMUNITIES)
    tracker = make_tracker(events=[user_event("梅山小区3栋电梯坏了", "report_incident")])
    found = asyncio.run(ValidateIncidentForm(gateway.client()).extract_community(dispatcher, tracker, domain))
    assert found == {"community": "样例·梅山小区"}


def test_an_unknown_community_gets_the_close_names_as_buttons(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区"]})
    tracker = make_tracker(events=[user_event("梅山", "inform")], requested_slot="community")
    form = ValidateIncidentForm(gateway.client())
    assert asyncio.run(form.validate_community("梅山", dispatcher, tracker, domain))["community"] == "样例·梅山小区"
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区", "样例·梅山新村"]})
    result = asyncio.run(form.validate_community("梅三小区", dispatcher, tracker, domain))
    assert result["community"] is None
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]][:1] == ["样例·梅山小区"]


def test_an_estate_outside_the_directory_is_taken_as_written_for_a_12345_request(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区"]})
    answer = "叶集区史河街道民乐小区"
    tracker = make_tracker(events=[user_event(answer, "inform")], requested_slot="community")
    form = ValidateIncidentForm(gateway.client())
    result = asyncio.run(form.validate_community(answer, dispatcher, tracker, domain))
    assert result["community"] == answer
    assert "还没有接入社区网格" in dispatcher.messages[-1]["text"]
    # No place at all ("不知道") is still refused.
    unclear = asyncio.run(form.validate_community("不知道", dispatcher, tracker, domain))
    assert unclear["community"] is None


def test_an_estate_outside_the_directory_named_in_the_report_is_not_asked_again(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区"]})
    form = ValidateIncidentForm(gateway.client())
    text = "金安区梅山路幸福小区的电梯坏了一个星期了"
    tracker = make_tracker(events=[user_event(text, "report_incident")])
    found = asyncio.run(form.extract_community(dispatcher, tracker, domain))
    assert found == {"community": "金安区梅山路幸福小区"}
    validated = asyncio.run(form.validate_community(found["community"], dispatcher, tracker, domain))
    assert validated["community"] == "金安区梅山路幸福小区"
    assert "还没有接入社区网格" in dispatcher.messages[-1]["text"]
    # A likely typo of a listed name, or a report naming no estate, still gets the question.
    for said in ("梅三小区电梯坏了", "小区电梯坏了"):
        other = make_tracker(events=[user_event(said, "report_incident")])
        assert asyncio.run(form.extract_community(dispatcher, other, domain)) == {}, said


def test_a_correction_at_the_building_question_joins_the_report(gateway, dispatcher, make_tracker, domain):
    form = ValidateIncidentForm(gateway.client())
    said = "说错了 不是电梯 是楼道灯坏了"
    tracker = make_tracker(
        slots={"incident_description": "金安区梅山路幸福小区的电梯坏了一个星期了"},
        events=[user_event(said, "supplement_case")],
        requested_slot="incident_place",
    )
    result = form.validate_incident_place(said, dispatcher, tracker, domain)
    assert result == {
        "incident_description": f"金安区梅山路幸福小区的电梯坏了一个星期了\n{said}",
        "incident_place": None,
    }
    assert dispatcher.messages[-1]["text"] == "这段已补充到您反映的问题里。"
    # Anything else that is no building is still asked again.
    assert form.validate_incident_place("不知道", dispatcher, tracker, domain)["incident_place"] is None
    assert dispatcher.messages[-1]["text"] != "这段已补充到您反映的问题里。"


def test_a_name_kept_after_the_close_ones_were_shown_is_taken(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区"]})
    form = ValidateIncidentForm(gateway.client())
    once = make_tracker(events=[user_event("梅三小区", "inform")], requested_slot="community")
    assert asyncio.run(form.validate_community("梅三小区", dispatcher, once, domain))["community"] is None
    twice = make_tracker(
        events=[user_event("梅三小区", "inform"), user_event("梅三小区", "inform")], requested_slot="community"
    )
    assert asyncio.run(form.validate_community("梅三小区", dispatcher, twice, domain))["community"] == "梅三小区"


def test_a_report_from_an_estate_outside_the_directory_is_filed_as_a_complaint(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/communities")] = (200, {"communities": ["样例·梅山小区"]})
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2026120500003", department="市供电公司", category="城乡建设", place="叶集区史河街道民乐小区3栋"),
    )
    slots = {
        "incident_kind": "报修",
        "community": "叶集区史河街道民乐小区",
        "incident_place": "3栋",
        "incident_description": "停电了！！",
        "phone": "13812345678",
    }
    tracker = make_tracker(slots=slots, events=[user_event("13812345678", "inform")])
    events = asyncio.run(ActionSubmitIncident(gateway.client()).run(dispatcher, tracker, domain))
    sent = gateway.sent_json()
    assert gateway.requests[-1].url.path == "/api/complaints"
    assert sent["description"] == "停电了！！" and sent["place"] == "叶集区史河街道民乐小区3栋"
    assert sent["phone"] == "13812345678"
    assert "TS2026120500003" in dispatcher.messages[-1]["text"]
    assert SlotSet("last_case_number", "TS2026120500003") in events and SlotSet("community", None) in events


def test_the_place_question_takes_building_and_unit_or_no_building(dispatcher, make_tracker, domain):
    form, tracker = ValidateIncidentForm(), make_tracker(requested_slot="incident_place")
    assert form.validate_incident_place("三号楼", dispatcher, tracker, domain)["incident_place"] == "3栋"
    assert form.validate_incident_place("不在楼里", dispatcher, tracker, domain)["incident_place"] == "不在楼里"
    assert form.validate_incident_place("门口", dispatcher, tracker, domain)["incident_place"] is None
    # the hint says what was missing; the question asked again after it gives the example ("3栋2单元")
    assert dispatcher.messages[-1]["text"] == "没听出是几栋几单元。"


def test_a_kind_typed_as_a_description_fills_both(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("电梯门关不上", "inform")], requested_slot="incident_kind")
    result = ValidateIncidentForm().validate_incident_kind("电梯门关不上", dispatcher, tracker, domain)
    assert result["incident_kind"] == "报修" and result["incident_description"] == "电梯门关不上"
    unclear = ValidateIncidentForm().validate_incident_kind("嗯", dispatcher, tracker, domain)
    assert unclear["incident_kind"] is None and len(dispatcher.messages[-1]["buttons"]) == 5


def test_the_report_is_filed_with_place_keys_and_photo_and_the_receipt_gives_hours(
    gateway, dispatcher, make_tracker, domain
):
    deadline = (datetime.now(UTC) + timedelta(hours=4, minutes=1)).isoformat()
    gateway.routes[("POST", "/api/incidents")] = (201, receipt("SQ2026120400007", deadline=deadline))
    slots = {
        "incident_kind": "报修",
        "community": "样例·梅山小区",
        "incident_place": "3栋2单元",
        "incident_description": "我家3栋2单元楼道灯坏了",
        "phone": "13812345678",
        "photo_id": "p-123",
    }
    tracker = make_tracker(slots=slots, events=[user_event("13812345678", "inform", metadata={"channel": "wechat"})])
    events = asyncio.run(ActionSubmitIncident(gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.sent_json() == {
        "kind": "报修",
        "community": "样例·梅山小区",
        "building": "3",
        "unit": "2",
        "description": "我家3栋2单元楼道灯坏了",
        "phone": "13812345678",
        "photo_ids": ["p-123"],
        "sender": "resident-1",
        "channel": "wechat",
    }
    text = dispatcher.messages[0]["text"]
    assert "SQ2026120400007" in text and "4小时内" in text and "样例·梅山小区3栋2单元" in text and "查进度" in text
    assert SlotSet("last_case_number", "SQ2026120400007") in events and SlotSet("photo_id", None) in events


def test_an_unknown_building_is_explained_and_asked_again(gateway, dispatcher, make_tracker, domain):
    refusal = {"detail": "unknown_building", "message": "样例·梅山小区没有9栋，请核对楼栋。"}
    gateway.routes[("POST", "/api/incidents")] = (422, refusal)
    slots = {"incident_kind": "报修", "community": "样例·梅山小区", "incident_place": "9栋", "phone": "13812345678"}
    slots["incident_description"] = "楼道灯坏了"
    events = asyncio.run(ActionSubmitIncident(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert dispatcher.messages[0]["text"] == refusal["message"]
    assert events == [SlotSet("incident_place", None), FollowupAction("incident_form")]
    # The form starts again: the refused building is not read back from what the resident wrote.
    after = [user_event("9栋", "inform"), user_event("13812345678", "inform"), *events]
    place = asyncio.run(ValidateIncidentForm().extract_incident_place(dispatcher, make_tracker(events=after), domain))
    assert place == {}


def test_response_hours_are_counted_from_now():
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert response_hours("2026-12-04T12:00:00+00:00", now) == 4
    assert response_hours("2026-12-04T20:00:00+08:00", now) == 4
    assert response_hours(None, now) is None


def test_a_photo_is_acknowledged_in_and_outside_the_report(dispatcher, make_tracker, domain):
    asyncio.run(ActionKeepPhoto().run(dispatcher, make_tracker(active_loop="incident_form"), domain))
    asyncio.run(ActionKeepPhoto().run(dispatcher, make_tracker(), domain))
    assert "一起提交" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[1]["buttons"][0]["payload"] == "/report_incident"
