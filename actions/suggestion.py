"""Policy suggestions: pick an open consultation (or a free topic), write it, optionally leave a phone;
list the most liked suggestions of a consultation and like one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, Consultation, WithCaseApi
from actions.form_base import FormValidation, Narrative, file_case
from actions.pii import NO_PHONE, declines_phone, normalize_phone
from actions.tracker_info import sender_channel, slot_text
from contract.receipts import CaseReceipt

FREE_TOPIC = "other"
MIN_SUGGESTION_CHARS = 6
_TRIGGER = re.compile(r"^(我)?(想|要)?(提|给)?(个|一个|一条|点)?(建议|意见)[，,。:：]?")


class ActionAskConsultation(WithCaseApi, Action):
    def name(self) -> str:
        return "action_ask_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            consultations = await self.api.open_consultations()
        except CaseApiError:
            consultations = []
        if not consultations:
            dispatcher.utter_message(text=replies.QUESTIONS["suggestion_topic"][0])
            return []
        buttons = [
            {"title": c.title, "payload": replies.payload("inform", consultation=c.id)} for c in consultations[:5]
        ]
        buttons.append({"title": replies.OTHER_TOPIC, "payload": replies.payload("inform", consultation=FREE_TOPIC)})
        dispatcher.utter_message(text=replies.WHICH_CONSULTATION, buttons=buttons)
        return []


def _topic(text: str) -> str | None:
    return text if 2 <= len(text) <= 50 else None


def _optional_phone(text: str) -> str | None:
    return NO_PHONE if declines_phone(text) else normalize_phone(text)


def _matching_consultation(text: str, consultations: list[Consultation]) -> Consultation | None:
    for consultation in consultations:
        if consultation.id == text or consultation.title in text or text in consultation.title:
            return consultation
    return None


class ValidateSuggestForm(WithCaseApi, FormValidation):
    form = "suggest_form"
    readers = {"suggestion_topic": _topic, "suggestion_phone": _optional_phone}
    narratives = {"suggestion_content": Narrative(_TRIGGER, "give_suggestion", MIN_SUGGESTION_CHARS)}

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("consultation") in (None, FREE_TOPIC):
            return domain_slots
        return [slot for slot in domain_slots if slot != "suggestion_topic"]

    async def validate_consultation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text in (FREE_TOPIC, replies.OTHER_TOPIC):  # the button, or its title typed
            return self.accept("consultation", FREE_TOPIC, tracker)
        try:
            consultations = await self.api.open_consultations()
        except CaseApiError:
            consultations = []
        match = _matching_consultation(text, consultations)
        if match:
            return self.accept("consultation", match.id, tracker)
        # Typed instead of picked: what the resident wrote is the free topic.
        if 2 <= len(text) <= 50:
            return {**self.accept("consultation", FREE_TOPIC, tracker), "suggestion_topic": text}
        return self.reject("consultation", dispatcher, tracker)


def _filed(consultation_id: str | None) -> Callable[[CaseReceipt], tuple[str, replies.Buttons]]:
    def confirmation(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
        buttons = replies.rate_buttons()
        if consultation_id:
            see = replies.payload("list_suggestions", consultation=consultation_id)
            buttons.insert(0, {"title": replies.SEE_SUGGESTIONS, "payload": see})
        return replies.SUGGESTION_FILED.format(number=receipt.number), buttons

    return confirmation


class ActionSubmitSuggestion(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        consultation = tracker.get_slot("consultation")
        consultation_id = None if consultation == FREE_TOPIC else consultation
        phone = tracker.get_slot("suggestion_phone")
        sender, channel = sender_channel(tracker)
        filing = self.api.submit_suggestion(
            content=slot_text(tracker, "suggestion_content"),
            consultation_id=consultation_id,
            topic=tracker.get_slot("suggestion_topic"),
            phone=None if phone == NO_PHONE else phone,
            sender=sender,
            channel=channel,
        )
        return await file_case(dispatcher, tracker, "suggest_form", filing, _filed(consultation_id))


def _last_picked_consultation(tracker: Tracker) -> str | None:
    """The consultation this resident last wrote a suggestion for (its slot is reset after filing)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "consultation":
            if event.get("value") not in (None, FREE_TOPIC):
                return str(event["value"])
    return None


class ActionListSuggestions(WithCaseApi, Action):
    def name(self) -> str:
        return "action_list_suggestions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wanted = next(tracker.get_latest_entity_values("consultation"), None) or _last_picked_consultation(tracker)
        try:
            consultations = await self.api.open_consultations()
            consultation = next((c for c in consultations if c.id == wanted), None) or (
                consultations[0] if consultations else None
            )
            if consultation is None:
                dispatcher.utter_message(text=replies.NO_CONSULTATIONS)
                return []
            top = await self.api.top_suggestions(consultation.id)
        except CaseApiError:
            dispatcher.utter_message(text=replies.SUGGESTIONS_UNAVAILABLE)
            return []
        if not top:
            dispatcher.utter_message(text=replies.NO_SUGGESTIONS_YET.format(title=consultation.title))
            return []
        lines = [replies.TOP_SUGGESTIONS.format(title=consultation.title)]
        lines += [
            replies.TOP_SUGGESTION_LINE.format(rank=i, content=s.content, likes=s.likes, number=s.number)
            for i, s in enumerate(top, start=1)
        ]
        buttons = [
            {
                "title": replies.LIKE_BUTTON.format(rank=i),
                "payload": replies.payload("like_suggestion", case_number=s.number),
            }
            for i, s in enumerate(top[:3], start=1)
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


class ActionLikeSuggestion(WithCaseApi, Action):
    def name(self) -> str:
        return "action_like_suggestion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        number = next(tracker.get_latest_entity_values("case_number"), None)
        # The number only names the liked suggestion; it must not prefill a later status check.
        forget = [SlotSet("case_number", None)]
        if not number or not number.upper().startswith("JY"):
            dispatcher.utter_message(text=replies.WHICH_SUGGESTION_TO_LIKE)
            return forget
        try:
            likes = await self.api.like_suggestion(number.upper(), tracker.sender_id)
        except CaseApiError as error:
            if error.status == 409:
                dispatcher.utter_message(text=replies.ALREADY_LIKED)
            elif error.status == 404:
                dispatcher.utter_message(text=replies.SUGGESTION_NOT_FOUND)
            else:
                dispatcher.utter_message(text=replies.LIKE_FAILED)
            return forget
        dispatcher.utter_message(text=replies.LIKED.format(likes=likes))
        return forget
