"""bot/request_kind.py: a grievance mistaken for a question, a status check or a fallback becomes a complaint."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.request_kind import GrievanceAsComplaint, reads_as_complaint


def _parsed(text: str, intent: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {INTENT_NAME_KEY: intent, "confidence": 0.6})
    message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: intent, "confidence": 0.6}])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我的失业金三个月了还没按时发放", "ask_service"),
        ("我上个月反映的路灯问题到现在还没人处理", "check_status"),  # tells its matter again: a repeat report
        ("政务大厅窗口的工作人员态度很差", "nlu_fallback"),
        ("楼下饭店油烟太大，天天扰民", "out_of_scope"),
        ("问个问题被工作人员吼了一顿 说这都不懂还来办", "not_satisfied"),
        ("去大厅问路被保安凶了几句", "ask_service"),
        ("我陪母亲去社区服务中心办事，工作人员说话不耐烦，大声呵斥", "praise"),
        # A letter whose story mentions a result is no status question.
        (
            "您好！我在办理残疾证评定时，指定医院的鉴定医生态度敷衍，没有认真检查就给出了评定结果，"
            "我母亲的情况明显更重，希望有关部门重新组织鉴定。",
            "check_status",
        ),
    ],
)
def test_grievances_become_complaints(text: str, intent: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == "submit_complaint"
    ranking = [entry[INTENT_NAME_KEY] for entry in message.get(INTENT_RANKING_KEY)]
    assert ranking == ["submit_complaint", intent]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("社保卡坏了怎么补办", "ask_service"),  # a how-to question
        ("TS2026112200001 到现在处理到哪一步了", "check_status"),  # names its case: a status check
        ("我上周投诉的事有结果没", "check_status"),  # asks about an earlier case
        ("我上个月反映的问题到现在有结果了吗", "check_status"),  # and tells no matter again
        ("建议有关部门把噪音扰民管一管", "give_suggestion"),  # not an intent a grievance is mistaken for
        ("态度很差", "ask_service"),  # too short to be a whole grievance (a form's answer)
        ("表扬三号窗口的小王，以前这里态度很差，现在好多了", "praise"),  # praise that mentions the past
        ("/request_human", "request_human"),
        ("你这个回答太敷衍了，没解决我的问题", "not_satisfied"),  # about the assistant: a person takes over
        ("机器人一直答非所问 不负责任", "not_satisfied"),
    ],
)
def test_other_messages_keep_their_intent(text: str, intent: str) -> None:
    assert not reads_as_complaint(text, intent)
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == intent


@pytest.mark.parametrize(
    "text",
    ["小区电梯坏了好几天了一直没人修，老人上下楼很危险", "楼道里有人私拉电线给电动车充电，存在安全隐患"],
)
def test_a_community_incident_stays_an_incident_however_strongly_worded(text: str) -> None:
    # Grid officers answer these within hours (SQ); a complaint would wait 3 working days for a department.
    assert reads_as_complaint(text, "ask_service")  # the wording alone is a grievance's
    message = GrievanceAsComplaint().process([_parsed(text, "report_incident")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == "report_incident"


def test_a_grievance_the_classifier_ranked_as_an_incident_becomes_one() -> None:
    text = "小区电梯三天两头坏，到底有没有人管啊，怎么办才好"
    message = _parsed(text, "ask_service")
    ranking = [("ask_service", 0.6), ("report_incident", 0.3), ("submit_complaint", 0.1)]
    message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: name, "confidence": c} for name, c in ranking])
    message = GrievanceAsComplaint().process([message])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == "report_incident"
    assert [entry[INTENT_NAME_KEY] for entry in message.get(INTENT_RANKING_KEY)] == [
        "report_incident",
        "ask_service",
        "submit_complaint",
    ]


def test_a_grievance_ranked_as_a_complaint_first_stays_a_complaint() -> None:
    text = "社区服务中心窗口的工作人员态度很差，办个证明推来推去"
    message = _parsed(text, "nlu_fallback")
    ranking = [("nlu_fallback", 0.6), ("submit_complaint", 0.3), ("report_incident", 0.1)]
    message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: name, "confidence": c} for name, c in ranking])
    assert GrievanceAsComplaint().process([message])[0].get(INTENT)[INTENT_NAME_KEY] == "submit_complaint"


@pytest.mark.parametrize(
    ("text", "instead"),
    [
        ("不投诉了，我想表扬一下物业的王师傅，电梯坏了他半夜赶来修好的", "praise"),
        ("我不是要投诉，就是想表扬窗口的小张", "praise"),
        ("算了不投诉了 提个建议吧 小区多装几个充电桩", "give_suggestion"),
        # a complaint that mentions praise or a suggestion later is still one
        ("我要投诉，物业收费不合理，建议整改", "submit_complaint"),
        ("投诉物业，不给修还让我们谢谢他们", "submit_complaint"),
        # withdrawn and nothing else asked: the form's cancel handles "不投诉了"
        ("不投诉了", "submit_complaint"),
        # withdrawn, then a question: the complaint is cancelled and the cancel answers the question
        ("算了 还是不投诉了 我想问下停车费标准谁定的", "cancel"),
        ("不对 不投诉了 就是想问问物业费标准谁定的", "cancel"),
        # withdrawn, then a grievance of another kind: still taken in
        ("不投诉了 我要举报物业乱收费是谁定的", "submit_complaint"),
    ],
)
def test_a_withdrawn_complaint_followed_by_praise_or_a_suggestion_is_that(text: str, instead: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, "submit_complaint")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == instead
    assert message.get(INTENT_RANKING_KEY)[0][INTENT_NAME_KEY] == instead


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # read as the question it asks, it still withdraws the complaint the form is taking
        ("不投诉了 就是想问问物业费标准谁定的", "cancel"),
        ("物业费标准谁定的", "ask_service"),
        # praise withdraws it for praise, whatever the words of a procedure in it ("材料")
        ("我不是要投诉，就是想表扬一下窗口的小张，帮我把材料一次讲清楚了", "praise"),
    ],
)
@pytest.mark.parametrize("read_as", ["ask_service", "nlu_fallback"])
def test_a_question_that_withdraws_a_complaint_cancels_it(text: str, intent: str, read_as: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, read_as)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == (read_as if intent == "ask_service" else intent)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "尊敬的领导：我是裕安区西市街道的居民，我们小区门口的下水道堵了快两周了，一下雨污水就漫到路上，"
            "希望尽快派人疏通。",
            "nlu_fallback",
        ),
        (
            "前几天我去社区服务中心问一个政策，因为我耳朵有点背，请工作人员多说了两遍，她就拉下脸让家里年轻人来问，"
            "说完就去忙别的了。我只是想把政策问清楚，不是来添麻烦的。希望以后对老年人多一些耐心，听不清的慢慢说。",
            "nlu_fallback",
        ),
        # the opening of a letter sent in parts announces the complaint that follows
        ("尊敬的领导您好：我是金安区清水河街道某小区的业主，想反映几个问题。", "submit_complaint"),
        ("市长您好，我是霍山县衡山镇的一名退休教师，有个情况要反映一下", "submit_complaint"),
        # thanks for a problem put right, and praise that tells no problem, stay praise
        ("昨天晚上我家停水了，没过一个小时师傅就来修好了，真是太感谢了", "praise"),
        ("社区网格员小王天天上门看望我们楼里的独居老人，大家都说她好", "praise"),
        ("三号窗口的小姑娘办事又快又耐心", "praise"),
        ("社区的王师傅人真不错", "praise"),
        # nothing good said: a problem told plainly, which the fallback offers to register
        ("自来水公司把我家水表换了 新表比旧表走得快一倍", "nlu_fallback"),
    ],
)
def test_a_problem_read_as_praise_without_a_word_of_praise_is_not_praise(text: str, intent: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, "praise")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == intent


def _ranked(text: str, *intents: str) -> Message:
    message = _parsed(text, intents[0])
    message.set(
        INTENT_RANKING_KEY, [{INTENT_NAME_KEY: name, "confidence": 0.5 / (i + 1)} for i, name in enumerate(intents)]
    )
    return message


LETTER_ON_THE_HOTLINE = (
    "建议：打12345时语音提示太长，要按好几次键才能转到人工，老人常常听不懂就挂断了。另外办结短信只写已办理，"
    "没有写承办单位和联系人，想追问都找不到人。建议给老年人开一个直接接通话务员的通道，短信里写明承办单位。"
)


@pytest.mark.parametrize(
    ("text", "ranking", "expected"),
    [
        # A letter that tells of the hotline's operators is the request it makes, not a handover.
        (LETTER_ON_THE_HOTLINE, ("request_human", "give_suggestion", "praise"), "give_suggestion"),
        # A short message asking for a person stays one.
        ("帮我转人工，机器人说不清楚", ("request_human", "give_suggestion"), "request_human"),
        # A letter with no kind of request in its ranking keeps the handover.
        (LETTER_ON_THE_HOTLINE, ("request_human", "ask_service"), "request_human"),
    ],
)
def test_a_letter_read_as_a_handover_is_the_request_it_makes(
    text: str, ranking: tuple[str, ...], expected: str
) -> None:
    message = GrievanceAsComplaint().process([_ranked(text, *ranking)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("你们都是废物 垃圾政府", "submit_complaint", "nlu_fallback"),  # no matter yet: asked what went wrong
        ("你们这些人就是吃干饭的", "out_of_scope", "nlu_fallback"),
        ("你们都是废物", "request_human", "request_human"),  # asked for a person: one takes over
        ("窗口的人骂我是废物 态度太差了", "submit_complaint", "submit_complaint"),  # a matter told
    ],
)
def test_insults_alone_are_asked_what_went_wrong(text: str, intent: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("停车费标准谁定的", "ask_service"),  # asks who set it: a consultation, nothing reported
        ("物业费涨价的依据是什么", "ask_service"),
        ("小区停车费乱收费 标准是谁定的", "submit_complaint"),  # something is wrong: a complaint
        ("我要投诉 停车费标准谁定的", "submit_complaint"),
        ("楼下天天有人摆摊", "submit_complaint"),  # no question asked
        ("医院门口停车场一个钟头十块 谁定的价啊", "submit_complaint"),  # the price told: complained of
    ],
)
def test_a_question_read_as_a_complaint_for_its_subject_is_a_question(text: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, "submit_complaint")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("算了我自己去银行办吧 谢谢", "nlu_fallback", "thank"),
        ("那我明天再去窗口问问 多谢了！", "out_of_scope", "thank"),
        ("小区路灯坏了 麻烦看一下 谢谢", "nlu_fallback", "nlu_fallback"),  # something is wrong: still a request
        ("那我能不能网上办 谢谢", "nlu_fallback", "nlu_fallback"),  # asks something
        ("我要办居住证 谢谢", "apply_service", "apply_service"),  # the classifier placed it
    ],
)
def test_a_farewell_with_thanks_the_classifier_could_not_place_is_thanks(text: str, intent: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上周投诉的事有结果没", "check_status"),  # what became of it: the status check offers the own cases
        ("我的投诉怎么还没回复", "urge_case"),  # impatient with it: 催办, which offers the own cases too
        ("我反映的事情怎么没人联系我", "urge_case"),
        ("上次反映的小区门口路灯坏了 到现在都没人修", "submit_complaint"),  # the matter told again: a repeat report
        ("我要投诉", "submit_complaint"),
    ],
)
def test_asking_after_an_earlier_complaint_is_a_status_check(text: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, "submit_complaint")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("怎么还没人处理 都等三天了", "submit_complaint", "urge_case"),
        ("怎么还没处理", "check_status", "urge_case"),
        ("麻烦帮忙催一下TS2026120100001", "check_status", "urge_case"),
        ("TS2026112200001 到现在还没人处理", "check_status", "urge_case"),
        ("我上个月反映的问题到现在还没人处理", "check_status", "urge_case"),
        ("都超期了还没人联系我", "nlu_fallback", "urge_case"),
        ("社保卡怎么还没做好", "check_status", "check_status"),  # a question about the card's progress
        ("小区门口的路灯坏了一个月了，一直没人修", "check_status", "submit_complaint"),  # a matter: a report
        ("崔一下 都三天了", "inform", "urge_case"),  # a typo of 催, read as an answer; a form still takes it
        ("三栋二单元", "inform", "inform"),  # a form's answer is left alone
        ("/urge_case", "urge_case", "urge_case"),
    ],
)
def test_impatience_with_ones_own_case_is_an_urge(text: str, intent: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("投诉的事情处理好了 但是我不满意", "submit_complaint", "reopen_case"),
        ("说是办结了 其实根本没解决", "check_status", "reopen_case"),
        ("对处理结果不满意", "not_satisfied", "reopen_case"),
        ("工单办结了 怎么还没人处理", "urge_case", "reopen_case"),  # closed: not to be hurried, to be redone
        ("我不满意", "not_satisfied", "not_satisfied"),  # with the assistant's answer
        ("问题根本没解决", "submit_complaint", "submit_complaint"),
        ("/reopen_case", "reopen_case", "reopen_case"),
        ("我反映的路灯说修好了 结果晚上还是黑的", "submit_complaint", "reopen_case"),
        ("上次投诉的事解决了 谢谢你们", "submit_complaint", "thank"),  # thanks, not a complaint
        ("投诉处理得很好 非常满意", "submit_complaint", "thank"),
        ("之前投诉的问题解决了，处理得很及时，谢谢", "praise", "praise"),  # praise stays praise
    ],
)
def test_disputing_a_closed_case_is_a_reopen(text: str, intent: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, intent)])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("算了 不留了", "deny"),  # declines the phone, keeps the request
        ("算了 电话不想留", "deny"),
        ("算了 不办了", "cancel"),  # withdraws the request
        ("取消", "cancel"),
    ],
)
def test_declining_the_phone_read_as_cancel_keeps_the_request(text: str, expected: str) -> None:
    message = GrievanceAsComplaint().process([_parsed(text, "cancel")])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("算了 不是电梯 是楼道灯坏了", "submit_complaint", "supplement_case"),  # a correction, not a new report
        ("补充一下 是3号楼东单元的电梯", "inform", "supplement_case"),  # a form still takes it
        ("刚才忘了说 晚上十点以后最吵", "report_incident", "supplement_case"),
        ("写错了", "deny", "deny"),  # a form's answer is left alone
        ("补充医疗保险怎么报销", "supplement_case", "ask_service"),  # a question: the next of the ranking
        ("/supplement_case", "supplement_case", "supplement_case"),
    ],
)
def test_words_added_to_a_report_are_a_supplement(text: str, intent: str, expected: str) -> None:
    parsed = _parsed(text, intent)
    parsed.set(
        INTENT_RANKING_KEY,
        [{INTENT_NAME_KEY: intent, "confidence": 0.6}, {INTENT_NAME_KEY: "ask_service", "confidence": 0.3}],
    )
    message = GrievanceAsComplaint().process([parsed])[0]
    assert message.get(INTENT)[INTENT_NAME_KEY] == expected
