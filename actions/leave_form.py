"""Leaving a form before it is filed: 取消/算了, or a request for another task ("我要查进度").

Both stop at once, without asking for confirmation, and forget what the form collected.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.form_base import FORM_SLOTS, FORM_TASKS, reset_form_slots
from actions.tracker_info import slots_set_by_latest_message


class ActionCancelForm(Action):
    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        form = tracker.active_loop_name
        if form not in FORM_SLOTS:
            dispatcher.utter_message(text="好的。还有其他需要帮忙的吗？")
            return []
        dispatcher.utter_message(text=replies.CANCELLED)
        return [ActiveLoop(None), *reset_form_slots(form)]


class ActionSwitchTask(Action):
    """Ends the active form so that the rules can start the one the resident asked for.

    What the switching message itself filled (a service or case number it named) belongs to the new
    task and is kept; the rest of the old form is forgotten.
    """

    def name(self) -> str:
        return "action_switch_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        form = tracker.active_loop_name
        if form not in FORM_SLOTS:
            return []
        keep = slots_set_by_latest_message(tracker)
        filled = any(tracker.get_slot(slot) is not None for slot in FORM_SLOTS[form] if slot not in keep)
        dispatcher.utter_message(text=replies.switched(FORM_TASKS[form], filled))
        return [ActiveLoop(None), *(event for event in reset_form_slots(form) if event["name"] not in keep)]
