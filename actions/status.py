"""Case status by number plus the last 4 digits of the phone given when filing.

What a status means to a resident is the gateway's business (contract/case_kinds.py): the reply shows
the `kind_text` and `status_text` it sends, never a table of its own.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots
from contract.case_kinds import find_case_number
from contract.receipts import CaseStatus


def status_text(status: CaseStatus) -> str:
    text = replies.STATUS.format(kind=status.kind_text, number=status.number, status=status.status_text)
    if status.department:
        text += replies.STATUS_DEPARTMENT.format(department=status.department)
    if status.deadline and not status.closed:
        text += replies.STATUS_DEADLINE.format(date=replies.chinese_date(status.deadline))
    return text


class ValidateStatusForm(FormValidation):
    def name(self) -> str:
        return "validate_status_form"

    def validate_case_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        number = find_case_number(str(value))
        if number is None:
            return self.reject("case_number", replies.BAD_CASE_NUMBER, dispatcher, tracker)
        return self.accept("case_number", number, tracker)

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        match = re.fullmatch(r"\D*(\d{4})\D*", str(value))
        if match is None:
            return self.reject("phone_last4", replies.BAD_PHONE_LAST4, dispatcher, tracker)
        return self.accept("phone_last4", match.group(1), tracker)


class ActionCheckStatus(WithCaseApi, Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            status = await self.api.case_status(tracker.get_slot("case_number"), tracker.get_slot("phone_last4"))
        except CaseApiError:
            dispatcher.utter_message(text=replies.STATUS_UNAVAILABLE)
            return reset_form_slots("status_form")
        dispatcher.utter_message(text=replies.STATUS_NOT_FOUND if status is None else status_text(status))
        return reset_form_slots("status_form")
