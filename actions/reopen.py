"""不满意重办: the resident is not satisfied with how their resolved case was dealt with ("投诉的事情处理好了
但是我不满意", "说是办结了 路灯还是不亮").

Which case, as for 催办 (actions/urge.py): the number in the message (or pressed on the status reply's button), else
the case whose status was just shown, else one of the resident's own recent cases as buttons, else the status check
finds it and its reply offers 不满意，申请重办. The gateway sends the case back to its department with a new deadline,
once per case (api/services/reopening.py); an open case is for 催办, a second dissatisfaction for a person.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.urge import URGE, case_in_question, follow_up_text, offer_own_cases

REOPEN = "reopen_case"
# What follows each refusal of the gateway (its message says why): the way on that it names.
_NEXT_STEP = {
    "already_reopened": replies.human_buttons,
    "reopen_expired": lambda: replies.REPORT_AGAIN_BUTTONS,
    "not_reopenable": lambda: replies.REPORT_AGAIN_BUTTONS,
}


class ActionReopenCase(WithCaseApi, Action):
    def name(self) -> str:
        return "action_reopen_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        case = case_in_question(tracker)
        forget = [SlotSet("case_number", None)]  # a button's entity: a later status check starts afresh
        if case.number is None:
            if await offer_own_cases(self.api, dispatcher, tracker, REOPEN, replies.REOPEN_WHICH):
                return forget
            dispatcher.utter_message(text=replies.REOPEN_FIND_CASE)
            return [*forget, FollowupAction("status_form")]
        number, last4 = case.number, case.phone_last4
        try:
            receipt = await self.api.reopen_case(number, sender=tracker.sender_id, phone_last4=last4, note=case.note)
        except CaseApiError as error:
            return [*forget, *self._refused(dispatcher, error, number, last4)]
        dispatcher.utter_message(text=follow_up_text(receipt, replies.REOPENED, replies.REOPENED_ALREADY))
        return forget

    @staticmethod
    def _refused(
        dispatcher: CollectingDispatcher, error: CaseApiError, number: str, last4: str | None
    ) -> list[EventType]:
        if error.status == 404 and last4 is None:
            # Not filed from this conversation: the status check asks for the phone ending, its reply offers 重办.
            dispatcher.utter_message(text=replies.REOPEN_NEEDS_PHONE.format(number=number))
            return [SlotSet("case_number", number), FollowupAction("status_form")]
        if error.code == "case_open":
            urge = replies.buttons((replies.URGE_BUTTON, replies.payload(URGE, case_number=number)))
            dispatcher.utter_message(text=error.gateway_message or replies.REOPEN_FAILED, buttons=urge)
            return []
        next_step = _NEXT_STEP.get(error.code or "")
        dispatcher.utter_message(
            text=error.gateway_message or replies.REOPEN_FAILED, buttons=next_step() if next_step else None
        )
        return []
