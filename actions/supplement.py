"""补充说明: the resident adds to or corrects what they reported ("补充一下 是3号楼东单元的电梯", "说错了 不是电梯
是楼道灯坏了").

Which case, as for 催办 (actions/urge.py): the number in the message (or pressed on a button), else the case whose
status was just shown, else the case filed in this conversation, else one of the resident's own recent cases as
buttons (the words wait in `supplement_text` for the press); with no case at all, a problem it states is offered
to be registered as a request of its own. "我想补充一下" says nothing yet: the resident is asked to
send the content starting with 补充, which the NLU reads as a supplement whatever follows. The gateway keeps the
case's description as filed and records the words beside it for the department (api/services/supplements.py).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.intake import offer_to_register
from actions.urge import case_in_question, follow_up_text, offer_own_cases
from contract.case_kinds import kind_of_number
from knowledge.request_kind import states_a_problem, supplement_content

SUPPLEMENT = "supplement_case"


class ActionSupplementCase(WithCaseApi, Action):
    def name(self) -> str:
        return "action_supplement_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        case = case_in_question(tracker)
        # A button press carries no words of the resident's: those said before it wait in the slot.
        words = case.note if case.note is not None else tracker.get_slot("supplement_text")
        number = case.number or tracker.get_slot("last_case_number")
        forget = [SlotSet("case_number", None), SlotSet("supplement_text", None)]
        if number is None:
            if await offer_own_cases(self.api, dispatcher, tracker, SUPPLEMENT, replies.SUPPLEMENT_WHICH):
                return [SlotSet("case_number", None), SlotSet("supplement_text", words)]
            # No case of theirs: "算了 不是电梯 是楼道灯坏了" after a report left unfiled is a request of its own.
            offered = offer_to_register(dispatcher, tracker) if words and states_a_problem(words) else None
            if offered is not None:
                return [*forget, *offered]
            dispatcher.utter_message(text=replies.SUPPLEMENT_FIND_CASE)
            return forget
        if not words or not supplement_content(words):
            kind = kind_of_number(number)
            dispatcher.utter_message(text=replies.SUPPLEMENT_ASK.format(kind=kind.name if kind else "", number=number))
            return forget
        try:
            receipt = await self.api.supplement_case(
                number, sender=tracker.sender_id, phone_last4=case.phone_last4, supplement=words
            )
        except CaseApiError as error:
            if error.status == 404:
                dispatcher.utter_message(text=replies.SUPPLEMENT_NOT_YOURS.format(number=number))
            else:
                dispatcher.utter_message(
                    text=error.gateway_message or replies.SUPPLEMENT_FAILED, buttons=replies.human_buttons()
                )
            return forget
        dispatcher.utter_message(text=follow_up_text(receipt, replies.SUPPLEMENTED, replies.SUPPLEMENTED_ALREADY))
        return forget
