"""What every form shares: the slots it owns, resetting them, and counting rejected answers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import replies
from actions.pii import normalize_phone
from actions.settings import get_settings
from actions.tracker_info import latest_intent

FORM_SLOTS: dict[str, tuple[str, ...]] = {
    "apply_form": ("service", "applicant_name", "id_number", "phone", "apply_confirmed"),
    "complaint_form": ("complaint_description", "phone", "service", "department"),
    "suggest_form": ("consultation", "suggestion_topic", "suggestion_content", "suggestion_phone"),
    "status_form": ("case_number", "phone_last4"),
    "rate_form": ("stars", "rating_comment"),
}
# What each form does, as residents would name it ("刚才的投诉先不办了").
FORM_TASKS: dict[str, str] = {
    "apply_form": "办事申请",
    "complaint_form": "投诉",
    "suggest_form": "建议",
    "status_form": "进度查询",
    "rate_form": "评价",
}


def reset_form_slots(form: str) -> list[EventType]:
    """Forget what a finished or cancelled form collected (personal data must not linger)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS[form]] + [
        SlotSet("requested_slot", None),
        SlotSet("failed_attempts", None),
    ]


class FormValidation(FormValidationAction, ABC):
    """Base of the validation actions; abstract so that rasa-sdk does not register it."""

    @abstractmethod
    def name(self) -> str: ...

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Leaving a form for another one clears the old form's slots in the same turn, and Rasa offers
        # those cleared values to the new form as answers. A cleared slot is not an answer: validating
        # it would complain about something the resident never said.
        tracker.events = without_trailing_clears(tracker.events)
        return await super().get_validation_events(dispatcher, tracker, domain)

    @staticmethod
    def accept(slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        attempts = dict(tracker.get_slot("failed_attempts") or {})
        attempts.pop(slot, None)
        return {slot: value, "failed_attempts": attempts or None}

    @staticmethod
    def reject(slot: str, message: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Re-prompt; from the configured number of failed tries on, also offer a human."""
        attempts = dict(tracker.get_slot("failed_attempts") or {})
        attempts[slot] = attempts.get(slot, 0) + 1
        if attempts[slot] >= get_settings().max_slot_attempts:
            dispatcher.utter_message(
                text=f"{message}{replies.OFFER_HUMAN_AFTER_TRIES}", buttons=replies.human_buttons()
            )
        else:
            dispatcher.utter_message(text=message)
        return {slot: None, "failed_attempts": attempts}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        phone = normalize_phone(str(value))
        if phone is None:
            return self.reject("phone", replies.BAD_PHONE, dispatcher, tracker)
        return self.accept("phone", phone, tracker)


def without_trailing_clears(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without the slot resets (value None) at their end, where rasa-sdk looks for answers."""
    end = len(events)
    while end and events[end - 1].get("event") == "slot":
        end -= 1
    tail = [event for event in events[end:] if event.get("value") is not None]
    return [*events[:end], *tail]


def only_states_intent(tracker: Tracker, intent: str) -> bool:
    """True when the latest message is the form's trigger ("我要投诉"): a too-short answer then gets the
    form's own question, not a complaint about its length (validation runs twice on activation)."""
    return latest_intent(tracker) == intent
