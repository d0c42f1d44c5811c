"""Complaints: what happened and a phone number, filed as a TS case answered within 3 working days."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import WithCaseApi
from actions.form_base import FormValidation, file_case, only_states_intent
from actions.tracker_info import sender_channel
from contract.receipts import CaseReceipt

MIN_DESCRIPTION_CHARS = 6
_TRIGGER = re.compile(r"^(我)?(要|想)?(投诉|举报|反映)(一下)?(个|一个)?(问题|情况)?[，,。:：]?")


def description_content(text: str) -> str:
    """The description without the "我要投诉" that only says a complaint is coming."""
    return _TRIGGER.sub("", text.strip()).strip()


class ValidateComplaintForm(FormValidation):
    def name(self) -> str:
        return "validate_complaint_form"

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(description_content(text)) >= MIN_DESCRIPTION_CHARS:
            return self.accept("complaint_description", text, tracker)
        if only_states_intent(tracker, "submit_complaint"):
            # Only "我要投诉": let the form ask its question instead of scolding.
            return {"complaint_description": None}
        return self.reject("complaint_description", replies.SHORT_DESCRIPTION, dispatcher, tracker)


def _filed(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
    handler = replies.COMPLAINT_HANDLER.format(department=receipt.department) if receipt.department else ""
    date = replies.chinese_date(receipt.deadline or "")
    return replies.COMPLAINT_FILED.format(number=receipt.number, handler=handler, date=date), replies.rate_buttons()


class ActionSubmitComplaint(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        filing = self.api.submit_complaint(
            description=tracker.get_slot("complaint_description"),
            phone=tracker.get_slot("phone"),
            service=tracker.get_slot("service"),
            department=tracker.get_slot("department"),
            sender=sender,
            channel=channel,
        )
        return await file_case(dispatcher, "complaint_form", filing, _filed)
