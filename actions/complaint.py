"""Complaints: what happened and a phone number, filed as a TS case answered within 3 working days."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.answer import answer_with_hit
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import MAX_ACKNOWLEDGEMENT_CHARS, FormValidation, Narrative, changes_kind, file_case
from actions.intake import SALUTATION, describes_a_problem
from actions.knowledge_hits import knowledge_of
from actions.pii import NO_PHONE, declines_phone, mask_text, normalize_contact_phone
from actions.tracker_info import (
    bot_texts_before_latest_message,
    latest_intent,
    sender_channel,
    slot_before_latest_message,
    slot_text,
)
from contract.case_kinds import find_case_number
from contract.knowledge import Hit
from contract.limits import MAX_LETTER_CHARS
from contract.receipts import CaseReceipt
from knowledge.places import Place, describe, extract_place, filled_in
from knowledge.request_kind import (
    ANNOUNCING,
    announces_complaint,
    han_count,
    mentions_earlier_report,
    only_announces_complaint,
)

MIN_DESCRIPTION_CHARS = 6
# What the place question takes: the case's place column holds 200 characters; "说不清楚" (deny) is NO_PLACE.
MAX_PLACE_CHARS = 200
MIN_PLACE_CHARS = 2
MORE_DESCRIPTION_CHARS = 40
NO_PLACE = "未说明"
# "我要投诉，", "算了，我还是投诉吧：", "算了不办了，我要投诉" and "我想反应一个问题。" (反映 mistyped, after 要/想
# only) only announce the complaint.
_TRIGGER = re.compile(
    r"^(?:(?:算了|好吧)[，,\s]*我?不(?:办|问|查|弄|补|申请|咨询)了|算了|好吧|那)?[，,。\s]*"
    rf"(我)?(还是)?(要|想)?{ANNOUNCING}(一下|下(?=[，,。:：\s个两几问情]))?(个|一个|两个|几个)?(问题|情况|事(?=[，,。:：\s]))?(吧)?[，,。:：]?"
    r"|^(?:wo\s*)?(?:yao\s*|xiang\s*)?(?:tousu|jubao|fanying)\b[，,。:：\s]*",  # typed in pinyin: "wo yao tousu"
    re.IGNORECASE,
)


# "不对，是叶集区", "地址说错了，应该是……": the place given was wrong.
_CORRECTION = re.compile(r"不对|不是|错了|说错|改成|改为|应该是")
# The words that lead into a correction ("等等 我说错了 "), not part of what it says.
_CORRECTION_LEAD = (
    r"^(?:(?:等下|等一下|等等|哦|噢|嗯|呃|额|那个|不好意思)[，,。!！\s]*)*"
    r"(?:(?:不对|(?:我|刚才)?(?:说|写|打|搞)?错了)[了，,。!！\s]*)?"
)
# Words before the place itself in an answer to the place question ("不对 地方是金寨县梅山镇汤家汇村"): not kept.
_PLACE_LEAD = re.compile(
    _CORRECTION_LEAD + r"(?:(?:地方|地点|位置|地址)(?:应该)?[是在]|应该是|改成|改为|是在|是|在)?[：:，,\s]*"
)


# What a correction takes back: "不是公厕" (the matter), "不是在鼓楼广场" (the place).
_TAKEN_BACK_TEXT = r"不是在?([^，,。！!？?、\s是]{1,12})"
_TAKEN_BACK = re.compile(_TAKEN_BACK_TEXT)
# A message that starts by taking something back ("等等 不是公厕 是……", "我说的不是公厕"), not one that says 不是 in
# passing ("这已经不是第一次了").
_OPENS_BY_TAKING_BACK = re.compile(_CORRECTION_LEAD + r"(?:我说的|我是说)?" + _TAKEN_BACK_TEXT)
_LEADS_INTO_CORRECTION = re.compile(_CORRECTION_LEAD)


def corrects_the_matter(text: str, description: str, kept_place: str | None) -> bool:
    """ "等等 不是公厕 是边上的垃圾站 臭死了": what it takes back was said of the matter, not of the place kept."""
    taken_back = _OPENS_BY_TAKING_BACK.match(text)
    return (
        taken_back is not None and taken_back.group(1) in description and taken_back.group(1) not in (kept_place or "")
    )


def _corrected_place(text: str) -> str | None:
    """The place a correction gives, as the case keeps it, not the one it takes back ("不对，不是鼓楼广场，是九墩塘":
    九墩塘, kept as written when the gazetteer does not know it)."""
    rest = _TAKEN_BACK.sub("", text)
    place = extract_place(rest)
    if place is not None:
        return describe(place)
    written = _PLACE_LEAD.sub("", rest.strip()).strip(" ，,。！!")
    return written if han_count(written) >= MIN_PLACE_CHARS else None


# "金安区三里桥街道梅山路" alone, said at the phone question: the place made precise, no more description.
PLACE_ONLY_EXTRA_CHARS = 2


def _only_a_place(text: str, place: Place) -> str | None:
    """The place a message consists of ("霍山县佛子岭镇黄巢寺村"), as the case keeps it, else None."""
    return describe(place) if han_count(text.replace(place.as_written, "")) <= PLACE_ONLY_EXTRA_CHARS else None


def _joined_place(kept: str, place: Place) -> str:
    """A place said after one was kept, not as a correction: it fills in what the kept one lacks ("裕安区西市街道"
    after "鼓楼广场": 裕安区西市街道 鼓楼广场). One naming another district, estate or road replaces it."""
    earlier = extract_place(kept)
    if earlier is None or describe(earlier) != kept:
        # Kept as the resident wrote it ("就在菜市场门口"): a district or a street is put before it, once.
        region = describe(place)
        if place.specific:
            return region
        return kept if region in kept else f"{region} {kept}"
    joined = filled_in(earlier, place)
    return describe(joined if joined is not None else place)


# A place answer with this much more than the place tells more of the matter ("…交叉口 晚上黑乎乎的 好几天了 老人
# 走路都摔了": 18 more), not only where it is ("我家门口那条路 叫梅山路 靠近六安一中的那一段": 12 more).
MORE_THAN_A_PLACE_HAN = 16


def _place_and_more(text: str, place: Place | None) -> bool:
    return place is not None and han_count(text.replace(place.as_written, "")) >= MORE_THAN_A_PLACE_HAN


# "TS2026120500001" or "上次的编号是TS2026120500001" at the place or phone question: the earlier case's number.
EARLIER_NUMBER_WORDS = 8


def _earlier_number(text: str) -> str | None:
    number = find_case_number(text)
    if number is None or han_count(text) > EARLIER_NUMBER_WORDS:
        return None
    return number


# "编号忘了", "我没有单号" at the place or phone question of a repeat report: about the earlier case's number,
# neither a place nor a refusal of the phone.
_NO_EARLIER_NUMBER = re.compile(
    r"(?:没有?|忘了|忘记了?|不记得|记不(?:得|清)|找不到)了?(?:上次的?|之前的?)?(?:办件)?(?:编号|单号)"
    r"|(?:编号|单号)(?:我)?(?:忘了|忘记了?|没有?了?|不记得了?|找不到了?|丢了)"
)


def _without_earlier_number(text: str, dispatcher: CollectingDispatcher) -> bool:
    """The message only says the earlier number is not at hand: told that it does not matter."""
    if not _NO_EARLIER_NUMBER.search(text) or extract_place(text) is not None or any(c.isdigit() for c in text):
        return False
    dispatcher.utter_message(text=replies.NO_EARLIER_NUMBER)
    return True


def _with_earlier_number(description: str, number: str, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """The earlier case's number goes with the matter: the gateway links the cases when the number is the
    resident's own (api/services/repeat_reports.py), and the agent sees it otherwise."""
    dispatcher.utter_message(text=replies.EARLIER_NUMBER_NOTED.format(number=number))
    line = replies.EARLIER_NUMBER_LINE.format(number=number)
    return {"complaint_description": f"{description}\n{line}"[:MAX_LETTER_CHARS]}


