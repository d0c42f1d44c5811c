""" "部门不对": the resident who just filed a request picks another of the departments the router found for it
(api/services/rerouting.py decides what is allowed; this action only offers and relays)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, DepartmentChoices, WithCaseApi
from actions.tracker_info import sender_channel
from contract.case_kinds import COMPLAINT, TICKET

# The kinds a department is chosen for: complaints (TS) and hotline tickets (GD).
_REROUTABLE = (COMPLAINT.prefix, TICKET.prefix)


def _choice_buttons(choices: DepartmentChoices) -> replies.Buttons:
    return [
        {"title": f"{department}（{category}）", "payload": replies.payload("change_department", department=department)}
        for category, department in choices.choices
    ]


class ActionChangeDepartment(WithCaseApi, Action):
    def name(self) -> str:
        return "action_change_department"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        number = str(tracker.get_slot("last_case_number") or "")
        if not number.startswith(_REROUTABLE):
            dispatcher.utter_message(text=replies.NO_CASE_TO_REROUTE)
            return []
        sender, _ = sender_channel(tracker)
        named = next(tracker.get_latest_entity_values("department"), None)
        try:
            choices = await self.api.department_choices(number, sender)
            offered = {department for _, department in choices.choices}
            if named in offered:
                receipt = await self.api.change_department(number, sender, str(named))
                dispatcher.utter_message(
                    text=replies.DEPARTMENT_CHANGED.format(
                        number=number, category=receipt.category or "", department=receipt.department or named
                    )
                )
                return []
        except CaseApiError as error:
            text = {404: replies.NO_CASE_TO_REROUTE, 409: replies.CANNOT_REROUTE}.get(
                error.status or 0, replies.REROUTE_UNAVAILABLE
            )
            dispatcher.utter_message(text=text.format(number=number), buttons=replies.human_buttons())
            return []
        if not choices.choices:
            dispatcher.utter_message(
                text=replies.NO_OTHER_DEPARTMENT.format(number=number), buttons=replies.human_buttons()
            )
            return []
        text = replies.WHICH_DEPARTMENT.format(number=number, department=choices.department or "相关部门")
        if named:
            text = replies.DEPARTMENT_NOT_OFFERED.format(department=named) + text
        dispatcher.utter_message(text=text, buttons=_choice_buttons(choices))
        return []
