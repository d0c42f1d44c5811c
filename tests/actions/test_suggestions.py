import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import SlotSet

from actions.suggestion import (
    ActionAskConsultation,
    ActionLikeSuggestion,
    ActionListSuggestions,
    ActionSubmitSuggestion,
    ValidateSuggestForm,
)
from tests.actions.conftest import receipt, slot_event, user_event

CONSULTATIONS = [
    {"id": 1, "title": "老城区停车难治理", "summary": "征集停车治理意见", "status": "open", "closes_on": "2024-07-01"},
    {"id": 2, "title": "公交线路优化", "summary": "", "status": "open", "closes_on": None},
]
DOMAIN_SLOTS = ["consultation", "suggestion_topic", "suggestion_content", "suggestion_phone"]


def test_consultations_are_offered_as_buttons_plus_a_free_topic(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/consultations")] = (200, CONSULTATIONS)
    asyncio.run(ActionAskConsultation(gateway.client()).run(dispatcher, make_tracker(), domain))
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["老城区停车难治理", "公交线路优化", "其他话题"]
    assert buttons[0]["payload"] == '/inform{"consultation": "1"}'


def test_topic_is_asked_only_for_a_free_topic(dispatcher, make_tracker, domain):
    action = ValidateSuggestForm()
    picked = asyncio.run(
        action.required_slots(DOMAIN_SLOTS, dispatcher, make_tracker(slots={"consultation": "1"}), domain)
    )
    free = asyncio.run(
        action.required_slots(DOMAIN_SLOTS, dispatcher, make_tracker(slots={"consultation": "other"}), domain)
    )
    assert "suggestion_topic" not in picked
    assert free == DOMAIN_SLOTS


def test_typed_title_picks_the_consultation_and_other_text_becomes_the_topic(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/consultations")] = (200, CONSULTATIONS)
    action = ValidateSuggestForm(gateway.client())
    picked = asyncio.run(action.validate_consultation("公交线路优化", dispatcher, make_tracker(), domain))
    free = asyncio.run(action.validate_consultation("菜市场卫生", dispatcher, make_tracker(), domain))
    assert picked["consultation"] == "2"
    assert free["consultation"] == "other" and free["suggestion_topic"] == "菜市场卫生"


def test_suggestion_phone_is_optional(dispatcher, make_tracker, domain):
    action, tracker = ValidateSuggestForm(), make_tracker()
    assert action.validate_suggestion_phone("不留", dispatcher, tracker, domain)["suggestion_phone"] == "不留"
    assert action.validate_suggestion_phone("跳过吧", dispatcher, tracker, domain)["suggestion_phone"] == "不留"
    assert (
        action.validate_suggestion_phone("13812345678", dispatcher, tracker, domain)["suggestion_phone"]
        == "13812345678"
    )
    assert action.validate_suggestion_phone("1381234", dispatcher, tracker, domain)["suggestion_phone"] is None


def test_bare_suggestion_trigger_is_not_content(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("我想提个建议", "give_suggestion")])
    result = ValidateSuggestForm().validate_suggestion_content("我想提个建议", dispatcher, tracker, domain)
    assert result == {"suggestion_content": None} and dispatcher.messages == []


def test_suggestion_is_filed_without_the_no_phone_marker(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/suggestions")] = (201, receipt("JY2024060100005"))
    slots = {"consultation": "1", "suggestion_content": "学校门口增设临时停车位", "suggestion_phone": "不留"}
    events = [user_event("不留", "deny", metadata={"channel": "wechat"})]
    tracker = make_tracker(slots=slots, events=events)
    events = asyncio.run(ActionSubmitSuggestion(gateway.client()).run(dispatcher, tracker, domain))
    # The case keeps the channel the resident wrote from, as complaints and applications do.
    assert gateway.sent_json() == {
        "content": "学校门口增设临时停车位",
        "sender": "resident-1",
        "channel": "wechat",
        "consultation_id": "1",
    }
    assert "JY2024060100005" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == '/list_suggestions{"consultation": "1"}'
    assert SlotSet("last_case_number", "JY2024060100005") in events


def test_top_suggestions_listed_with_like_buttons(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/consultations")] = (200, CONSULTATIONS)
    gateway.routes[("GET", "/api/consultations/2/suggestions/top")] = (
        200,
        [{"number": "JY2024060100001", "content": "增加夜班公交", "likes": 12}],
    )
    entities = [{"entity": "consultation", "value": "2"}]
    asyncio.run(ActionListSuggestions(gateway.client()).run(dispatcher, make_tracker(entities=entities), domain))
    message = dispatcher.messages[0]
    assert "「公交线路优化」" in message["text"] and "增加夜班公交（12个赞" in message["text"]
    assert message["buttons"][0]["payload"] == '/like_suggestion{"case_number": "JY2024060100001"}'


def test_like_twice_is_refused_politely(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/suggestions/JY2024060100001/likes")] = (
        409,
        {"detail": "already_liked", "message": "已点赞"},
    )
    entities = [{"entity": "case_number", "value": "jy2024060100001"}]
    events = asyncio.run(
        ActionLikeSuggestion(gateway.client()).run(dispatcher, make_tracker(entities=entities), domain)
    )
    assert "点过赞" in dispatcher.messages[0]["text"]
    assert events == [SlotSet("case_number", None)]


def test_without_a_choice_the_list_is_for_the_consultation_just_suggested_on(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/consultations")] = (200, CONSULTATIONS)
    gateway.routes[("GET", "/api/consultations/2/suggestions/top")] = (200, [])
    events = [
        slot_event("consultation", "2"),
        slot_event("consultation", None),
    ]
    asyncio.run(ActionListSuggestions(gateway.client()).run(dispatcher, make_tracker(events=events), domain))
    assert dispatcher.messages[0]["text"] == "「公交线路优化」还没有人提建议，欢迎您来提第一条！"
