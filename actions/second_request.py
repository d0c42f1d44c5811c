"""What comes after a task: the other request of a message in two parts ("我要投诉，另外帮我查一下上次的进度"),
which the assistant says it handles second and offers when the first is done; and the form a status check
interrupted, which goes on where it stopped."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.forms import FORM_BY_TRIGGER, FORMS, Form

# Where a second request starts: "另外", "还有", "顺便", "然后", "再帮我"…
_CONNECTOR = re.compile(r"另外|还有|顺便|然后|同时|再帮我|还想|还要|以及")
# Words that name a task in the part after the connector.
_TASK_WORDS: dict[str, tuple[str, ...]] = {
    "check_status": ("进度", "到哪一步", "办得怎么样", "查一下编号"),
    "submit_complaint": ("投诉", "举报"),
    "give_suggestion": ("建议", "提意见"),
    "praise": ("表扬",),
    "rate_service": ("评价", "打分"),
    "apply_service": ("在线申请", "网上申请"),
}


def second_request(text: str, current: Form) -> Form | None:
    """The other task of a message in two parts joined by a connector: one that either part names, other
    than `current` (the task the NLU read, which may be the second part's)."""
    parts = _CONNECTOR.split(text, maxsplit=1)
    if len(parts) < 2:
        return None
    for trigger, words in _TASK_WORDS.items():
        if trigger != current.trigger and any(word in part for part in parts for word in words):
            return FORM_BY_TRIGGER[trigger]
    return None


def note_second_request(dispatcher: CollectingDispatcher, tracker: Tracker, form: str) -> list[EventType]:
    """When `form` starts: say it comes first and keep the other request for afterwards."""
    later = second_request(str(tracker.latest_message.get("text") or ""), FORMS[form])
    if later is None:
        return []
    dispatcher.utter_message(text=replies.FIRST_THEN.format(first=FORMS[form].task, then=later.task))
    return [SlotSet("pending_task", later.trigger)]


def offer_pending_request(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """When a task is done: offer the one the resident asked for in the same message."""
    trigger = tracker.get_slot("pending_task")
    if trigger not in FORM_BY_TRIGGER:
        return []
    task = FORM_BY_TRIGGER[trigger].task
    dispatcher.utter_message(
        text=replies.NOW_THE_OTHER.format(task=task), buttons=[{"title": task, "payload": replies.payload(trigger)}]
    )
    return [SlotSet("pending_task", None)]


def resume_paused_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """After a status check asked in the middle of a form: back to that form, which asks what it still needs."""
    form = tracker.get_slot("paused_form")
    if form not in FORMS:
        return []
    dispatcher.utter_message(text=replies.RESUMED.format(task=FORMS[form].task))
    return [SlotSet("paused_form", None), FollowupAction(form)]
