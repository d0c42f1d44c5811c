"""What the assistant can do, when a resident asks ("你能做什么", "帮助")."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies


class ActionShowCapabilities(Action):
    """ "你能做什么" / "帮助": the main things, with buttons; inside a form, the form's question follows."""

    def name(self) -> str:
        return "action_show_capabilities"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=replies.CAPABILITIES, buttons=replies.CAPABILITY_BUTTONS)
        form = tracker.active_loop_name
        return [FollowupAction(form)] if form else [FollowupAction("action_listen")]
