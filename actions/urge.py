"""催办: a resident urges their own open case ("帮我催一下", "怎么还没人处理 都等三天了").

Which case: the number in the message (or pressed on a button), else the case whose status was just shown
(`checked_case`, with the phone ending it was checked with), else one of the resident's own recent cases, offered
as buttons. A case not filed from this conversation needs its phone ending: the status check asks for it and, with
`urge_requested`, urges the case it finds. The gateway records the urge, one a day, and tells the department
(api/services/urges.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApi, CaseApiError, WithCaseApi
from actions.complaint import summary_of
from contract.case_kinds import find_case_number
from contract.receipts import ReopenReceipt, SupplementReceipt, UrgeReceipt

URGE = "urge_case"


@dataclass(frozen=True)
class CaseInQuestion:
    """The case a follow-up (催办, 不满意重办) is about, as the message and the conversation tell it."""

    number: str | None  # named in the message (or a button's payload), else the case whose status was just shown
    phone_last4: str | None  # the ending that case was checked with
    note: str | None  # the resident's words; None for a button press (a payload is no words of theirs)


def case_in_question(tracker: Tracker) -> CaseInQuestion:
    text = str(tracker.latest_message.get("text") or "")
    checked = tracker.get_slot("checked_case") or {}
    number = find_case_number(text) or checked.get("number")
    last4 = checked.get("phone_last4") if number and checked.get("number") == number else None
    return CaseInQuestion(number, last4, None if text.startswith("/") else text)


def follow_up_text(receipt: UrgeReceipt | ReopenReceipt | SupplementReceipt, done: str, standing: str) -> str:
    """What came of a follow-up: `done` names who was told, with the status and the deadline; `standing` says an
    earlier one of the resident's stands (nothing new was recorded)."""
    if not receipt.new:
        return standing.format(kind=receipt.kind_text, number=receipt.number, status=receipt.status_text)
    whom = (
        replies.URGED_DEPARTMENT.format(department=receipt.department)
        if receipt.department
        else replies.URGED_NO_DEPARTMENT
    )
    text = done.format(kind=receipt.kind_text, number=receipt.number, whom=whom, status=receipt.status_text)
    if receipt.deadline:
        text += replies.STATUS_DEADLINE.format(date=replies.chinese_date(receipt.deadline))
    return text


async def urge_and_tell(
    api: CaseApi,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    number: str,
    phone_last4: str | None,
    note: str | None,
) -> list[EventType]:
    """Urge the case and say what came of it. A case the resident did not file from here, with no phone ending
    yet: the status check asks for the ending and urges the case once it matches."""
    try:
        receipt = await api.urge_case(number, sender=tracker.sender_id, phone_last4=phone_last4, note=note)
    except CaseApiError as error:
        if error.status == 404 and phone_last4 is None:
            dispatcher.utter_message(text=replies.URGE_NEEDS_PHONE.format(number=number))
            return [SlotSet("case_number", number), SlotSet("urge_requested", True), FollowupAction("status_form")]
        closed = error.status == 409  # "如果问题仍未解决，可以再次反映": one press away
        buttons = replies.REPORT_AGAIN_BUTTONS if closed else None
        dispatcher.utter_message(text=error.gateway_message or replies.URGE_FAILED, buttons=buttons)
        return []
    dispatcher.utter_message(text=follow_up_text(receipt, replies.URGED, replies.URGED_ALREADY))
    return []


async def offer_own_cases(
    api: CaseApi, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, question: str
) -> bool:
    """Ask which of the resident's own recent cases is meant, as buttons that send `intent` with its number;
    False when the resident has none here (or the gateway cannot say)."""
    try:
        cases = await api.own_cases(tracker.sender_id)
    except CaseApiError:
        cases = []
    if not cases:
        return False
    own = [
        (
            replies.own_case_title(c.kind_text, c.filed_on, summary_of(c.text), c.number),
            replies.payload(intent, case_number=c.number),
        )
        for c in cases
    ]
    dispatcher.utter_message(text=question, buttons=replies.buttons(*own))
    return True


class ActionUrgeCase(WithCaseApi, Action):
    def name(self) -> str:
        return "action_urge_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        case = case_in_question(tracker)
        # The entity of a button's payload also filled `case_number`: a later status check starts afresh.
        forget = [SlotSet("case_number", None)]
        if case.number is None:
            found = await offer_own_cases(self.api, dispatcher, tracker, URGE, replies.URGE_WHICH)
            if found:
                return forget
            dispatcher.utter_message(text=replies.URGE_FIND_CASE)
            return [*forget, SlotSet("urge_requested", True), FollowupAction("status_form")]
        urged = await urge_and_tell(self.api, dispatcher, tracker, case.number, case.phone_last4, case.note)
        return [*forget, *urged]
