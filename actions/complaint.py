"""Complaints: what happened and a phone number, filed as a TS case answered within 3 working days."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import WithCaseApi
from actions.form_base import FormValidation, file_case, only_states_intent
from actions.pii import normalize_contact_phone
from actions.tracker_info import sender_channel, slot_text
from contract.receipts import CaseReceipt

MIN_DESCRIPTION_CHARS = 6
NO_PHONE = "不留"
_NO_PHONE_WORDS = ("不留", "不方便", "不想留", "没有电话", "没电话", "不用留", "不需要", "算了不留", "保密")
_TRIGGER = re.compile(r"^(我)?(要|想)?(投诉|举报|反映)(一下)?(个|一个)?(问题|情况)?[，,。:：]?")


def description_content(text: str) -> str:
    """The description without the "我要投诉" that only says a complaint is coming."""
    return _TRIGGER.sub("", text.strip()).strip()


class ValidateComplaintForm(FormValidation):
    def name(self) -> str:
        return "validate_complaint_form"

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        if len(description_content(text)) >= MIN_DESCRIPTION_CHARS:
            return self.accept("complaint_description", text, tracker)
        if only_states_intent(tracker, "submit_complaint"):
            # Only "我要投诉": let the form ask its question instead of scolding.
            return {"complaint_description": None}
        return self.reject("complaint_description", dispatcher, tracker)

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A complaint takes a mobile, a landline with its area code, or no phone at all ("不留")."""
        text = str(value).strip()
        if any(word in text for word in _NO_PHONE_WORDS):
            return self.accept("phone", NO_PHONE, tracker)
        phone = normalize_contact_phone(text)
        if phone is None:
            return self.reject("phone", dispatcher, tracker, replies.BAD_CONTACT_PHONE)
        return self.accept("phone", phone, tracker)


def _filed(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
    handler = replies.COMPLAINT_HANDLER.format(department=receipt.department) if receipt.department else ""
    date = replies.chinese_date(receipt.deadline or "")
    if receipt.query_code:
        text = replies.COMPLAINT_FILED_NO_PHONE.format(
            number=receipt.number, code=receipt.query_code, handler=handler, date=date
        )
    else:
        text = replies.COMPLAINT_FILED.format(number=receipt.number, handler=handler, date=date)
    return text, replies.rate_buttons()


class ActionSubmitComplaint(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        phone = tracker.get_slot("phone")
        filing = self.api.submit_complaint(
            description=slot_text(tracker, "complaint_description"),
            phone=None if phone == NO_PHONE else phone,
            service=tracker.get_slot("service"),
            department=tracker.get_slot("department"),
            sender=sender,
            channel=channel,
        )
        return await file_case(dispatcher, tracker, "complaint_form", filing, _filed)
