"""The complaint form's place question (asked only when the router says the category needs one and the text
names none) and "部门不对" (actions/rerouting.py), against a fake gateway."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from actions.complaint import NO_PLACE, ActionSubmitComplaint, ValidateComplaintForm
from actions.rerouting import ActionChangeDepartment
from tests.actions.conftest import knowledge, receipt, slot_event, user_event

LAMP = "我要投诉，小区门口的路灯坏了一个多月了，没人修"
DOMAIN_SLOTS = ["complaint_description", "complaint_place", "phone"]


def advice(needs_place: bool, place: str | None = None) -> dict:
    return {"category": "城乡建设", "subcategory": "市政设施", "department": "市城市管理局", "confidence": 0.93,
            "alternatives": [], "place": place, "needs_place": needs_place}  # fmt: skip


def describe(gateway, dispatcher, make_tracker, domain, answer: dict) -> dict:
    gateway.routes[("POST", "/api/routing")] = (200, answer)
    tracker = make_tracker(events=[user_event(LAMP, "submit_complaint")])
    form = ValidateComplaintForm(gateway.client())
    return asyncio.run(form.validate_complaint_description(LAMP, dispatcher, tracker, domain))


def test_a_request_without_a_needed_place_asks_for_it(gateway, dispatcher, make_tracker, domain):
    result = describe(gateway, dispatcher, make_tracker, domain, advice(needs_place=True))
    assert result["complaint_description"] == LAMP
    assert result["place_needed"] is True and result["complaint_place"] is None
    assert gateway.requests[-1].headers["X-Service-Token"] == "test-token"
    # the conversation's sender: a repeat report gets the place of the resident's earlier case
    assert gateway.sent_json() == {"text": LAMP, "sender": "resident-1"}
    form = ValidateComplaintForm(gateway.client())
    asked = asyncio.run(form.required_slots(DOMAIN_SLOTS, dispatcher, make_tracker(slots=result), domain))
    assert asked == DOMAIN_SLOTS


def test_a_place_in_the_text_is_not_asked_again(gateway, dispatcher, make_tracker, domain):
    result = describe(gateway, dispatcher, make_tracker, domain, advice(False, "金安区三里桥街道 梅山路"))
    assert result["place_needed"] is False and result["complaint_place"] == "金安区三里桥街道 梅山路"
    form = ValidateComplaintForm(gateway.client())
    asked = asyncio.run(form.required_slots(DOMAIN_SLOTS, dispatcher, make_tracker(slots=result), domain))
    assert asked == ["complaint_description", "phone"]


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("就在菜市场东门口", "就在菜市场东门口"),
        ("3号楼", "3号楼"),
        (NO_PLACE, NO_PLACE),
        # Only the words that introduce it are left out.
        ("不对 地方是金寨县梅山镇汤家汇村", "金寨县梅山镇汤家汇村"),
        ("地点在叶集区史河街道", "叶集区史河街道"),
    ],
)
def test_any_place_as_written_is_taken(answer, kept, gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(answer, "inform")], active_loop="complaint_form")
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(answer, dispatcher, tracker, domain)
    assert result["complaint_place"] == kept and dispatcher.messages == []


@pytest.mark.parametrize("answer", ["好的", "可以的"])
def test_an_acknowledgement_is_no_place(answer, gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(answer, "affirm")], active_loop="complaint_form")
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(answer, dispatcher, tracker, domain)
    # No place, but no wrong answer either: the question is simply asked again (actions/questions.py words it
    # "麻烦您再回答一下"), and no try is counted.
    assert result == {"complaint_place": None} and dispatcher.messages == []


def test_an_answer_that_is_no_place_is_asked_again(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("嗯", "inform")], active_loop="complaint_form")
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place("嗯", dispatcher, tracker, domain)
    assert result["complaint_place"] is None and dispatcher.messages


def test_more_of_the_letter_instead_of_a_place_joins_the_description(gateway, dispatcher, make_tracker, domain):
    more = (
        "另外，这条路上的井盖也丢了好几个，晚上经过的老人孩子很危险，希望有关部门尽快处理，位置在裕安区西市街道人民路"
    )
    events = [
        {"event": "slot", "name": "complaint_description", "value": LAMP},
        user_event(more, "submit_complaint"),
    ]
    tracker = make_tracker(events=events, slots={"complaint_description": LAMP}, active_loop="complaint_form")
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(more, dispatcher, tracker, domain)
    assert result["complaint_description"] == f"{LAMP}\n{more}"
    assert result["complaint_place"] == "裕安区西市街道 人民路"
    assert "补充" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("answer", "place", "joins"),
    [
        ("就在梅山路和人民路交叉口 晚上黑乎乎的 好几天了 老人走路都摔了", "梅山路与人民路交叉口", True),
        ("我家门口那条路 叫梅山路 靠近六安一中的那一段", "我家门口那条路 叫梅山路 靠近六安一中的那一段", False),
    ],
)
def test_a_place_told_with_more_of_the_matter_joins_the_description(
    answer, place, joins, gateway, dispatcher, make_tracker, domain
):
    events = [{"event": "slot", "name": "complaint_description", "value": "路灯坏了"}, user_event(answer, "inform")]
    tracker = make_tracker(events=events, slots={"complaint_description": "路灯坏了"}, active_loop="complaint_form")
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(answer, dispatcher, tracker, domain)
    assert result["complaint_place"] == place
    assert (result.get("complaint_description") == f"路灯坏了\n{answer}") is joins


def test_the_place_is_filed_and_restated(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2024060100011", deadline="2024-06-05T17:00:00+08:00", department="市城市管理局",
                category="城乡建设", place="就在菜市场东门口"),
    )  # fmt: skip
    slots = {"complaint_description": LAMP, "complaint_place": "就在菜市场东门口", "phone": "13812345678"}
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert gateway.sent_json()["place"] == "就在菜市场东门口"
    message = dispatcher.messages[0]
    assert "（地点：就在菜市场东门口）" in message["text"]
    assert "部门不对" in [b["title"] for b in message["buttons"]]
    gateway.routes[("POST", "/api/complaints")] = (201, receipt("TS2024060100012"))
    slots["complaint_place"] = NO_PLACE
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert "place" not in gateway.sent_json()


CHOICES = {"number": "TS2024060100011", "category": "劳动和社会保障", "department": "市人力资源和社会保障局",
           "choices": [{"category": "经济管理", "subcategory": None, "department": "市市场监督管理局"},
                       {"category": "政法", "subcategory": None, "department": "市司法局"}]}  # fmt: skip
PATH = "/api/cases/TS2024060100011/departments"


def change(gateway, dispatcher, make_tracker, domain, entities=None):
    tracker = make_tracker(slots={"last_case_number": "TS2024060100011"}, entities=entities or [])
    return asyncio.run(ActionChangeDepartment(gateway.client()).run(dispatcher, tracker, domain))


def test_wrong_department_offers_the_routers_other_departments(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", PATH)] = (200, CHOICES)
    change(gateway, dispatcher, make_tracker, domain)
    message = dispatcher.messages[0]
    assert "市人力资源和社会保障局" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["市市场监督管理局（经济管理）", "市司法局（政法）"]
    assert message["buttons"][1]["payload"] == '/change_department{"department": "市司法局"}'


def test_a_department_picked_among_them_moves_the_request(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", PATH)] = (200, CHOICES)
    gateway.routes[("POST", "/api/cases/TS2024060100011/department")] = (
        200, receipt("TS2024060100011", department="市司法局", category="政法"),
    )  # fmt: skip
    change(gateway, dispatcher, make_tracker, domain, [{"entity": "department", "value": "市司法局"}])
    assert gateway.sent_json()["department"] == "市司法局"
    assert "已改为按“政法”类转交市司法局" in dispatcher.messages[0]["text"]


def test_a_request_already_in_progress_cannot_be_moved(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", PATH)] = (409, {"detail": "already_in_progress", "message": "已受理"})
    change(gateway, dispatcher, make_tracker, domain)
    assert "不能再更改承办部门" in dispatcher.messages[0]["text"]


def test_without_a_request_there_is_nothing_to_move(gateway, dispatcher, make_tracker, domain):
    asyncio.run(ActionChangeDepartment(gateway.client()).run(dispatcher, make_tracker(), domain))
    assert "还没有在这里提交诉求" in dispatcher.messages[0]["text"] and gateway.requests == []


def test_no_case_number_offers_to_register_what_was_asked(dispatcher, make_tracker, domain):
    from actions.status import ValidateStatusForm

    asked = "生育津贴休完产假三个月了还没到账"
    events = [user_event(asked, "check_status"), user_event("我没有编号", "inform")]
    tracker = make_tracker(events=events, active_loop="status_form")
    result = ValidateStatusForm().validate_case_number("我没有编号", dispatcher, tracker, domain)
    assert result == {"case_number": None, "offered_request": asked}
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["登记诉求", "转人工客服"]


def test_an_answer_that_is_no_number_is_asked_again(dispatcher, make_tracker, domain):
    from actions.status import ValidateStatusForm

    tracker = make_tracker(events=[user_event("查进度", "check_status"), user_event("嗯嗯", "inform")])
    result = ValidateStatusForm().validate_case_number("嗯嗯", dispatcher, tracker, domain)
    assert result["case_number"] is None and "offered_request" not in result
    assert "编号" in dispatcher.messages[0]["text"]


def test_a_phone_given_instead_of_the_place_files_without_a_place(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("13812345678", "inform")], active_loop="complaint_form")
    form = ValidateComplaintForm(gateway.client())
    result = form.validate_complaint_place("13812345678", dispatcher, tracker, domain)
    assert result["complaint_place"] == NO_PLACE and result["phone"] == "13812345678"


def test_a_landline_is_read_whole_whatever_pieces_the_nlu_tagged(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"complaint_description": "窗口工作人员态度很差，还骂人"},
        events=[user_event("0564-3372301", "inform")],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    form = ValidateComplaintForm(gateway.client())
    result = form.validate_phone("0564", dispatcher, tracker, domain)  # the first of the entities "0564", "3372301"
    assert result["phone"] == "0564-3372301" and dispatcher.messages == []


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("不对 是叶集区 不是霍邱", "叶集区"),
        ("地址说错了，应该是金安区三里桥街道梅山路", "金安区三里桥街道 梅山路"),
        ("金安区三里桥街道梅山路", "金安区三里桥街道 梅山路"),  # only a place: made precise
        ("不对，不是东湖路，是人民路", "人民路"),  # the place it gives, not the one it takes back
        ("不是在东湖路 是九墩塘", "九墩塘"),  # one the gazetteer does not know: as written
    ],
)
def test_a_corrected_place_said_at_the_phone_question_changes_the_place(
    said, place, gateway, dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        slots={"complaint_description": "下水道堵了 污水漫到路上", "complaint_place": "霍邱县城关镇 东湖路"},
        events=[user_event(said, "inform")],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = ValidateComplaintForm(gateway.client()).validate_phone(said, dispatcher, tracker, domain)
    assert result == {"complaint_place": place, "phone": None}  # the description keeps what happened
    assert dispatcher.messages[0]["text"] == f"好的，地点改为：{place}。"


@pytest.mark.parametrize(
    ("kept", "said", "place"),
    [
        ("鼓楼广场", "裕安区西市街道", "裕安区西市街道 鼓楼广场"),  # the district of a landmark
        ("金安区三里桥街道", "梅山路", "金安区三里桥街道 梅山路"),  # the road in a street
        ("菜市场东门那块", "金安区", "金安区 菜市场东门那块"),  # kept as written: the district goes before it
        ("金安区菜市场东门那块", "金安区", "金安区菜市场东门那块"),  # says its district already
    ],
)
def test_a_place_said_at_the_phone_question_fills_in_the_place_kept(
    kept, said, place, gateway, dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        slots={"complaint_description": "路灯坏了一个多月 晚上黑乎乎的", "complaint_place": kept},
        events=[user_event(said, "inform")],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = ValidateComplaintForm(gateway.client()).validate_phone(said, dispatcher, tracker, domain)
    assert result == {"complaint_place": place, "phone": None}
    assert dispatcher.messages[0]["text"] == f"好的，地点记下了：{place}。"


def test_a_place_said_at_the_phone_question_without_one_before_is_the_place(gateway, dispatcher, make_tracker, domain):
    said = "霍山县佛子岭镇黄巢寺村"
    tracker = make_tracker(
        slots={"complaint_description": "我们村那个桥去年发大水冲坏了 到现在还没修 孩子上学要绕好远"},
        events=[user_event(said, "inform")],
        active_loop="complaint_form",
        requested_slot="phone",
    )
    result = ValidateComplaintForm(gateway.client()).validate_phone(said, dispatcher, tracker, domain)
    assert result["phone"] is None and result["complaint_place"].startswith("霍山县佛子岭镇")
    assert "complaint_description" not in result  # no more of the matter: "这段已补充" would be wrong
    assert dispatcher.messages[0]["text"].startswith("好的，地点记下了：霍山县佛子岭镇")


def test_a_correction_of_the_matter_at_the_place_question_joins_the_description(
    gateway, dispatcher, make_tracker, domain
):
    said = "等等 我说错了 是隔壁那家烧烤店"
    told = "楼下饭店油烟太大 熏得家里没法开窗"
    tracker = make_tracker(
        slots={"complaint_description": told},
        events=[slot_event("complaint_description", told), user_event(said, "inform")],
        active_loop="complaint_form",
        requested_slot="complaint_place",
    )
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(said, dispatcher, tracker, domain)
    assert result["complaint_description"] == f"{told}\n{said}"
    assert result["complaint_place"] is None  # asked again: where it is was not said


@pytest.mark.parametrize("question", ["complaint_place", "phone"])
def test_a_correction_of_the_matter_naming_a_landmark_joins_the_description(
    question, gateway, dispatcher, make_tracker, domain
):
    """ "不是公厕 是边上的垃圾站": 垃圾站 is a landmark the gazetteer knows, but the correction takes back the matter
    (公厕, said in the description), not the place kept (鼓楼广场)."""
    said = "等等 不是公厕 是边上的垃圾站 臭死了"
    told = "鼓楼广场边上的公厕一直锁着"
    kept = {"complaint_place": "鼓楼广场"} if question == "phone" else {}
    tracker = make_tracker(
        slots={"complaint_description": told, **kept},
        events=[slot_event("complaint_description", told), user_event(said, "inform")],
        active_loop="complaint_form",
        requested_slot=question,
    )
    form = ValidateComplaintForm(gateway.client())
    validate = form.validate_phone if question == "phone" else form.validate_complaint_place
    result = validate(said, dispatcher, tracker, domain)
    assert result["complaint_description"] == f"{told}\n{said}"
    assert result.get("complaint_place") is None  # kept at the phone question, asked again at the place question
    assert dispatcher.messages[0]["text"] == "这段已补充到您反映的问题里。"


def test_no_phone_said_to_the_place_question_keeps_a_phone_given_before(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"phone": "13812345678"}, events=[user_event("不留", "deny")], active_loop="complaint_form"
    )
    form = ValidateComplaintForm(gateway.client())
    result = form.validate_complaint_place("不留", dispatcher, tracker, domain)
    assert result["complaint_place"] == NO_PLACE and result["phone"] == "13812345678"


def test_an_entity_in_the_answer_to_another_question_keeps_the_field(dispatcher, make_tracker, domain):
    """ "12345678" answering the phone question, read by the NLU as an ID number: the ID number given before stays."""
    from actions.apply import ValidateApplyForm

    events = [
        {"event": "slot", "name": "id_number", "value": "11010519491231002X"},
        user_event("12345678", "inform"),
    ]
    slots = {"id_number": "12345678"}
    tracker = make_tracker(events=events, slots=slots, active_loop="apply_form", requested_slot="phone")
    result = ValidateApplyForm().validate_id_number("12345678", dispatcher, tracker, domain)
    assert result == {"id_number": "11010519491231002X"} and dispatcher.messages == []


def test_a_letter_gets_the_guide_and_the_offer_to_register_it(dispatcher, make_tracker, domain):
    from actions.answer import ActionAnswerService
    from tests.actions.conftest import knowledge

    letter = "尊敬的市长：您好！我今年六月被公司解除劳动合同，在网上申请失业保险金，系统一直提示材料不全，请问怎么办？"
    found = knowledge(True, ("失业保险金申领", 0.8))
    tracker = make_tracker(events=[user_event(letter, "ask_service", found)])
    events = asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    guide, offer = dispatcher.messages
    assert "失业保险金申领的办理指南" in guide["text"]
    assert [b["title"] for b in offer["buttons"]] == ["登记诉求", "转人工客服"]
    assert {"event": "slot", "name": "offered_request", "value": letter, "timestamp": None} in events


def test_a_chat_question_gets_the_guide_only(dispatcher, make_tracker, domain):
    from actions.answer import ActionAnswerService
    from tests.actions.conftest import knowledge

    found = knowledge(True, ("失业保险金申领", 0.8))
    tracker = make_tracker(events=[user_event("失业金怎么申请", "ask_service", found)])
    asyncio.run(ActionAnswerService().run(dispatcher, tracker, domain))
    assert len(dispatcher.messages) == 1


def answered_after_a_repeat_report(chase, slot, answer, gateway, dispatcher, make_tracker, domain):
    """The complaint form's validation of ``answer`` to the question for ``slot``, the description ``chase``."""
    tracker = make_tracker(
        slots={"complaint_description": chase},
        events=[{"event": "slot", "name": "complaint_description", "value": chase}, user_event(answer, "inform")],
        active_loop="complaint_form",
        requested_slot=slot,
    )
    return getattr(ValidateComplaintForm(gateway.client()), f"validate_{slot}")(answer, dispatcher, tracker, domain)


