"""Smart-community incidents (小区报事, SQ): what kind of problem, where (community, building, unit), what happened
and a phone, optionally a photo; filed for the grid officer of the building, who answers within hours.

The place is asked only when missing: "我家3栋2单元楼道灯坏了" gives the kind (报修), the building, the unit and
the description at once, and a "3栋2单元" said anywhere since the last report is remembered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.complaint import added_to_description, complaint_filed, corrects_the_matter, summary_of
from actions.form_base import FormValidation, Narrative, file_case
from actions.pii import normalize_phone
from actions.tracker_info import repeats_previous_message, sender_channel, slot_text
from contract.community_places import (
    INCIDENT_KINDS,
    close_names,
    find_community,
    place_text,
    read_place,
    typo_of,
)
from contract.receipts import CaseReceipt
from knowledge.places import extract_place

MIN_DESCRIPTION_CHARS = 4
# "不在楼里" (deny at the building question): the problem is outside any building (小区门口, 健身器材).
NOT_IN_A_BUILDING = "不在楼里"
_TRIGGER = re.compile(r"^(我)?(要|想)?(报修|报事|反映|报个修|报一下|报告)(一下)?(个|一个)?(问题|情况|事)?[，,。:：]?")

# Words that tell the kind of a problem, most specific first: a charging e-bike in the stairwell is a hazard
# before it is a repair, noise from upstairs a dispute before it is hygiene.
_KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "安全隐患",
        re.compile(r"隐患|危险|消防|电动车.{0,4}充电|飞线|私拉|电线|燃气|煤气|脱落|松动|要掉|倒塌|坍塌|裂缝|井盖"),
    ),
    ("邻里纠纷", re.compile(r"邻居|纠纷|吵架|楼上.{0,6}(吵|响|噪)|楼下.{0,6}(吵|响|噪)|占(用)?(我家)?车位|养狗|狗叫")),
    ("环境卫生", re.compile(r"垃圾|卫生|清运|清理|臭|脏|杂物|污水|粪|老鼠|蚊|蟑螂|小广告|落叶")),
    ("报修", re.compile(r"坏|不亮|漏水|渗水|故障|堵|停水|停电|没水|没电|维修|修一下|破了|损|电梯|门禁|路灯|灯")),
)


def kind_of(text: str) -> str | None:
    """The kind a resident's words name ("报修" or its button) or describe ("楼道灯坏了" -> 报修)."""
    text = text.strip()
    for kind in INCIDENT_KINDS:
        if text == kind or text.startswith(kind):
            return kind
    return next((kind for kind, words in _KIND_WORDS if words.search(text)), None)


def _place(text: str) -> str | None:
    """ "3栋2单元" as the form keeps it, read from anything the resident wrote ("我家三号楼二单元门口")."""
    building, unit = read_place(text)
    return place_text("", building, unit) if building else None


def _unlisted_estate(text: str, names: list[str]) -> str | None:
    """The place as written when `text` names an estate that is no listed community nor a likely typo of one."""
    place = extract_place(text)
    if place is None or not place.specific or place.community is None:
        return None
    return None if typo_of(place.community, close_names(place.community, names)) else place.as_written


def _texts_since_last_report(tracker: Tracker) -> list[str]:
    """What the resident wrote since their last report was filed, latest first (an earlier report's place is
    another problem's), and since the place was last cleared (a place the gateway refused is not read again)."""
    texts = []
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "last_case_number" and event.get("value"):
            break
        if event.get("event") == "slot" and event.get("name") == "incident_place" and event.get("value") is None:
            break
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/"):
            texts.append(str(event.get("text") or ""))
    return texts


