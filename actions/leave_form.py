"""Leaving a form before it is filed: 取消/算了, a farewell, a hand-over, or a request for another task
("我要表扬"). Each stops at once, without asking for confirmation, says that nothing was filed, and
forgets what the form collected. "继续填写" goes back to the form's question instead.

A status check is no such request but a detour (actions/forms.py DETOURS): the form is paused with its answers
and goes on once the check is done (actions/second_request.py). And "不对，我想改成投诉" changes only the kind
of request: what the resident told the first form becomes the new form's description.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.complaint import continue_with_more_of_the_letter, more_of_the_letter
from actions.form_base import changes_kind, reset_form_slots
from actions.forms import DETOURS, FORM_BY_TRIGGER, FORMS, Form
from actions.intake import take_offered_request
from actions.second_request import note_second_request
from actions.tracker_info import latest_intent, slot_before_latest_message, slots_set_by_latest_message
from knowledge.request_kind import han_count, question_instead_of_complaint

# The words that only change the kind ("不对，我想改成投诉吧"): what is left beyond them is new ("……投诉物业").
_KIND_WORDS = re.compile(
    r"不对|改成|改为|换成|还是|算了|我想|我要|想|要|投诉|举报|报事|报修|建议|表扬|提个|一下|吧|的|了"
)
NEW_WORDS_CHARS = 2


def forget_paused_form(tracker: Tracker, resuming: Form | None = None) -> list[EventType]:
    """The form a status check paused is forgotten when the resident goes on to something else; its answers
    stay when they start that same form again (`resuming`)."""
    paused = tracker.get_slot("paused_form")
    if paused not in FORMS:
        return []
    cleared: list[EventType] = [SlotSet("paused_form", None)]
    return cleared if resuming is not None and resuming.name == paused else [*cleared, *reset_form_slots(paused)]


def leave_active_form(
    dispatcher: CollectingDispatcher, tracker: Tracker, message: str | None = None, resuming: Form | None = None
) -> list[EventType]:
    """End the active form, if any, telling the resident what is not filed (`message`, or that the task is
    put aside), and any form a status check paused (but `resuming`). What the latest message itself filled (a
    service or case number it named) belongs to what comes next and is kept; the rest is forgotten."""
    form = tracker.active_loop_name
    paused = forget_paused_form(tracker, resuming)
    if form not in FORMS:
        return paused
    latest = slots_set_by_latest_message(tracker)
    # Not the answer to the question the form asked: a free-text one takes any message, even the one leaving.
    keep = latest - {tracker.get_slot("requested_slot")}
    filled = any(tracker.get_slot(slot) is not None for slot in FORMS[form].slots if slot not in latest)
    dispatcher.utter_message(text=message or replies.switched(FORMS[form].task, filled))
    return [ActiveLoop(None), *(event for event in reset_form_slots(form) if event["name"] not in keep), *paused]


def pause_active_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A status check asked in the middle of a form: the form steps aside with its answers kept."""
    form = FORMS[str(tracker.active_loop_name)]
    dispatcher.utter_message(text=replies.DETOUR.format(task=form.task))
    return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("paused_form", form.name)]


def told_before(tracker: Tracker) -> str | None:
    """What the active form's description holds when the latest message changes the kind of request, with that
    message after it when it says more than the change ("不对，我想改成投诉物业": 物业 is new)."""
    form = FORMS.get(str(tracker.active_loop_name))
    text = str(tracker.latest_message.get("text") or "").strip()
    if form is None or form.opening is None or not changes_kind(text):
        return None
    # Before this message: a free-text question takes the message itself too (action_extract_slots) before
    # the form refuses it as a change of kind.
    told = slot_before_latest_message(tracker, form.opening)
    if not told or str(told).startswith("/"):
        return None
    more = han_count(_KIND_WORDS.sub("", text)) >= NEW_WORDS_CHARS
    return f"{told}\n{text}" if more else str(told)


class ActionCancelForm(Action):
    """取消/算了. A complaint withdrawn for a question ("不对 不投诉了 就是想问问物业费标准谁定的") ends the form
    and goes on to the question's answer, which would otherwise be lost with the form."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if question_instead_of_complaint(str(tracker.latest_message.get("text") or "")):
            # "好的，刚才的投诉先不办了。", then the answer
            return [*leave_active_form(dispatcher, tracker), FollowupAction("action_answer_service")]
        events = leave_active_form(dispatcher, tracker, replies.CANCELLED)
        if not events:
            dispatcher.utter_message(text=replies.NOTHING_TO_CANCEL)
        return events


class ActionSwitchTask(Action):
    """Runs before every form starts (nlu_data/rules/forms.yml): ends the form that is active, if any,
    so that the one the resident asked for starts at once. A complaint's letter pasted in several messages is the
    exception: a later part read as a 小区报事, a suggestion or praise goes on with the complaint."""

    def name(self) -> str:
        return "action_switch_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (more := more_of_the_letter(tracker)) is not None:
            return continue_with_more_of_the_letter(dispatcher, tracker, more)  # a letter in parts: no new task
        starting = FORM_BY_TRIGGER.get(latest_intent(tracker) or "")
        active = tracker.active_loop_name
        if starting is not None and starting.trigger in DETOURS and active in FORMS and active != starting.name:
            return pause_active_form(dispatcher, tracker)
        if starting is None:
            return leave_active_form(dispatcher, tracker)
        resumed = tracker.get_slot("paused_form") == starting.name  # its answers are kept, its opening too
        told = told_before(tracker) if starting.opening else None
        changed = replies.CHANGED_KIND.format(task=starting.task) if told else None
        left = leave_active_form(dispatcher, tracker, changed, resuming=starting)
        events = [*left, *note_second_request(dispatcher, tracker, starting.name)]
        if tracker.get_slot("pending_task") == starting.trigger:
            events.append(SlotSet("pending_task", None))  # the resident got to it on their own
        offered = take_offered_request(tracker) if starting.name == "complaint_form" else []
        if offered:
            events += offered
        elif left and starting.opening and not resumed:
            # Switched from another form: the message may already say what happened ("我要投诉，窗口排了三小时"),
            # which the slot's own mapping reads only when no form is active. The form's validator judges it.
            events.append(SlotSet(starting.opening, told or str(tracker.latest_message.get("text") or "")))
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
