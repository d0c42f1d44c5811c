"""Leaving a form before it is filed: 取消/算了, a farewell, a hand-over, or a request for another task
("我要查进度"). Each stops at once, without asking for confirmation, says that nothing was filed, and
forgets what the form collected. "继续填写" goes back to the form's question instead.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.form_base import reset_form_slots
from actions.forms import FORM_BY_TRIGGER, FORMS
from actions.intake import take_offered_request
from actions.second_request import note_second_request
from actions.tracker_info import latest_intent, slots_set_by_latest_message


def leave_active_form(
    dispatcher: CollectingDispatcher, tracker: Tracker, message: str | None = None
) -> list[EventType]:
    """End the active form, if any, telling the resident what is not filed (`message`, or that the task is
    put aside). What the latest message itself filled (a service or case number it named) belongs to what
    comes next and is kept; the rest of the form is forgotten."""
    form = tracker.active_loop_name
    if form not in FORMS:
        return []
    keep = slots_set_by_latest_message(tracker)
    filled = any(tracker.get_slot(slot) is not None for slot in FORMS[form].slots if slot not in keep)
    dispatcher.utter_message(text=message or replies.switched(FORMS[form].task, filled))
    return [ActiveLoop(None), *(event for event in reset_form_slots(form) if event["name"] not in keep)]


class ActionCancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = leave_active_form(dispatcher, tracker, replies.CANCELLED)
        if not events:
            dispatcher.utter_message(text=replies.NOTHING_TO_CANCEL)
        return events


class ActionSwitchTask(Action):
    """Runs before every form starts (nlu_data/rules/forms.yml): ends the form that is active, if any,
    so that the one the resident asked for starts at once."""

    def name(self) -> str:
        return "action_switch_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        left = leave_active_form(dispatcher, tracker)
        starting = FORM_BY_TRIGGER.get(latest_intent(tracker) or "")
        if starting is None:
            return left
        events = [*left, *note_second_request(dispatcher, tracker, starting.name)]
        if tracker.get_slot("pending_task") == starting.trigger:
            events.append(SlotSet("pending_task", None))  # the resident got to it on their own
        offered = take_offered_request(tracker) if starting.name == "complaint_form" else []
        if offered:
            events += offered
        elif left and starting.opening:
            # Switched from another form: the message may already say what happened ("我要投诉，窗口排了三小时"),
            # which the slot's own mapping reads only when no form is active. The form's validator judges it.
            events.append(SlotSet(starting.opening, str(tracker.latest_message.get("text") or "")))
        return events


class ActionGoodbye(Action):
    def name(self) -> str:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = leave_active_form(dispatcher, tracker)
        dispatcher.utter_message(text=replies.GOODBYE)
        return events


class ActionContinueForm(Action):
    """ "继续填写" after answers the form could not use: a fresh count of tries, and the question again."""

    def name(self) -> str:
        return "action_continue_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form = tracker.active_loop_name
        if form not in FORMS:
            dispatcher.utter_message(text=replies.CONTINUE_OUTSIDE_FORM)
            return []
        return [SlotSet("failed_attempts", None), FollowupAction(form)]
