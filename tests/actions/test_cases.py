"""Complaint, status check and rating."""

import asyncio

import pytest

pytest.importorskip("rasa_sdk", reason="actions run in the Rasa environment (.venv-rasa)")

from rasa_sdk.events import ActionExecutionRejected, FollowupAction, SlotSet

from actions.complaint import ActionSubmitComplaint, ValidateComplaintForm, summary_of
from actions.rating import ActionSubmitRating, ValidateRateForm
from actions.status import ActionCheckStatus, ValidateStatusForm
from tests.actions.conftest import receipt, slot_event, status_answer, user_event


@pytest.mark.parametrize("active_loop", [None, "complaint_form"])  # Rasa validates twice on activation
@pytest.mark.parametrize("said", ["我要投诉", "wo yao tousu"])
def test_bare_complaint_trigger_is_not_a_description_and_is_not_scolded(
    said, active_loop, gateway, dispatcher, make_tracker, domain
):
    tracker = make_tracker(events=[user_event(said, "submit_complaint")], active_loop=active_loop)
    form = ValidateComplaintForm(gateway.client())
    result = asyncio.run(form.validate_complaint_description(said, dispatcher, tracker, domain))
    assert result == {"complaint_description": None}
    assert dispatcher.messages == []


def test_complaint_that_already_says_what_happened_is_kept(gateway, dispatcher, make_tracker, domain):
    text = "我要投诉，社保窗口排队三个小时没人管"
    tracker = make_tracker(events=[user_event(text, "submit_complaint")])
    form = ValidateComplaintForm(gateway.client())
    result = asyncio.run(form.validate_complaint_description(text, dispatcher, tracker, domain))
    assert result["complaint_description"] == text
    assert "place_needed" not in result  # the router did not answer: filed without asking for a place


def test_too_short_description_inside_the_form_is_reprompted(gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("太慢", "inform")], active_loop="complaint_form")
    form = ValidateComplaintForm(gateway.client())
    result = asyncio.run(form.validate_complaint_description("太慢", dispatcher, tracker, domain))
    assert result["complaint_description"] is None
    assert "具体" in dispatcher.messages[0]["text"]


def test_a_short_description_said_again_when_asked_again_is_taken(gateway, dispatcher, make_tracker, domain):
    form = ValidateComplaintForm(gateway.client())
    once = make_tracker(events=[user_event("楼上蹦迪", "submit_complaint")], active_loop="complaint_form")
    assert asyncio.run(form.validate_complaint_description("楼上蹦迪", dispatcher, once, domain)) == {
        "complaint_description": None
    }
    said = [user_event("楼上蹦迪", "submit_complaint"), user_event("楼上蹦迪", "submit_complaint")]
    twice = make_tracker(events=said, active_loop="complaint_form")
    result = asyncio.run(form.validate_complaint_description("楼上蹦迪", dispatcher, twice, domain))
    assert result["complaint_description"] == "楼上蹦迪"  # all there is to say: no third time the same question


@pytest.mark.parametrize("said", ["路灯坏了", "我要投诉 停水三天了", "井盖丢了"])
def test_a_problem_stated_in_a_few_characters_is_a_description(said, gateway, dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event(said, "submit_complaint")])
    form = ValidateComplaintForm(gateway.client())
    result = asyncio.run(form.validate_complaint_description(said, dispatcher, tracker, domain))
    assert result["complaint_description"] == said  # kept, not asked again and replaced by the next answer
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "intent", "leaves"),
    [
        ("算了 我改成提个建议吧 希望小区多装几个充电桩", "give_suggestion", True),
        ("不投诉了，我想表扬一下物业的王师傅", "praise", True),
        # a description the classifier reads as a suggestion is still the complaint's description
        ("建议你们管管这个物业，楼道三个月没打扫了", "give_suggestion", False),
        ("算了，不说了，物业就是不管楼道的卫生", "submit_complaint", False),
    ],
)
def test_an_answer_that_changes_the_kind_of_request_leaves_the_form(
    text, intent, leaves, gateway, dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        events=[user_event(text, intent)], active_loop="complaint_form", requested_slot="complaint_description"
    )
    events = asyncio.run(ValidateComplaintForm(gateway.client()).run(dispatcher, tracker, domain))
    assert (ActionExecutionRejected("complaint_form") in events) is leaves


