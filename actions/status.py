"""Case status by number plus the last 4 digits of the phone given when filing.

What a status means to a resident is the gateway's business (contract/case_kinds.py): the reply shows
the `kind_text` and `status_text` it sends, never a table of its own.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots
from actions.intake import describes_a_problem
from actions.reopen import REOPEN
from actions.second_request import offer_pending_request, resume_paused_form
from actions.tracker_info import slot_text, user_text_before_latest_message
from actions.urge import URGE, urge_and_tell
from contract.case_kinds import CASE_KINDS, find_case_number
from contract.receipts import CaseStatus

MAX_STATUS_TRIES = 3


def status_text(status: CaseStatus) -> str:
    text = replies.STATUS.format(kind=status.kind_text, number=status.number, status=status.status_text)
    if status.department:
        text += replies.STATUS_DEPARTMENT.format(department=status.department)
    if status.deadline and not status.closed:
        text += replies.STATUS_DEADLINE.format(date=replies.chinese_date(status.deadline))
    return text


def _four_digits(text: str) -> str | None:
    match = re.fullmatch(r"\D*(\d{4})\D*", text)
    return match.group(1) if match else None


# "我没有编号": the resident has no case to check, and most likely a question or a problem to report.
_NO_NUMBER = re.compile(
    r"没有?(?:什么)?(?:编号|单号|号码|办件)|不知道(?:编号|单号)?|忘了|没(?:有)?(?:办过|提交过|登记过)"
)


class ValidateStatusForm(FormValidation):
    form = "status_form"

    def validate_case_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A number, or, when the resident has none, the offer to register what they asked instead."""
        text = str(value).strip()
        number = find_case_number(text)
        if number:
            return self.accept("case_number", number, tracker)
        asked = user_text_before_latest_message(tracker)
        if _NO_NUMBER.search(text) and asked and describes_a_problem(asked):
            dispatcher.utter_message(text=replies.NO_CASE_NUMBER, buttons=replies.REGISTER_BUTTONS)
            return {"case_number": None, "offered_request": asked}
        return self.reject("case_number", dispatcher, tracker)

    async def extract_case_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A number in the message that asks for the status ("查下 ts 2026 0101 00001"): the NLU's regex
        misses it when typed with spaces; the form should not ask for what it was just given."""
        if tracker.get_slot("case_number"):
            return {}
        number = find_case_number(str(tracker.latest_message.get("text") or ""))
        return {"case_number": number} if number else {}

    def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if find_case_number(str(value)):
            # A new case number sent instead: taken by case_number, and its phone digits are asked next.
            return {"phone_last4": None}
        return self.checked("phone_last4", value, _four_digits, dispatcher, tracker)


def follow_up_buttons(status: CaseStatus) -> replies.Buttons | None:
    """What the resident may do next about the case shown: urge it while it is open, send it back when its
    kind is done again on a resident's dissatisfaction (不满意重办) once it is resolved."""
    if not status.closed:
        return replies.buttons((replies.URGE_BUTTON, replies.payload(URGE, case_number=status.number)))
    kind = CASE_KINDS.get(status.kind)
    if kind is None or not kind.reopenable:
        return None
    return replies.buttons((replies.REOPEN_BUTTON, replies.payload(REOPEN, case_number=status.number)))


class ActionCheckStatus(WithCaseApi, Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        last4 = slot_text(tracker, "phone_last4")
        try:
            status = await self.api.case_status(slot_text(tracker, "case_number"), last4)
        except CaseApiError:
            dispatcher.utter_message(text=replies.STATUS_UNAVAILABLE)
            return [*reset_form_slots("status_form"), *resume_paused_form(dispatcher, tracker)]
        if status is not None:
            if tracker.get_slot("urge_requested"):
                shown = await urge_and_tell(self.api, dispatcher, tracker, status.number, last4, None)
            else:
                dispatcher.utter_message(text=status_text(status), buttons=follow_up_buttons(status))
                shown = []
            # "怎么还没人处理" next urges this case (actions/urge.py), with the ending it was checked with.
            checked = SlotSet("checked_case", {"number": status.number, "phone_last4": last4})
            after = resume_paused_form(dispatcher, tracker) or offer_pending_request(dispatcher, tracker)
            return [*reset_form_slots("status_form"), checked, *shown, *after]
        tries = int(tracker.get_slot("status_tries") or 0) + 1
        if tries >= MAX_STATUS_TRIES:
            dispatcher.utter_message(text=replies.STATUS_NOT_FOUND, buttons=replies.human_buttons())
            return [*reset_form_slots("status_form"), *resume_paused_form(dispatcher, tracker)]
        # A typo in the number or the digits should not end the check: ask again, keeping the number.
        number = tracker.get_slot("case_number")
        dispatcher.utter_message(text=replies.STATUS_TRY_AGAIN.format(number=number, last4=last4))
        return [SlotSet("phone_last4", None), SlotSet("status_tries", tries), FollowupAction("status_form")]
