"""A resident who describes a problem in their own words is never left with "没太明白": when neither the
knowledge base nor a task fits, the assistant offers to register the message as a request (a TS case, routed
to a department by the gateway), and files exactly what the resident wrote."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApi, CaseApiError
from actions.knowledge_hits import knowledge_of
from actions.tracker_info import last_bot_text_before_latest_message
from contract.limits import MAX_LETTER_CHARS
from knowledge.request_kind import (
    Strength,
    asks_a_question,
    asks_how_to,
    grievance_strength,
    han_count,
    is_consultation,
    only_displeasure,
    states_a_problem,
)

# A description of a problem has some length: "停水三天了没人管" yes, "嗯嗯" or "你好呀" no. A message the NLU
# read as outside government services needs more to be a grievance ("明天六安会下雨吗" is a question).
MIN_REQUEST_CHARS = 8
MIN_OUT_OF_SCOPE_REQUEST_CHARS = 20
# A description this long that asks nothing about a procedure is a request, not a question ("我家楼下……").
MIN_DESCRIPTION_CHARS = 40
# A shorter message read as outside government services is still a department's matter when the router places
# it in a category this surely ("公交车空调不开 热死了", "天然气涨价了怎么没听证"). Chosen on the out-of-scope
# questions of knowledge/eval/questions.tsv split=tune: chit-chat stays below it (天气, 外卖, 快递: 0.15-0.75), while
# matters a person at 12345 answers reach it (港澳通行证续签, 工伤认定, 电动自行车上牌: 0.96-1.00).
DEPARTMENT_MATTER_CONFIDENCE = 0.85
# A letter's salutation and greeting, or a chat message's greeting, say nothing about the matter
# ("尊敬的市长：您好！", "你好，我们小区电梯坏了").
# The office written to counts too ("尊敬的民政局：", "尊敬的不动产登记中心：").
_ADDRESS = (
    r"(?:(?:尊敬的|敬爱的)?[^，,：:！!。]{0,10}(?:领导|市长|书记|同志|工作人员)[们]?好?"
    r"|(?:尊敬的|敬爱的)[^，,：:！!。\s]{1,12}(?=[，,：:！!]))[，,：:！!。\s]*"
)
_GREETING = r"(您好|你好|你们好|大家好)[啊呀]?[，,：:！!。\s]*"
SALUTATION = re.compile(rf"^(?:{_ADDRESS}(?:{_GREETING})?|{_GREETING})")
# What the assistant says when it offers to register a message (more of a letter after one joins it).
OFFERS = (replies.OFFER_TO_REGISTER, replies.OFFER_CONSULTATION, replies.OFFER_MORE)


# "我想问一下", "咨询个事": a question announced, to follow.
_ONLY_ANNOUNCES_QUESTION = re.compile(
    r"(?:(?:你好|您好)[，,\s]*)?(?:我|俺)?(?:想|要)?"
    r"(?:问一下|问下|问问|问个(?:事|问题)|咨询(?:一下|下)?(?:个|一个)?(?:事|问题|情况)?|请问(?:一下)?)"
    r"[哈啊呀]?[。.！!？?~～，,\s]*"
)


def asked_for_the_matter(dispatcher: CollectingDispatcher, text: str) -> bool:
    """A letter's salutation sent on its own ("尊敬的市长：", "市长您好！"), or a question announced ("我想问一下"),
    its matter to follow: the resident is asked to go on, whatever the classifier made of it (a guide about the
    市长热线 is no answer, "没太明白" none either)."""
    text = text.strip()
    if SALUTATION.fullmatch(text):
        dispatcher.utter_message(text=replies.SAY_THE_MATTER)
    elif _ONLY_ANNOUNCES_QUESTION.fullmatch(text):
        dispatcher.utter_message(text=replies.SAY_THE_QUESTION)
    else:
        return False
    return True


def describes_a_problem(text: str, min_chars: int = MIN_REQUEST_CHARS) -> bool:
    return not text.startswith("/") and han_count(text) >= min_chars


def reads_as_request(tracker: Tracker) -> bool:
    """The latest message describes a problem for someone to act on rather than asking how to get something done."""
    text = str(tracker.latest_message.get("text") or "").strip()
    if not describes_a_problem(text):
        return False
    if grievance_strength(text) is not Strength.NONE:
        return True
    return han_count(text) >= MIN_DESCRIPTION_CHARS and not asks_how_to(text)


async def is_department_matter(text: str, api: CaseApi) -> bool:
    """The router places the text in a category surely enough for a department to take it up."""
    return describes_a_problem(text) and await _placed(text, api)


async def _placed(text: str, api: CaseApi) -> bool:
    try:
        advice = await api.route(text)
    except CaseApiError:
        return False
    if advice.confidence >= DEPARTMENT_MATTER_CONFIDENCE:
        return True
    # A problem told ("健身器材坏了") that the router splits between two neighbouring categories is still a
    # department's matter; chit-chat with a wrong state ("我家电脑坏了", "快递怎么还没到") stays under it (0.27-0.77).
    return grievance_strength(text) is not Strength.NONE and advice.two_best >= DEPARTMENT_MATTER_CONFIDENCE


def offer_to_register(
    dispatcher: CollectingDispatcher, tracker: Tracker, department_matter: bool = False, about_a_subject: bool = False
) -> list[EventType] | None:
    """Offer to register the latest message as a request; None when it does not describe a problem.
    ``department_matter``: the router placed it (``is_department_matter``), whatever the intent said.
    ``about_a_subject``: the search found it asks about a procedure or a document no guide deals with
    ("个体户不干了注销执照要跑几个地方"): a consultation unless something in it is wrong."""
    text = str(tracker.latest_message.get("text") or "").strip()
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    out_of_scope = intent == "out_of_scope" and not department_matter
    # A problem stated in a few words that the router could not place ("水是黄的") is still offered.
    stated = not out_of_scope and not text.startswith("/") and states_a_problem(text)
    if not stated and not describes_a_problem(
        text, MIN_OUT_OF_SCOPE_REQUEST_CHARS if out_of_scope else MIN_REQUEST_CHARS
    ):
        return None
    earlier = tracker.get_slot("offered_request")
    if earlier and last_bot_text_before_latest_message(tracker) in OFFERS:
        # The rest of a letter pasted in several messages: one request, and not the same offer twice in a row.
        dispatcher.utter_message(text=replies.OFFER_MORE, buttons=replies.REGISTER_BUTTONS)
        return [SlotSet("offered_request", f"{earlier}\n{text}"[:MAX_LETTER_CHARS])]
    # A plain question the router placed with a department, whatever the intent said ("宝宝两个月了 该打哪几针
    # 在哪个医院打": out_of_scope), asks for an answer too.
    asks = (about_a_subject and grievance_strength(text) is Strength.NONE) or (
        department_matter and asks_a_question(text)
    )
    if asks or is_consultation(text):
        # A question no guide answers is a consultation: a person answers it (a GD ticket), it is no complaint.
        dispatcher.utter_message(text=replies.OFFER_CONSULTATION, buttons=replies.CONSULTATION_BUTTONS)
    else:
        dispatcher.utter_message(text=replies.OFFER_TO_REGISTER, buttons=replies.REGISTER_BUTTONS)
    return [SlotSet("offered_request", text)]


async def take_in_stated_problem(tracker: Tracker, api: CaseApi) -> list[EventType] | None:
    """A problem stated plainly, asking nothing ("停水三天了", "井盖丢了", "小区门口路灯坏了好几天了"), that the router
    places with a department and no guide answers confidently ("社保卡坏了" keeps its guide) is a request: the
    complaint form takes it as its description and asks where and a phone. No offer first: there is no doubt what
    the resident wants. "电脑坏了" stays unplaced (0.21); None then, and for anything else."""
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.active_loop_name or text.startswith("/") or not states_a_problem(text):
        return None
    knowledge = knowledge_of(tracker.latest_message)
    if (knowledge and knowledge.confident) or not await _placed(text, api):
        return None
    earlier = tracker.get_slot("offered_request")
    if earlier and last_bot_text_before_latest_message(tracker) in OFFERS:
        text = f"{earlier}\n{text}"  # the rest of a letter whose first part was offered: one request
    return complaint_form_with(text, SlotSet("offered_request", None))


async def report_for_another_department(tracker: Tracker, api: CaseApi) -> list[EventType] | None:
    """A statement asking nothing that a guide answers confidently, but that the router surely gives to another
    department than the guide's ("村干部把低保都给了自己亲戚": 纪检监察, not 最低生活保障申请's 市民政局;
    "饭店老板扣押了我的身份证": 劳动关系, not 身份证补领's 市公安局), reports something about the service instead of
    asking how to get it: the complaint form takes it in. None for anything else ("社保卡丢了": 人社局 both).
    Measured: of the 657 questions of knowledge/eval/questions.tsv and the 336 ask_service examples, none is taken.
    (Not ``asks_how_to``: its bare 条件 reads "我家符合条件却评不上" as a how-to.)"""
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.active_loop_name or not describes_a_problem(text) or asks_a_question(text):
        return None
    knowledge = knowledge_of(tracker.latest_message)
    if knowledge is None:
        return None
    # the guide that would answer: the confident one, or the service the message names (低保)
    named = next(tracker.get_latest_entity_values("service"), None)
    guide = knowledge.best or next((hit for hit in knowledge.hits if hit.service == named), None)
    if guide is None:
        return None
    try:
        advice = await api.route(text)
    except CaseApiError:
        return None
    if advice.confidence < DEPARTMENT_MATTER_CONFIDENCE or advice.department in (None, guide.department):
        return None
    return complaint_form_with(text)


def answered_displeasure(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """ "😡😡" or "👎" on its own: asks what went wrong (with a person one press away) and says so."""
    if not only_displeasure(str(tracker.latest_message.get("text") or "")):
        return False
    dispatcher.utter_message(text=replies.DISPLEASURE, buttons=replies.human_buttons())
    return True


def complaint_instead_of_answer(tracker: Tracker) -> list[EventType] | None:
    """Outside a form, a grievance the classifier read as an answer or a yes/no ("医院系统里查不到出生证信息 派出所
    办不了": inform; "填错了孩次 想改改不了 系统没这个选项": deny) is a complaint, as when it is read as a question
    (bot/request_kind.py): never the how-to guide of the service it names. None for anything else."""
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.active_loop_name or not describes_a_problem(text) or grievance_strength(text) is not Strength.STRONG:
        return None
    return complaint_form_with(text)


def complaint_form_with(text: str, *also: EventType) -> list[EventType]:
    """The complaint form, with ``text`` as its description (the form then asks only what is missing)."""
    return [SlotSet("complaint_description", text[:MAX_LETTER_CHARS]), *also, FollowupAction("complaint_form")]


def take_offered_request(tracker: Tracker) -> list[EventType]:
    """When the complaint form starts from the offer's button: the message offered is its description."""
    offered = tracker.get_slot("offered_request")
    if not offered or not str(tracker.latest_message.get("text") or "").startswith("/"):
        return []
    return [SlotSet("complaint_description", offered), SlotSet("offered_request", None)]