def test_complaint_is_filed_with_optional_service_and_deadline(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2024060100009", deadline="2024-06-05T17:00:00+08:00", department="市人力资源和社会保障局"),
    )
    slots = {"complaint_description": "社保窗口排队三个小时", "phone": "13812345678", "service": "社会保障卡申领"}
    events = asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    sent = gateway.sent_json()
    assert sent["service"] == "社会保障卡申领" and "department" not in sent
    text = dispatcher.messages[0]["text"]
    assert "TS2024060100009" in text and "2024年6月5日" in text and "市人力资源和社会保障局" in text
    assert SlotSet("complaint_description", None) in events and SlotSet("phone", None) in events


def test_complaint_sends_the_service_asked_about_before(gateway, dispatcher, make_tracker, domain):
    # The gateway decides whether it matters (only for a complaint about how a service was delivered).
    gateway.routes[("POST", "/api/complaints")] = (201, receipt("TS2024060100010"))
    slots = {"complaint_description": "上次去补卡窗口态度很差", "phone": "13812345678"}
    slots["answered_service"] = "社会保障卡挂失补换"
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    sent = gateway.sent_json()
    assert sent["asked_service"] == "社会保障卡挂失补换" and "service" not in sent


def test_complaint_gateway_timeout_is_an_apology_and_keeps_the_slots(gateway, dispatcher, make_tracker, domain):
    slots = {"complaint_description": "社保窗口排队三个小时", "phone": "13812345678"}
    events = asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert events == [] and "没有提交成功" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la2024060100001", "LA2024060100001"),
        ("编号 TS 2024060100009", "TS2024060100009"),
        ("XX2024060100001", None),
        ("LA123", None),
    ],
)
def test_case_number_validation(text, expected, dispatcher, make_tracker, domain):
    assert (
        ValidateStatusForm().validate_case_number(text, dispatcher, make_tracker(), domain)["case_number"] == expected
    )


def test_phone_last4_validation(dispatcher, make_tracker, domain):
    action, tracker = ValidateStatusForm(), make_tracker()
    assert action.validate_phone_last4("尾号5678", dispatcher, tracker, domain)["phone_last4"] == "5678"
    assert action.validate_phone_last4("567", dispatcher, tracker, domain)["phone_last4"] is None