class ValidateIncidentForm(WithCaseApi, FormValidation):
    form = "incident_form"
    readers = {"phone": normalize_phone}
    narratives = {
        "incident_description": Narrative(_TRIGGER, "report_incident", MIN_DESCRIPTION_CHARS, problem_suffices=True)
    }

    async def extract_incident_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A "3栋2单元" said in any message since the last report, so that it is not asked again."""
        if tracker.get_slot("incident_place"):
            return {}
        place = next(filter(None, map(_place, _texts_since_last_report(tracker))), None)
        return {"incident_place": place} if place else {}

    async def extract_community(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A known community named in any message since the last report ("梅山小区3栋灯坏了")."""
        if tracker.get_slot("community") or tracker.get_slot("requested_slot") == "community":
            return {}
        texts = _texts_since_last_report(tracker)
        if not texts:
            return {}
        try:
            names = await self.api.communities("")
        except CaseApiError:
            return {}
        found = next(filter(None, (find_community(text, names) for text in texts)), None)
        if found is None:
            # An estate outside the directory named in the report ("金安区梅山路幸福小区的电梯坏了"): not asked
            # again; validate_community says it will be a 12345 request.
            found = next(filter(None, (_unlisted_estate(text, names) for text in texts)), None)
        return {"community": found} if found else {}

    def validate_incident_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        kind = kind_of(text)
        if kind is None:
            return self.reject("incident_kind", dispatcher, tracker, buttons=replies.QUESTIONS["incident_kind"][1])
        accepted = self.accept("incident_kind", kind, tracker)
        if text not in INCIDENT_KINDS and not tracker.get_slot("incident_description"):
            # "楼道灯坏了" answers the kind and already says what happened.
            accepted.update(self.validate_incident_description(text, dispatcher, tracker, domain))
            accepted["incident_kind"] = kind
        return accepted

    def validate_incident_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = self.narrative(
            "incident_description", value, dispatcher, tracker, self.narratives["incident_description"]
        )
        description = result.get("incident_description")
        kind = kind_of(str(description)) if description and not tracker.get_slot("incident_kind") else None
        if kind:
            result["incident_kind"] = kind  # else the kind is asked, with buttons
        return result

    async def validate_community(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A community the gateway knows; a typo gets the closest names as buttons. Without the gateway the name
        is kept as typed: filing checks it."""
        text = str(value).strip()
        try:
            names = await self.api.communities(text) or await self.api.communities("")
        except CaseApiError:
            return self.accept("community", text, tracker) if text else self.reject("community", dispatcher, tracker)
        found = find_community(text, names)
        if found:
            return self.accept("community", found, tracker)
        asked = tracker.get_slot("requested_slot") == "community"
        if not asked and _unlisted_estate(text, names) is None:
            return {"community": None}  # a word in another answer that is no community: nothing to say
        choices = close_names(text, names)
        place = extract_place(text)
        if (
            place is not None
            and place.specific
            and (repeats_previous_message(tracker) or not typo_of(place.community or text, choices))
        ):
            # An estate with no grid in the directory ("史河街道民乐小区"), or a name kept after the close ones were
            # shown: still a real problem at a real place, filed as a 12345 request instead (ActionSubmitIncident).
            dispatcher.utter_message(text=replies.COMMUNITY_UNLISTED)
            return self.accept("community", place.as_written, tracker)
        buttons = [{"title": name, "payload": replies.payload("inform", community=name)} for name in choices]
        message = replies.WHICH_COMMUNITY if choices else None
        return self.reject("community", dispatcher, tracker, message, buttons)

    def validate_incident_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text == NOT_IN_A_BUILDING:
            return self.accept("incident_place", text, tracker)
        place = _place(text)
        if place:
            return self.accept("incident_place", place, tracker)
        description = str(tracker.get_slot("incident_description") or "")
        if description and corrects_the_matter(text, description, None):
            # "说错了 不是电梯 是楼道灯坏了": the report corrected, not an answer; the building is asked again.
            added = added_to_description(description, text, dispatcher, tracker, "incident_description")
            return {**added, "incident_place": None}
        return self.reject("incident_place", dispatcher, tracker, buttons=replies.QUESTIONS["incident_place"][1])


def response_hours(deadline: str | None, now: datetime | None = None) -> int | None:
    """The officer's response deadline as whole hours from now (the receipt gives the moment)."""
    if not deadline:
        return None
    try:
        moment = datetime.fromisoformat(deadline.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=replies.LOCAL_TIME)
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(1, round(seconds / 3600))


def _filed(kind: str, place: str, description: str) -> Callable[[CaseReceipt], tuple[str, replies.Buttons]]:
    def confirmation(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
        summary = summary_of(description)
        hours = response_hours(receipt.deadline)
        if hours is None or not receipt.deadline:
            text = replies.INCIDENT_FILED_NO_DEADLINE.format(
                kind=kind, place=place, summary=summary, number=receipt.number
            )
        else:
            text = replies.INCIDENT_FILED.format(
                kind=kind,
                place=place,
                summary=summary,
                number=receipt.number,
                hours=hours,
                time=replies.chinese_time(receipt.deadline),
            )
        return text, []

    return confirmation


# What the gateway refuses in a filed place (422): the field is asked again after its Chinese explanation.
ASK_AGAIN_ON_REFUSAL = {"unknown_community": ("community",), "unknown_building": ("incident_place",)}


class ActionSubmitIncident(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_incident"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        kind, community = slot_text(tracker, "incident_kind"), slot_text(tracker, "community")
        building, unit = read_place(slot_text(tracker, "incident_place"))
        description = slot_text(tracker, "incident_description")
        photo = tracker.get_slot("photo_id")
        place = place_text(community, building, unit)
        try:
            listed = find_community(community, await self.api.communities(community)) is not None
        except CaseApiError:
            listed = True  # the filing itself then tells the resident whether it went through
        if not listed:
            # No grid officer serves this estate: the problem becomes a 12345 request, routed to a department.
            filing = self.api.submit_complaint(
                description=description,
                phone=slot_text(tracker, "phone"),
                place=place,
                service=None,
                department=None,
                sender=sender,
                channel=channel,
            )
            return await file_case(dispatcher, tracker, "incident_form", filing, complaint_filed(description))
        filing = self.api.report_incident(
            kind=kind,
            community=community,
            building=building,
            unit=unit,
            description=description,
            phone=slot_text(tracker, "phone"),
            photo_ids=[str(photo)] if photo else [],
            sender=sender,
            channel=channel,
        )
        confirmation = _filed(kind, place, description)
        return await file_case(
            dispatcher, tracker, "incident_form", filing, confirmation, ask_again=ASK_AGAIN_ON_REFUSAL
        )


class ActionKeepPhoto(Action):
    """A photo (WeChat image or widget upload, stored by the gateway): kept for the incident being reported, or
    for one the resident starts next."""

    def name(self) -> str:
        return "action_keep_photo"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.active_loop_name == "incident_form":
            dispatcher.utter_message(text=replies.PHOTO_KEPT)
        else:
            dispatcher.utter_message(text=replies.PHOTO_KEPT_OUTSIDE_FORM, buttons=replies.REPORT_INCIDENT_BUTTONS)
        return []