def _question_instead_of_place(tracker: Tracker, text: str) -> Hit | None:
    """A how-to question the knowledge base answers, asked instead of the place and naming none."""
    if latest_intent(tracker) != "ask_service" or extract_place(text) is not None:
        return None
    knowledge = knowledge_of(tracker.latest_message)
    return knowledge.best if knowledge is not None else None


def _contact(text: str) -> str | None:
    return NO_PHONE if declines_phone(text) else normalize_contact_phone(text)


def description_content(text: str) -> str:
    """The description without the "我要投诉" that only says a complaint is coming."""
    return _TRIGGER.sub("", text.strip()).strip()


# Later parts of a letter pasted in several messages, which the classifier may read as another kind of request
# ("一是小区物业不作为……" as a 小区报事, "希望有关部门督促物业整改，谢谢！" as a suggestion or praise).
_CONTINUED_KINDS = frozenset({"report_incident", "give_suggestion", "praise"})
# Unless the resident asks for that kind in words, at the start: "我要报修", "那我提个建议吧", "帮我表扬一下".
_ASKS_FOR_ANOTHER_TASK = re.compile(
    r"^.{0,3}?(?:我|我们)?还?(?:想|要|帮我|给我)再?(?:提|报|表扬|点赞|夸|感谢|咨询|申请|办|查|评价)"
)


