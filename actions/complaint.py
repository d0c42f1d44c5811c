"""Complaints: what happened and a phone number, filed as a TS case answered within 3 working days."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, only_states_intent, reset_form_slots
from actions.tracker_info import sender_channel

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
        return self.reject(
            "complaint_description",
            "能再具体说说吗？比如在哪个窗口、办什么事、遇到了什么情况。",
            dispatcher,
            tracker,
        )


class ActionSubmitComplaint(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        sender, channel = sender_channel(tracker)
        try:
            receipt = await self.api.submit_complaint(
                description=tracker.get_slot("complaint_description"),
                phone=tracker.get_slot("phone"),
                service=tracker.get_slot("service"),
                department=tracker.get_slot("department"),
                sender=sender,
                channel=channel,
            )
        except CaseApiError:
            dispatcher.utter_message(
                text=replies.HOTLINE_APOLOGY,
                buttons=[{"title": "重新提交", "payload": "/submit_complaint"}, *replies.human_buttons()],
            )
            return []
        handler = f"转交{receipt.department}，" if receipt.department else ""
        dispatcher.utter_message(
            text=(
                f"您的投诉已受理，编号：{receipt.number}。我们会{handler}"
                f"在{replies.chinese_date(receipt.deadline)}前（3个工作日内）给您答复，请保持手机畅通。"
            ),
            buttons=replies.rate_buttons(),
        )
        return [*reset_form_slots("complaint_form"), SlotSet("last_case_number", receipt.number)]
