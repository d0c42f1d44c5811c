"""NLU component: a grievance in the resident's own words is a complaint, whatever intent it resembled.

The intent classifier learns from short messages; a plain grievance ("失业金三个月了还没按时发", "窗口工作人员
态度很差") shares most of its words with a question about the same service, and was read as ``ask_service``
(answered with the service's how-to guide), as ``check_status`` or as a fallback. When the message says plainly
that something is wrong (knowledge/request_kind.py, ``STRONG``), this component, which runs after the
FallbackClassifier, makes it ``submit_complaint``: the complaint form takes the message as its description —
or ``report_incident`` when the classifier ranked that above a complaint ("小区电梯三天两头坏，到底有没有人管啊，
怎么办才好" is the grid officer's, answered within hours, not a department's in 3 working days).
Questions that name a case number stay status checks; suggestions, handover and form answers are left alone
(they are not in ``READS_AS_COMPLAINT``). The other way round, a message that opens by withdrawing a complaint
("不投诉了，我想表扬……") and goes on with praise or a suggestion is that, not a complaint; a problem told as a
story, read as praise without a word of praise or thanks, is a fallback (the offer to register it), a letter's
opening read as praise that announces a complaint is one, and a letter read as a request for a human (it tells of
the hotline's "转人工") is the kind of request ranked next. A short question read as a complaint for its subject
("停车费标准谁定的") that says nothing is wrong is a question, one that asks what became of an earlier complaint and
tells no matter ("上周投诉的事有结果没") is a status check, impatience with it and nothing more ("我的投诉怎么还没
回复", "帮我催一下") is 催办 (``urge_case``), a dispute of how the resident's case was closed ("说是办结了 其实根本
没解决") is 不满意重办 (``reopen_case``), thanks for a case dealt with ("上次投诉的事解决了 谢谢你们") is thanks,
and a farewell with thanks that the classifier could
not place ("算了我自己去银行办吧 谢谢") is thanks. Insults alone ("你们都是废物") are a fallback, which asks
what went wrong.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from contract.case_kinds import find_case_number
from knowledge.request_kind import (
    Strength,
    adds_to_own_case,
    after_withdrawn_complaint,
    announces_complaint,
    asks_a_question,
    asks_after_earlier_report,
    disputes_resolution,
    grievance_strength,
    han_count,
    is_consultation,
    is_letter,
    only_insults,
    question_instead_of_complaint,
    satisfied_with_resolution,
    urges_own_case,
)

COMPLAINT = "submit_complaint"
INCIDENT = "report_incident"
# Intents a grievance is mistaken for. check_status only without a case number ("我上个月反映的问题到现在还没人管").
# praise: "工作人员说话不耐烦，大声呵斥" shares the words of praise for a window ("工作人员", "窗口", "态度").
# not_satisfied: "问个问题被吼了一顿 说这都不懂" shares "懂" with "你到底懂不懂" said to the assistant.
READS_AS_COMPLAINT = frozenset(
    {"ask_service", "apply_service", "out_of_scope", "nlu_fallback", "check_status", "praise", "not_satisfied"}
)
# A grievance has some length: "态度差" alone may be an answer to a form's question.
MIN_HAN_CHARS = 8
_PROGRESS = re.compile(r"结果|进度|进展|怎么样了|到哪一步|查一下|查询|查查|处理了吗|办好了吗|办得怎么样")
_PRAISE = re.compile(r"表扬|感谢|谢谢|点赞|好评|称赞|赞扬|锦旗|夸")
# Praise without a word of praise still says something good ("大家都说她好", "耐心", "及时"): a message read as
# praise that says nothing good ("新水表比旧表走得快一倍") is no praise.
_GOOD = re.compile(
    r"(?:真|很|挺|太|特别|非常|说(?:她|他|他们)?)好|好人|耐心|热情|负责|及时|辛苦|帮(?:了|我|忙)|感动|满意|细心|周到|认真"
    r"|贴心|暖心|给力|棒|赞|优秀|尽职|尽责|干净|整洁|不错|一流|好样|靠谱"
)
# Displeasure with the assistant's own answers ("你这个回答太敷衍了"): a handover to a person, not a complaint.
_ABOUT_THE_ASSISTANT = re.compile(r"回答|机器人|智能客服|你说的|你答|答的|答非所问")


def reads_as_complaint(text: str, intent: str | None) -> bool:
    if intent not in READS_AS_COMPLAINT or text.startswith("/") or han_count(text) < MIN_HAN_CHARS:
        return False
    if intent == "check_status" and (
        find_case_number(text) or (_PROGRESS.search(text) and not is_letter(text)) or asks_after_earlier_report(text)
    ):
        return False  # "我上周投诉的事有结果没": about an earlier case (a letter's story may say 结果 in passing)
    if intent == "praise" and _PRAISE.search(text):
        return False  # "表扬三号窗口，以前态度很差，现在好多了"
    if intent == "not_satisfied" and _ABOUT_THE_ASSISTANT.search(text):
        return False
    return grievance_strength(text) is Strength.STRONG


# "不投诉了，我想表扬一下物业的王师傅……": the complaint is withdrawn at the start, and what follows is praise, a
# suggestion or a question, which the classifier read as a complaint for its word 投诉 (or, a question, as one).
_SUGGESTION = re.compile(r"建议|提议|意见")
CANCEL = "cancel"
QUESTION = "ask_service"


def instead_of_complaint(text: str, intent: str | None) -> str | None:
    """The intent a message that withdraws a complaint asks for instead ("praise", "give_suggestion"; "cancel" when
    a question follows: "算了 还是不投诉了 我想问下停车费标准谁定的" ends the complaint form, and the cancelling
    action answers the question), else None."""
    # Read as a complaint for its 投诉; or as what follows it ("不投诉了 公积金怎么提取"), or as no intent at all.
    if not (intent == COMPLAINT or intent in READS_AS_COMPLAINT) or after_withdrawn_complaint(text) is None:
        return None
    if _PRAISE.search(text):
        return "praise"
    if _SUGGESTION.search(text):
        return "give_suggestion"
    return CANCEL if question_instead_of_complaint(text) else None  # neither when something is wrong


# A sum of money told with the question ("一个钟头十块 谁定的价啊"): the price is what the resident complains of.
_PRICE_TOLD = re.compile(r"[\d一二三四五六七八九十百千万两几]+(?:块|元|毛)")


def consultation_read_as_complaint(text: str, intent: str | None) -> bool:
    """A short question about a matter people complain of, read as a complaint for its subject, with nothing in it
    wrong: "停车费标准谁定的" asks who set the fee (the consultation offer, a person answers), it reports nothing.
    A letter keeps its reading: its questions are part of its story; so does a question that tells the price."""
    return intent == COMPLAINT and not is_letter(text) and is_consultation(text) and not _PRICE_TOLD.search(text)


STATUS = "check_status"
URGE = "urge_case"
# "都三天了", "崔一下 都三天了" (a typo of 催) read as a form's answer: outside a form, impatience too. Inside one the
# form still takes the text (urge_case is in no `not_intent` list), and the urge rule runs only with no active form.
INFORM = "inform"


def urge_read_as_other(text: str, intent: str | None) -> bool:
    """ "怎么还没人处理 都等三天了", "我的投诉怎么还没回复": impatience with the resident's own case, told without a
    matter, read as a status question, a complaint or nothing: 催办 (which finds the case: the one just checked,
    one of the resident's own, or by number)."""
    read_as = intent in (COMPLAINT, INFORM) or intent in READS_AS_COMPLAINT
    return read_as and not text.startswith("/") and urges_own_case(text)


REOPEN = "reopen_case"


def reopen_read_as_other(text: str, intent: str | None) -> bool:
    """ "投诉的事情处理好了 但是我不满意", "说是办结了 其实根本没解决": the resident disputes how their case was closed,
    read as a complaint, a status question, an urge or a displeasure with an answer: 不满意重办 of that case."""
    read_as = intent in (COMPLAINT, INFORM, URGE) or intent in READS_AS_COMPLAINT
    return read_as and not text.startswith("/") and disputes_resolution(text)


SUPPLEMENT = "supplement_case"


def supplement_read_as_other(text: str, intent: str | None) -> bool:
    """ "说错了 不是电梯 是楼道灯坏了", "补充一下 是3号楼的电梯": the resident adds to or corrects what they reported,
    read as a new complaint or as a form's answer: 补充说明 of that case (inside a form the form takes the words)."""
    read_as = intent in (COMPLAINT, INFORM, INCIDENT) or intent in READS_AS_COMPLAINT
    return read_as and not text.startswith("/") and adds_to_own_case(text)


def supplement_read_wrongly(text: str, intent: str | None) -> bool:
    """ "补充医疗保险怎么报销", a letter that says 补充 somewhere: a question or a request, not words for a case."""
    return intent == SUPPLEMENT and not text.startswith("/") and (asks_a_question(text) or is_letter(text))


def satisfaction_read_as_complaint(text: str, intent: str | None) -> bool:
    """ "上次投诉的事解决了 谢谢你们": read as a complaint for its 投诉 (or as what it resembles), it says the case was
    dealt with and thanks for it: thanks, not a new complaint with nothing wrong in it. Praise stays praise."""
    read_as = intent == COMPLAINT or (intent in READS_AS_COMPLAINT and intent != "praise")
    return read_as and satisfied_with_resolution(text)


def status_read_as_complaint(text: str, intent: str | None) -> bool:
    """ "我的投诉怎么还没回复": read as a complaint for its words, it asks what became of an earlier one and tells no
    matter. The status check offers the resident's own recent cases; a new complaint would hold nothing."""
    return intent == COMPLAINT and asks_after_earlier_report(text)


# "算了 不留了" at the phone question: 算了 reads as cancel, but the resident declines the phone, not the request.
_DECLINES_PHONE = re.compile(r"不留|不想留|不方便留|不给(?:电话|号码)|没(?:有)?电话")
DENY = "deny"


def phone_declined_as_cancel(text: str, intent: str | None) -> bool:
    """Read as cancel, it declines to leave a phone: a deny, which the phone questions take as "不留" (and which
    outside a form asks what else the resident needs), so the request already told is not thrown away."""
    return intent == CANCEL and bool(_DECLINES_PHONE.search(text))


FALLBACK = "nlu_fallback"
THANKS = "thank"
# A closing remark ends in thanks ("算了我自己去银行办吧 谢谢"); what comes before it is short and asks nothing.
_ENDS_IN_THANKS = re.compile(r"(?:谢谢|多谢|感谢|谢了|谢啦)(?:您|你|你们|了)?[啊啦哈呀哦噢]*[\s。！!~～.]*$")
MAX_CLOSING_HAN = 20


def closing_remark(text: str, intent: str | None) -> bool:
    """The classifier could not place a farewell with thanks ("算了我自己去银行办吧 谢谢", "那我明天再去窗口问问 多谢"):
    it is thanks, not a description to offer for registering. Anything wrong or asked in it keeps it a request."""
    thanks = _ENDS_IN_THANKS.search(text) if intent in (FALLBACK, "out_of_scope") else None
    if thanks is None:
        return False
    rest = text[: thanks.start()]
    return (
        han_count(rest) <= MAX_CLOSING_HAN
        and grievance_strength(rest) is Strength.NONE
        and not (asks_a_question(rest) or is_consultation(rest))
    )


def praise_announcing_complaint(text: str, intent: str | None) -> bool:
    """Read as praise, with no word of praise or thanks, and it announces a complaint: the salutation and the
    writer's introduction of a letter whose matter comes in the next message ("尊敬的领导您好：我是……的业主，
    想反映几个问题。")."""
    return intent == "praise" and not _PRAISE.search(text) and announces_complaint(text)


def praise_without_praise(text: str, intent: str | None) -> bool:
    """Read as praise, with no word of praise or thanks, and a letter or a message that says something is wrong:
    the classifier took a story for praise ("……下水道堵了快两周了……希望尽快派人疏通"; a letter on a hotline operator
    who hung up on an old man), or a short message that says nothing good ("新水表比旧表走得快一倍").
    A short message that says something good ("网格员天天上门看望独居老人，大家都说她好") stays praise: a letter of
    praise says so in words."""
    if intent != "praise" or _PRAISE.search(text):
        return False
    return is_letter(text) or grievance_strength(text) is not Strength.NONE or not _GOOD.search(text)


HANDOVER = "request_human"
# What a letter that mentions a human operator ("按好几次键才能转到人工") is about instead, in the ranking's order.
LETTER_KINDS = frozenset({COMPLAINT, INCIDENT, "give_suggestion", "praise"})


def letter_not_a_handover(text: str, intent: str | None, ranking: list[dict[str, Any]]) -> str | None:
    """A letter read as a request for a human: its words about the hotline's operators ("转人工要按好几次键")
    made it one, but a letter asks for an answer to what it tells. The ranking's best kind of request, else None."""
    if intent != HANDOVER or not is_letter(text):
        return None
    return next((r[INTENT_NAME_KEY] for r in ranking if r[INTENT_NAME_KEY] in LETTER_KINDS), None)


def _choose(message: Message, name: str) -> None:
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r[INTENT_NAME_KEY] != name]
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class GrievanceAsComplaint(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GrievanceAsComplaint:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            text = str(message.get(TEXT) or "")
            if only_insults(text) and intent not in (HANDOVER, "not_satisfied"):
                # "你们都是废物": anger and no matter yet; the fallback asks what went wrong (a person one press
                # away), rather than a complaint about "垃圾" or an answer from a guide.
                _choose(message, FALLBACK)
            elif satisfaction_read_as_complaint(text, intent):
                _choose(message, THANKS)
            elif reopen_read_as_other(text, intent):
                _choose(message, REOPEN)
            elif urge_read_as_other(text, intent):
                _choose(message, URGE)
            elif supplement_read_as_other(text, intent):
                _choose(message, SUPPLEMENT)
            elif supplement_read_wrongly(text, intent):
                ranking = message.get(INTENT_RANKING_KEY) or []
                _choose(
                    message, next((r[INTENT_NAME_KEY] for r in ranking if r[INTENT_NAME_KEY] != SUPPLEMENT), QUESTION)
                )
            elif reads_as_complaint(text, intent):
                ranking = message.get(INTENT_RANKING_KEY) or []
                name = next(
                    (r[INTENT_NAME_KEY] for r in ranking if r[INTENT_NAME_KEY] in (COMPLAINT, INCIDENT)), COMPLAINT
                )
                _choose(message, name)
            elif instead := instead_of_complaint(text, intent):
                _choose(message, instead)
            elif status_read_as_complaint(text, intent):
                _choose(message, STATUS)
            elif consultation_read_as_complaint(text, intent):
                _choose(message, QUESTION)  # no guide has it: the answer action offers it as a consultation
            elif praise_announcing_complaint(text, intent):
                _choose(message, COMPLAINT)
            elif letter_kind := letter_not_a_handover(text, intent, message.get(INTENT_RANKING_KEY) or []):
                _choose(message, letter_kind)
            elif phone_declined_as_cancel(text, intent):
                _choose(message, DENY)
            elif closing_remark(text, intent):
                _choose(message, THANKS)
            elif praise_without_praise(text, intent):
                # Not sure what the resident wants: the fallback offers to register what the message describes.
                _choose(message, FALLBACK)
        return messages