@pytest.mark.parametrize(
    ("slot", "answer"), [("complaint_place", "TS2026120500001"), ("phone", "上次的编号是 ts2026 1205 00001")]
)
def test_the_earlier_cases_number_goes_with_the_matter(slot, answer, gateway, dispatcher, make_tracker, domain):
    # "上个月反映的路灯怎么还没修": the number given at the next question is neither a place nor a phone.
    chase = "我上个月反映的路灯问题怎么还没人来修"
    result = answered_after_a_repeat_report(chase, slot, answer, gateway, dispatcher, make_tracker, domain)
    assert result == {"complaint_description": f"{chase}\n上次的办件编号：TS2026120500001", slot: None}
    assert "已记下您上次的办件编号TS2026120500001" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize("slot", ["complaint_place", "phone"])
@pytest.mark.parametrize("answer", ["我没有编号", "编号忘了", "不记得上次的单号了"])
def test_no_earlier_number_at_hand_is_neither_a_place_nor_a_phone(
    slot, answer, gateway, dispatcher, make_tracker, domain
):
    chase = "我上周投诉了小区噪音 到现在还在吵"
    result = answered_after_a_repeat_report(chase, slot, answer, gateway, dispatcher, make_tracker, domain)
    assert result == {slot: None}  # asked again
    assert dispatcher.messages[0]["text"] == "没有上次的编号也没关系，这次的反映照常受理。"


def test_a_question_asked_instead_of_the_place_is_answered_and_the_place_asked_again(
    gateway, dispatcher, make_tracker, domain
):
    question = "对了 社保卡丢了怎么补办"
    found = knowledge(True, ("社会保障卡挂失补换", 0.8))
    tracker = make_tracker(
        events=[user_event(question, "ask_service", found)],
        active_loop="complaint_form",
        requested_slot="complaint_place",
    )
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(question, dispatcher, tracker, domain)
    assert result == {"complaint_place": None, "answered_service": "社会保障卡挂失补换"}
    assert dispatcher.messages[0]["text"].startswith("社会保障卡挂失补换的办理指南")
    # A place read as a question is still a place.
    place = "社保局门口那条路 金安区梅山路"
    tracker = make_tracker(
        events=[user_event(place, "ask_service", found)], active_loop="complaint_form", requested_slot="complaint_place"
    )
    result = ValidateComplaintForm(gateway.client()).validate_complaint_place(place, dispatcher, tracker, domain)
    assert result["complaint_place"] == place
