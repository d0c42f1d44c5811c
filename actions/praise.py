"""Praise (表扬): recorded as a commendation for the window, department or person, never as a complaint."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, Narrative, reset_form_slots
from actions.second_request import offer_pending_request
from actions.tracker_info import sender_channel, slot_text

MIN_PRAISE_CHARS = 4
_TRIGGER = re.compile(r"^(我)?(要|想)?(表扬|点赞|夸夸|夸一下|感谢)(一下)?[，,。:：！!]?")


class ValidatePraiseForm(FormValidation):
    form = "praise_form"
    narratives = {"praise_text": Narrative(_TRIGGER, "praise", MIN_PRAISE_CHARS)}


class ActionSubmitPraise(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_praise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        try:
            department = await self.api.record_commendation(
                text=slot_text(tracker, "praise_text"),
                department=tracker.get_slot("department"),
                service=tracker.get_slot("answered_service"),
                sender=sender,
                channel=channel,
            )
        except CaseApiError:
            dispatcher.utter_message(text=replies.PRAISE_NOT_SAVED)
            return reset_form_slots("praise_form")
        whom = department or replies.PRAISE_WHOM_DEFAULT
        dispatcher.utter_message(text=replies.PRAISE_THANKS.format(whom=whom))
        return [*reset_form_slots("praise_form"), *offer_pending_request(dispatcher, tracker)]
