"""取消/算了 inside a form: stop at once, without asking for confirmation, and forget its slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.form_base import FORM_SLOTS, reset_form_slots


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