def test_status_found(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (
        200,
        status_answer("TS2024060100009", "processing", department="市医疗保障局", deadline="2024-06-05T17:00:00+08:00"),
    )
    slots = {"case_number": "TS2024060100009", "phone_last4": "5678"}
    asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert gateway.requests[0].url.params["phone_last4"] == "5678"
    assert dispatcher.messages[0]["text"] == (
        "投诉 TS2024060100009 当前状态：处理中。承办部门：市医疗保障局。办理时限：2024年6月5日。"
    )


def test_after_the_status_the_paused_form_goes_on(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (200, status_answer("TS2024060100009", "processing"))
    slots = {"case_number": "TS2024060100009", "phone_last4": "5678", "paused_form": "complaint_form"}
    events = asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert dispatcher.messages[-1]["text"] == "我们接着办刚才的投诉。"
    assert events[-2:] == [SlotSet("paused_form", None), FollowupAction("complaint_form")]
    assert SlotSet("case_number", None) in events


def test_a_closed_case_shows_the_gateway_text_and_no_deadline(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (
        200,
        status_answer("TS2024060100009", "resolved", deadline="2024-06-05T17:00:00+08:00"),
    )
    slots = {"case_number": "TS2024060100009", "phone_last4": "5678"}
    asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert dispatcher.messages[0]["text"] == "投诉 TS2024060100009 当前状态：已办结。"


def test_a_status_answer_of_another_shape_is_an_apology(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (200, {"number": "TS2024060100009", "status": "x"})
    slots = {"case_number": "TS2024060100009", "phone_last4": "5678"}
    asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert "暂时没有响应" in dispatcher.messages[0]["text"]


def test_status_mismatch_asks_again_keeping_the_number_without_saying_which_part_was_wrong(
    gateway, dispatcher, make_tracker, domain
):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (404, {"detail": "not_found", "message": "未找到"})
    slots = {"case_number": "TS2024060100009", "phone_last4": "0000"}
    events = asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert "没有查到" in dispatcher.messages[0]["text"] and "可能是哪里输错了" in dispatcher.messages[0]["text"]
    assert events == [SlotSet("phone_last4", None), SlotSet("status_tries", 1), FollowupAction("status_form")]


def test_the_third_mismatch_ends_the_check_and_offers_a_person(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("GET", "/api/status/TS2024060100009")] = (404, {"detail": "not_found", "message": "未找到"})
    slots = {"case_number": "TS2024060100009", "phone_last4": "0000", "status_tries": 2}
    events = asyncio.run(ActionCheckStatus(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert "核对编号和手机号后四位" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"
    assert SlotSet("case_number", None) in events and SlotSet("status_tries", None) in events


def test_a_new_number_at_the_digits_step_is_not_an_error(dispatcher, make_tracker, domain):
    result = ValidateStatusForm().validate_phone_last4("TS2024060100010", dispatcher, make_tracker(), domain)
    assert result == {"phone_last4": None} and dispatcher.messages == []


def test_no_comment_is_recorded_as_none(dispatcher, make_tracker, domain):
    result = ValidateRateForm().validate_rating_comment("没有。", dispatcher, make_tracker(), domain)
    assert result["rating_comment"] == "无"


def test_a_stars_mention_that_is_no_rating_in_the_comment_keeps_the_stars_given(dispatcher, make_tracker, domain):
    events = [
        user_event("5星", "rate_service"),
        slot_event("stars", "5"),
        user_event("办得挺快的", "rate_service"),
        slot_event("stars", "挺快"),  # what DIET read as a stars entity
    ]
    tracker = make_tracker(events=events, active_loop="rate_form", requested_slot="rating_comment")
    assert ValidateRateForm().validate_stars("挺快", dispatcher, tracker, domain) == {"stars": "5"}
    assert dispatcher.messages == []
    # while the stars are asked, the same answer gets the question again
    asking = make_tracker(events=events[:1], active_loop="rate_form", requested_slot="stars")
    assert ValidateRateForm().validate_stars("挺快", dispatcher, asking, domain)["stars"] is None
    assert "1到5星" in dispatcher.messages[0]["text"]


def test_rating_refers_to_the_last_case_and_low_stars_offer_a_human(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/evaluations")] = (201, {"id": 1})
    slots = {"stars": "2", "rating_comment": "无", "last_case_number": "LA2024060100042"}
    asyncio.run(ActionSubmitRating(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    assert gateway.sent_json() == {"stars": 2, "sender": "resident-1", "case_number": "LA2024060100042"}
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"


def test_a_number_typed_with_spaces_in_the_request_is_taken(dispatcher, make_tracker, domain):
    tracker = make_tracker(events=[user_event("查下 ts 2026 0101 00001", "check_status")])
    found = asyncio.run(ValidateStatusForm().extract_case_number(dispatcher, tracker, domain))
    assert found == {"case_number": "TS2026010100001"}


@pytest.mark.parametrize(
    ("description", "summary"),
    [
        (
            "尊敬的市长：您好！我是金安区某小区居民，小区旁边的工地每天晚上施工。噪音很大",
            "小区旁边的工地每天晚上施工。噪音很大",  # the writer's introduction leaves the sentence, the matter stays
        ),
        (
            "尊敬的领导：我是裕安区西市街道的居民，我们小区门口的下水道堵了快两周了，一下雨污水就漫到路上。",
            "我们小区门口的下水道堵了快两周了，一下雨污水就漫到路上",
        ),
        ("本人系退休职工，今年70岁，养老金调整后反而少了", "养老金调整后反而少了"),
        (
            "尊敬的市长您好！我是裕安区西市街道的居民，家住解放路南苑小区。小区北门外的汽修店天天在人行道上喷漆。",
            "小区北门外的汽修店天天在人行道上喷漆",  # where the writer lives is introduction too
        ),
        ("我家住的那栋楼外墙瓷砖往下掉", "我家住的那栋楼外墙瓷砖往下掉"),  # what is wrong where they live
        (
            "尊敬的市长您好！我是裕安区西市街道的一名退休职工，今年六十八岁。楼下烧烤店油烟直接往楼道里灌。",
            "楼下烧烤店油烟直接往楼道里灌",  # the introduction alone says nothing about the matter
        ),
        (
            "领导你好 我是叶集区孙岗乡的 俺家老头子去年走了 丧葬补助金到现在也没发下来",
            "俺家老头子去年走了 丧葬补助金到现在也没发下来",  # spaces for commas: the introduction is left out
        ),
        ("四十多岁被裁了 还能领失业保险吗", "四十多岁被裁了 还能领失业保险吗"),  # an age that is the matter
        ("俺是霍邱县冯井镇的 俺们庄上那条路去年修的 今年就烂完了", "俺们庄上那条路去年修的 今年就烂完了"),  # 俺 for 我
        ("我是一名环卫工人", "我是一名环卫工人"),  # nothing but an introduction: that is what there is
        (
            "尊敬的领导您好：我是金安区清水河街道某小区的业主，想反映几个问题。\n一是小区物业不作为，垃圾好几天才清一次",
            "一是小区物业不作为，垃圾好几天才清一次",  # a letter sent in parts: its opening only announces
        ),
        ("我是霍山县衡山镇的一名退休教师，有个情况要反映一下：村口的桥裂了", "村口的桥裂了"),
        ("我是裕安区平桥乡的村民，有件事想反应一下。村里的路烂了", "村里的路烂了"),  # 反映 mistyped
        (
            "领导们好，我想反应一个问题。我们金寨县梅山镇到汤家汇的那条县道修了快一年",
            "我们金寨县梅山镇到汤家汇的那条县道修了快一年",  # greeting and announcement (反映 mistyped) left out
        ),
        ("反应太慢了，窗口一上午只办了五个人", "反应太慢了，窗口一上午只办了五个人"),  # 反应 meant as such
        ("路灯坏了", "路灯坏了"),
        ("算了，我还是投诉吧：小区门口的路灯坏了", "小区门口的路灯坏了"),
        ("算了不办了，我要投诉窗口，上次去补卡工作人员态度很差", "窗口，上次去补卡工作人员态度很差"),
        ("算了 不问了。我要投诉 窗口态度太差", "窗口态度太差"),
        ("我要投诉，窗口排队太久", "窗口排队太久"),
        ("wo yao tousu, 窗口排队太久", "窗口排队太久"),
        ("反映下，梅山路路灯不亮", "梅山路路灯不亮"),  # 反映下 said for 反映一下
        ("我想反应个事 门口下水道堵了", "门口下水道堵了"),  # 反应 typed for 反映, 个事 announced
        ("我要投诉事业单位乱收费", "事业单位乱收费"),  # 事 starts the matter here
        ("我要投诉下水道堵了", "下水道堵了"),  # 下 starts the matter here
        ("还有 楼下烧烤店油烟太大 天天扰民", "楼下烧烤店油烟太大 天天扰民"),  # a second request joins the first
        ("你好，我们小区5栋1单元的电梯又坏了", "我们小区5栋1单元的电梯又坏了"),
        # a letter in WeChat parts: the first part ends at a comma, the line does not
        (
            "我是舒城县城关镇的出租车司机，最近城区到处都是黑车在拉客，\n我们出租车生意越来越难做",
            "最近城区到处都是黑车在拉客，我们出租车生意越来越难做",  # short parts that follow go with it
        ),
        ("你们12345是不是摆设？打了三次电话都没人接", "你们12345是不是摆设？打了三次电话都没人接"),
        (
            "小区楼上的水管漏水一直没人修。楼上住户常年在外地打工联系不上，物业说他们也没有办法",
            "小区楼上的水管漏水一直没人修",  # what follows would make the line long: not joined
        ),
        ("各位领导你们好，小区门口的路灯坏了", "小区门口的路灯坏了"),
        (
            "尊敬的民政局：您好！我父亲失能在床，公办养老院说床位已满",
            "我父亲失能在床，公办养老院说床位已满",
        ),  # an office
        ("反映两个事 一是小区门口的路灯坏了半个月 二是垃圾没人清运", "小区门口的路灯坏了半个月 二是垃圾没人清运"),
        ("工资欠了三个月 电话13912345678", "工资欠了三个月 电话139****5678"),  # masked where it is shown
        (
            "在政务中心社保窗口排了三个小时队，工作人员一直在玩手机，还对排队的老人大声呵斥",
            "在政务中心社保窗口排了三个小时队，工作人员一直在玩手机……",  # cut after a clause
        ),
        (
            "社保卡换了新卡 旧卡里的钱没转过来 银行说找社保 社保说找银行",
            "社保卡换了新卡 旧卡里的钱没转过来 银行说找社保……",  # after a phrase
        ),
        (
            "我们村头那条通往镇上中心小学的水泥路面被超载的大货车全部压碎掉了",
            "我们村头那条通往镇上中心小学的水泥路面被超载的大货车全部压碎……",
        ),  # no pause: cut at 30
        # a correction of the matter: the line restates what it became, not what it was
        ("鼓楼广场边上的公厕一直锁着\n等等 不是公厕 是边上的垃圾站 臭死了", "不是公厕 是边上的垃圾站 臭死了"),
        ("路灯坏了\n这已经不是路灯第一次坏了", "路灯坏了，这已经不是路灯第一次坏了"),  # 不是 in passing
        # a dictated voice message: its fillers and a clause said twice leave the line
        (
            "喂 你好 我跟你说个事啊 就是我们这个小区啊 叫那个什么 金色家园 对 金色家园 物业费一年涨了一倍 也不开会",
            "就是我们这个小区啊 金色家园 物业费一年涨了一倍 也不开会",
        ),
    ],
)
def test_the_request_is_restated_in_one_line(description, summary):
    assert summary_of(description) == summary


def test_the_receipt_names_the_category_it_was_filed_under(gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt(
            "TS2024060100010",
            deadline="2024-06-05T17:00:00+08:00",
            department="市住房和城乡建设局",
            category="城乡建设",
        ),
    )
    slots = {"complaint_description": "小区楼上的水管漏水一直没人修。天花板都泡坏了", "phone": "13812345678"}
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    text = dispatcher.messages[0]["text"]
    assert text.startswith("您反映的是：小区楼上的水管漏水一直没人修。天花板都泡坏了\n")
    assert "按“城乡建设”类转交市住房和城乡建设局" in text


@pytest.mark.parametrize(
    ("description", "earlier", "said"),
    [
        # linked by the gateway to the resident's earlier case
        (
            "上次反映的路灯坏了，到现在都没人修",
            {"earlier_number": "TS2024052000003", "earlier_status": "处理中"},
            "linked",
        ),
        # said to be a repeat, but no earlier case of this resident was found: how to check the earlier one
        ("上次反映的路灯坏了，到现在都没人修", {}, "unlinked"),
        # a first report
        ("路口的路灯坏了，晚上很黑", {}, None),
        # the earlier number given, but not this resident's case: kept for the agent, not asked for again
        ("上次反映的路灯坏了，到现在都没人修\n上次的办件编号：TS2024052000003", {}, "kept"),
    ],
)
def test_a_repeat_report_names_the_earlier_case(description, earlier, said, gateway, dispatcher, make_tracker, domain):
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2024060100011", deadline="2024-06-05T17:00:00+08:00", **earlier),
    )
    slots = {"complaint_description": description, "phone": "13812345678"}
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=slots), domain))
    text = dispatcher.messages[0]["text"]
    assert "TS2024060100011" in text
    assert ("已和您上次的办件TS2024052000003（目前处理中）关联" in text) == (said == "linked")
    assert ("如果还留着上次的办件编号" in text) == (said == "unlinked")
    assert ("编号TS2024052000003已写进这次的反映" in text) == (said == "kept")


def test_the_case_number_question_offers_the_residents_own_cases(gateway, dispatcher, make_tracker, domain):
    from actions.questions import ASK_ACTIONS

    own = {"number": "TS2026120500004", "kind_text": "投诉", "filed_on": "2026-12-05",
           "text": "我要投诉，梅山路的路灯坏了一个星期了没人"}  # fmt: skip
    gateway.routes[("GET", "/api/cases")] = (200, [own])
    tracker = make_tracker(events=[user_event("查一下我的投诉进度", "check_status")], sender="wechat-9")
    asyncio.run(ASK_ACTIONS["case_number"](gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.requests[-1].url.params["sender"] == "wechat-9"
    message = dispatcher.messages[0]
    assert message["text"].startswith("请提供办件编号") and message["text"].endswith("点一下就能查：")
    # pressing it sends the number, as if typed
    assert message["buttons"] == [
        # the announcement left out, the rest cut short
        {"title": "2026年12月5日的投诉：梅山路的路灯坏了一个星期了没…（TS2026120500004）", "payload": "TS2026120500004"}
    ]


@pytest.mark.parametrize("answer", [(200, []), None])  # no cases; the gateway down
def test_without_own_cases_the_number_is_simply_asked(answer, gateway, dispatcher, make_tracker, domain):
    from actions.questions import ASK_ACTIONS

    if answer is not None:
        gateway.routes[("GET", "/api/cases")] = answer
    tracker = make_tracker(events=[user_event("查进度", "check_status")])
    asyncio.run(ASK_ACTIONS["case_number"](gateway.client()).run(dispatcher, tracker, domain))
    assert dispatcher.messages[0]["text"].endswith("开头）。") and not dispatcher.messages[0].get("buttons")


def test_insults_are_no_description(gateway, dispatcher, make_tracker, domain):
    said = "你们都是废物 一群饭桶"
    tracker = make_tracker(
        events=[user_event(said, "inform")], active_loop="complaint_form", requested_slot="complaint_description"
    )
    result = asyncio.run(
        ValidateComplaintForm(gateway.client()).validate_complaint_description(said, dispatcher, tracker, domain)
    )
    assert result["complaint_description"] is None and dispatcher.messages  # asked to say what happened