def more_of_the_letter(tracker: Tracker) -> str | None:
    """The latest message, when it goes on with the complaint's description (its place or phone asked) instead
    of asking for another kind of request; else None."""
    if tracker.active_loop_name != "complaint_form" or latest_intent(tracker) not in _CONTINUED_KINDS:
        return None
    text = str(tracker.latest_message.get("text") or "").strip()
    if (
        tracker.get_slot("requested_slot") not in ("phone", "complaint_place")
        or not tracker.get_slot("complaint_description")
        or not describes_a_problem(text)
        or changes_kind(text)
        or _ASKS_FOR_ANOTHER_TASK.search(text)
    ):
        return None
    return text


def added_to_description(
    description: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str = "complaint_description"
) -> dict[str, Any]:
    """`text` joins the description in `slot` (a form's), and the resident is told so."""
    added = (replies.ADDED_TO_DESCRIPTION, replies.ADDED_AGAIN)
    again = any(said in added for said in bot_texts_before_latest_message(tracker))
    dispatcher.utter_message(text=replies.ADDED_AGAIN if again else replies.ADDED_TO_DESCRIPTION)
    return {slot: f"{description}\n{text}"[:MAX_LETTER_CHARS]}


def continue_with_more_of_the_letter(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
    """The complaint form keeps the part and asks its question again (its place too, when that was asked)."""
    added = added_to_description(str(tracker.get_slot("complaint_description")), text, dispatcher, tracker)
    if tracker.get_slot("requested_slot") == "complaint_place" and (place := extract_place(text)):
        added["complaint_place"] = describe(place)
    return [*(SlotSet(slot, value) for slot, value in added.items()), FollowupAction("complaint_form")]


class ValidateComplaintForm(WithCaseApi, FormValidation):
    form = "complaint_form"
    narratives = {
        "complaint_description": Narrative(_TRIGGER, "submit_complaint", MIN_DESCRIPTION_CHARS, problem_suffices=True)
    }

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The place is asked only when the request's category needs one and the description names none."""
        if tracker.get_slot("place_needed"):
            return domain_slots
        return [slot for slot in domain_slots if slot != "complaint_place"]

    async def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """What happened. A letter's opening that only announces it ("尊敬的领导：我是……的业主，想反映几个问题。")
        is kept, and the form asks what the matter is; the opening then goes before the answer."""
        text = str(value).strip()
        opening = tracker.get_slot("complaint_opening")
        if only_an_opening(text) and opening in (None, text):  # validation runs twice on activation
            return {"complaint_description": None, "complaint_opening": text}
        result = self.narrative(
            "complaint_description", value, dispatcher, tracker, self.narratives["complaint_description"]
        )
        if opening and result.get("complaint_description") and not text.startswith("/"):
            # The answer tells the matter on its own (a phone number alone does not): the opening goes before it.
            told = f"{opening}\n{result['complaint_description']}"[:MAX_LETTER_CHARS]
            result = {**result, "complaint_description": told, "complaint_opening": None}
        description = result.get("complaint_description")
        if not description or tracker.get_slot("complaint_place"):
            return result
        try:
            advice = await self.api.route(str(description), sender=tracker.sender_id)
        except CaseApiError:
            return result  # no router: filed without asking, an agent dispatches it
        return {**result, "place_needed": advice.needs_place, "complaint_place": advice.place}

    def validate_complaint_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any place as the resident writes it ("就在菜市场门口"); "说不清楚" files the request without one."""
        text = str(value).strip()
        description = slot_before_latest_message(tracker, "complaint_description")
        place = extract_place(text)
        if description and (len(text) > MORE_DESCRIPTION_CHARS or _place_and_more(text, place)):
            # More of a letter pasted in several messages, or a place told with more of what happened ("就在梅山路
            # 和人民路交叉口 晚上黑乎乎的 老人走路都摔了"): it belongs to the description, and may say where.
            return {
                **added_to_description(description, text, dispatcher, tracker),
                "complaint_place": describe(place) if place else None,
            }
        if (
            description
            and not text.startswith("/")
            and ((place is None and _CORRECTION.search(text)) or corrects_the_matter(text, description, None))
        ):
            # "等等 我说错了 是隔壁那家烧烤店", "不是公厕 是垃圾站": what happened corrected, not where; the place is
            # asked again.
            return {**added_to_description(description, text, dispatcher, tracker), "complaint_place": None}
        number = _earlier_number(text)
        if number is not None and description:
            return {**_with_earlier_number(description, number, dispatcher), "complaint_place": None}
        if description and _without_earlier_number(text, dispatcher):
            return {"complaint_place": None}
        asked = _question_instead_of_place(tracker, text)
        if asked is not None:
            # "对了 社保卡丢了怎么补办": answered from its guide, then the place is asked again (no try counted).
            answer_with_hit(dispatcher, tracker, asked)
            return {"complaint_place": None, "answered_service": asked.service}
        phone = _contact(text)
        if phone is not None:
            # The phone given instead (the place skipped): filed without a place, the phone is not asked again.
            # "不留" then keeps a number given earlier in the conversation.
            kept = tracker.get_slot("phone")
            return {
                **self.accept("complaint_place", NO_PLACE, tracker),
                "phone": kept if phone == NO_PHONE and kept else phone,
            }
        if text.startswith("/"):
            return {"complaint_place": None}  # a button of an earlier message: the question is asked again
        text = (_PLACE_LEAD.sub("", text) or text)[:MAX_PLACE_CHARS]
        if latest_intent(tracker) == "affirm" and han_count(text) <= MAX_ACKNOWLEDGEMENT_CHARS:
            return self.reject("complaint_place", dispatcher, tracker)  # "好的", "嗯嗯": no place, asked again
        if text == NO_PLACE or han_count(text) >= MIN_PLACE_CHARS or any(c.isdigit() for c in text):
            return self.accept("complaint_place", text, tracker)
        return self.reject("complaint_place", dispatcher, tracker)

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A complaint takes a mobile, a landline with its area code, or no phone at all ("不留"). More of the
        letter instead (pasted in several WeChat messages) belongs to the description, not to a phone refusal."""
        text = str(value).strip()
        description = slot_before_latest_message(tracker, "complaint_description") or tracker.get_slot(
            "complaint_description"
        )
        number = _earlier_number(text)
        if number is not None and description:
            return {**_with_earlier_number(description, number, dispatcher), "phone": None}
        if description and _without_earlier_number(text, dispatcher):
            return {"phone": None}
        kept = tracker.get_slot("complaint_place")
        kept = None if kept == NO_PLACE else kept  # "未说明" (no place could be told) is no place to join
        if _contact(text) is None and description and corrects_the_matter(text, description, kept):
            return {**added_to_description(description, text, dispatcher, tracker), "phone": None}
        if _contact(text) is None and (place := extract_place(text)) is not None:
            if kept and _CORRECTION.search(text):
                corrected = _corrected_place(text)
                if corrected is not None:
                    dispatcher.utter_message(text=replies.PLACE_CORRECTED.format(place=corrected))
                    return {"complaint_place": corrected, "phone": None}
            if kept and _only_a_place(text, place):
                joined = _joined_place(str(kept), place)
                reply = replies.PLACE_CORRECTED if joined == describe(place) else replies.PLACE_NOTED
                dispatcher.utter_message(text=reply.format(place=joined))
                return {"complaint_place": joined, "phone": None}
            if not kept and (told_place := _only_a_place(text, place)):
                # Where it is, said at the phone question ("霍山县佛子岭镇黄巢寺村"): the place, no more of the matter.
                dispatcher.utter_message(text=replies.PLACE_NOTED.format(place=told_place))
                return {"complaint_place": told_place, "phone": None}
        if _contact(text) is None and description and describes_a_problem(text) and latest_intent(tracker) != "thank":
            return {**added_to_description(description, text, dispatcher, tracker), "phone": None}
        return self.checked("phone", value, _contact, dispatcher, tracker, replies.BAD_CONTACT_PHONE)


_ENDS = "。！!？?\n"
_PAUSES = "，,；;：:、 "
_SENTENCE = re.compile(rf"[^{_ENDS}]+[{_ENDS}]*")
SUMMARY_CHARS = 30
# A second request of the conversation starts by joining the first ("还有 楼下烧烤店油烟太大"), a list by counting
# ("一是小区门口的路灯坏了"): not the matter.
_CONNECTIVE = re.compile(r"^(?:还有|另外|再就是|再有|对了|一是|第一[，,、]?|首先)[，,。：:\s]*")
# A clause with the comma that ends it; a WeChat message often puts a space where a letter has a comma
# ("我是叶集区孙岗乡的 俺家老头子去年走了").
_CLAUSE = re.compile(r"[^，,；;：:\s]+[，,；;：:\s]*")
# A letter's self-introduction says who writes, not what about ("我是……的一名退休职工", "今年六十八岁").
# An age is an introduction only on its own: "四十多岁被裁了" is the matter.
_INTRODUCTION = re.compile(
    r"^(?:我|本人|我们|俺|俺们)(?:是|叫|系)|^(?:今年|已经)?[\d一二三四五六七八九十几]+多?岁(?:了|的我)?[，,；;：:]?$"
    # Where the writer lives, said of themselves ("家住解放路南苑小区"), not what is wrong there ("我家住的楼漏水").
    r"|^(?:我|我们|俺)?(?:家)?住(?:在)?[^，,；;。]*(?:小区|社区|村|组|街道|镇|乡|号|栋|号楼|单元|室)[，,；;。]?$"
)


# What a resident says while dictating a voice message, not the matter ("喂 你好 我跟你说个事啊 就是我们这个小区啊 叫
# 那个什么 金色家园 对 金色家园 物业费……"): such clauses, and a clause said twice in a row, leave the line.
_SPOKEN_FILLER = re.compile(
    r"(?:喂+|你好|您好|对+|嗯+|啊|那个|(?:叫)?那个什么|就是说?|(?:我)?跟你(?:们)?(?:说|讲)(?:个事|一下|个事情)?啊?"
    r"|是这样(?:的|子)?|怎么说呢)[啊呀吧]?[，,；;：:\s]*"
)


def _without_spoken_filler(sentence: str) -> str:
    kept: list[str] = []
    for clause in _CLAUSE.findall(sentence):
        if _SPOKEN_FILLER.fullmatch(clause) or (kept and clause.strip() == kept[-1].strip()):
            continue
        kept.append(clause)
    return "".join(kept) if kept else sentence


def _without_introduction(sentence: str) -> str:
    """The sentence from its first clause that is more than the writer's introduction or the announcement of a
    complaint ("我是……的居民，我们小区门口的下水道堵了": from 我们; "我是……的业主，想反映几个问题。": ""), or "" when it
    is all introduction."""
    for clause in _CLAUSE.finditer(sentence):
        if not _INTRODUCTION.search(clause.group().strip()) and not only_announces_complaint(clause.group()):
            return sentence[clause.start() :].strip()
    return ""


def only_an_opening(text: str) -> bool:
    """A salutation, the writer's introduction and the announcement of a complaint, and nothing of the matter.
    ("我要投诉" alone is no opening: the form asks what happened, and that is all of the description.)"""
    if not announces_complaint(text) or han_count(description_content(text)) < MIN_DESCRIPTION_CHARS:
        return False
    sentences = _sentences(SALUTATION.sub("", text.strip()))
    return not any(_without_introduction(sentence.rstrip(_ENDS)) for sentence in sentences)


def _sentences(text: str) -> list[str]:
    """Each sentence with the mark that ends it."""
    return [sentence.strip() for sentence in _SENTENCE.findall(text) if sentence.strip(_ENDS + " ")]


def _as_corrected(description: str) -> str:
    """The description from its last correction of the matter on, without the words that lead into it
    ("鼓楼广场边上的公厕一直锁着" then "等等 不是公厕 是边上的垃圾站": the line restates the 垃圾站)."""
    lines = description.split("\n")
    for at in range(len(lines) - 1, 0, -1):
        if corrects_the_matter(lines[at], "\n".join(lines[:at]), None):
            return "\n".join([_LEADS_INTO_CORRECTION.sub("", lines[at]), *lines[at + 1 :]])
    return description


def summary_of(description: str) -> str:
    """One line that restates the request: its first sentence that is more than the writer's introduction,
    without that introduction, the letter's greeting or the words that only announce a complaint ("我要投诉，"),
    cut short."""
    # Shown to the resident and in lists: a phone or ID number written in the request is masked.
    text = _CONNECTIVE.sub("", description_content(SALUTATION.sub("", mask_text(_as_corrected(description.strip())))))
    sentences = _sentences(text)
    matters = []
    for sentence in sentences:
        body = sentence.rstrip(_ENDS)
        if matter := _without_introduction(_without_spoken_filler(body)):
            # its own mark, or a comma where a WeChat part ended at a line break without one
            mark = sentence[len(body) :].replace("\n", "")[:1]
            matters.append(matter + (mark or ("" if matter[-1] in _PAUSES else "，")))
    first = matters[0] if matters else sentences[0] if sentences else text
    # Short sentences that follow go with it while the line stays short ("你们12345是不是摆设？打了三次电话都没人接":
    # the first alone says little).
    for following in matters[1:]:
        if len(first) + len(following) > SUMMARY_CHARS:
            break
        first += following
    # A WeChat part often ends at a comma ("最近城区到处都是黑车在拉客，"), a sentence at a full stop: not the line.
    first = first.rstrip(_PAUSES + "。.！!") or first
    return first if len(first) <= SUMMARY_CHARS else _cut(first) + "……"


# Where a long first sentence may be cut: after a clause or a phrase ("…积水，最深的时候到小……" reads worse than
# "…积水……"), when at least half of the line is kept.
_PAUSE = re.compile(r"[，,；;：:、\s]")


def _cut(sentence: str) -> str:
    head = sentence[: SUMMARY_CHARS + 1]
    pauses = [m.start() for m in _PAUSE.finditer(head) if m.start() >= SUMMARY_CHARS // 2]
    return head[: pauses[-1]] if pauses else sentence[:SUMMARY_CHARS]


def complaint_filed(description: str) -> Callable[[CaseReceipt], tuple[str, replies.Buttons]]:
    def confirmation(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
        handler = ""
        if receipt.department and receipt.category:
            handler = replies.COMPLAINT_HANDLER_WITH_CATEGORY.format(
                category=receipt.category, department=receipt.department
            )
        elif receipt.department:
            handler = replies.COMPLAINT_HANDLER.format(department=receipt.department)
        date = replies.chinese_date(receipt.deadline or "")
        if receipt.query_code:
            text = replies.COMPLAINT_FILED_NO_PHONE.format(
                number=receipt.number, code=receipt.query_code, handler=handler, date=date
            )
        else:
            text = replies.COMPLAINT_FILED.format(number=receipt.number, handler=handler, date=date)
        summary = summary_of(description)
        restated = (
            replies.RESTATED_WITH_PLACE.format(summary=summary, place=receipt.place)
            if receipt.place
            else replies.RESTATED.format(summary=summary)
        )
        if receipt.earlier_number:
            text += replies.REPEAT_LINKED.format(number=receipt.earlier_number, status=receipt.earlier_status)
        elif earlier := find_case_number(description):
            text += replies.REPEAT_NUMBER_KEPT.format(number=earlier)
        elif mentions_earlier_report(description):
            text += replies.REPEAT_UNLINKED
        return restated + text, [*replies.buttons(replies.WRONG_DEPARTMENT_BUTTON), *replies.rate_buttons()]

    return confirmation


class ActionSubmitComplaint(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        phone = tracker.get_slot("phone")
        place = tracker.get_slot("complaint_place")
        filing = self.api.submit_complaint(
            description=slot_text(tracker, "complaint_description"),
            phone=None if phone == NO_PHONE else phone,
            place=None if place in (None, NO_PLACE) else str(place),
            service=tracker.get_slot("service"),
            asked_service=tracker.get_slot("answered_service"),
            department=tracker.get_slot("department"),
            sender=sender,
            channel=channel,
        )
        description = slot_text(tracker, "complaint_description")
        return await file_case(dispatcher, tracker, "complaint_form", filing, complaint_filed(description))
