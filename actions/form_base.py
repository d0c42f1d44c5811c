"""What every form shares: resetting its slots, counting rejected answers, and filing what it collected."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError
from actions.forms import FORM_BY_TRIGGER, FORMS
from actions.second_request import offer_pending_request
from actions.settings import get_settings
from actions.tracker_info import (
    latest_intent,
    repeats_previous_message,
    slot_before_latest_message,
    values_since_latest_message,
)
from contract import turns
from contract.limits import MAX_LETTER_CHARS
from contract.receipts import CaseReceipt
from knowledge.request_kind import MIN_PROBLEM_HAN, han_count, states_a_problem, without_insults

# "不对，我想改成投诉物业", "算了 我改成提个建议吧": a correction of what kind of request it is, said first.
_CHANGE_OF_KIND = re.compile(r"不对|改成|改为|换成|算了|不(?:投诉|举报|反映)了|还是.{0,3}(?:投诉|报事|建议|表扬)")
KIND_CHANGE_CHARS = 12


def changes_kind(text: str) -> bool:
    return bool(_CHANGE_OF_KIND.search(text.strip()[:KIND_CHANGE_CHARS]))


def reset_form_slots(form: str) -> list[EventType]:
    """Forget what a finished or cancelled form collected (personal data must not linger)."""
    return [SlotSet(slot, None) for slot in FORMS[form].slots] + [
        SlotSet("requested_slot", None),
        SlotSet("failed_attempts", None),
    ]


async def file_case(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    form: str,
    filing: Awaitable[CaseReceipt],
    confirmation: Callable[[CaseReceipt], tuple[str, replies.Buttons]],
    final_refusals: dict[str, str] | None = None,
    ask_again: Mapping[str, tuple[str, ...]] | None = None,
) -> list[EventType]:
    """File through the case API and tell the resident the number; the form's slots are then forgotten.

    When the gateway cannot be reached or fails, the resident hears that nothing was filed and gets a
    retry button: the slots are kept, so the retry files the same case without retyping. A refusal whose
    code is in `final_refusals` cannot succeed on a retry: the gateway's explanation (else the text given
    for the code) is shown and the form ends. A refusal whose code is in `ask_again` names fields the resident
    can correct: the gateway's explanation is shown and the form asks those fields again.
    """
    try:
        receipt = await filing
    except CaseApiError as error:
        fields = ask_again.get(error.code or "") if ask_again else None
        if fields and error.gateway_message:
            dispatcher.utter_message(text=error.gateway_message)
            return [*(SlotSet(slot, None) for slot in fields), FollowupAction(form)]
        if final_refusals and error.code in final_refusals:
            dispatcher.utter_message(text=error.message or final_refusals[error.code])
            return reset_form_slots(form)
        dispatcher.utter_message(text=replies.NOT_FILED, buttons=replies.retry_buttons(FORMS[form].trigger))
        return []
    text, buttons = confirmation(receipt)
    dispatcher.utter_message(text=text, buttons=buttons, json_message=turns.mark(turns.CASE))
    return [
        *reset_form_slots(form),
        SlotSet("last_case_number", receipt.number),
        *offer_pending_request(dispatcher, tracker),
    ]


# "好的", "可以的", "知道了": an acknowledgement, not an answer, however many characters.
MAX_ACKNOWLEDGEMENT_CHARS = 4


def unusable_answer(
    slot: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    message: str | None = None,
    buttons: replies.Buttons | None = None,
) -> dict[str, Any]:
    """An answer the question cannot use: say why (the form then asks again), with `buttons` to pick from
    if there are any. From the configured number of tries on, the resident gets the ways on instead:
    continue, cancel, or a person."""
    said = str(tracker.latest_message.get("text") or "")
    if not any(char.isdigit() for char in said):
        if latest_intent(tracker) == "thank":
            # "谢谢", "辛苦你们了" said to the question: thanked back, not told the answer is wrong, no try counted.
            dispatcher.utter_message(text=replies.WELCOME)
            return {slot: None}
        if latest_intent(tracker) == "affirm" and han_count(said) <= MAX_ACKNOWLEDGEMENT_CHARS:
            # "好的", "嗯嗯": the question acknowledged, not a wrong answer: it is simply asked again.
            return {slot: None}
    attempts = dict(tracker.get_slot("failed_attempts") or {})
    attempts[slot] = attempts.get(slot, 0) + 1
    text = message or replies.REPROMPTS[slot]
    if attempts[slot] >= get_settings().max_slot_attempts:
        dispatcher.utter_message(text=f"{text}{replies.STUCK}", buttons=replies.STUCK_BUTTONS)
    else:
        dispatcher.utter_message(text=text, buttons=buttons or None)
    return {slot: None, "failed_attempts": attempts}


# Words that carry no content in a description ("好的谢谢你 再见啦" is no complaint), nor do spaces and
# punctuation.
_SMALL_TALK = re.compile(
    r"谢谢|多谢|感谢|再见|拜拜|好的|好吧|不用了|没事了|算了|没有了|你们|您|你|嗯|哦|啊|啦|了|吧|呢|[\s\W_]"
)


# Digits and Latin-free symbols are no description either ("13812345678" answers another question).
_NOT_WORDS = re.compile(r"[^\u4e00-\u9fffA-Za-z]")


@dataclass(frozen=True)
class Narrative:
    """Free text telling what happened or what should change. The words that only announce it ("我要投诉")
    do not count towards `min_chars`; a message that is only them (`intent`) lets the form ask instead.
    `problem_suffices`: a problem stated in fewer characters ("路灯坏了", "停水三天了") is enough to act on."""

    announcement: re.Pattern[str]
    intent: str
    min_chars: int
    problem_suffices: bool = False


class FormValidation(FormValidationAction, ABC):
    """Base of the validation actions; abstract so that rasa-sdk does not register it.

    A form declares how it reads its answers: `readers` turn an answer into the value to keep, or None to
    refuse it with the question's hint (replies.REPROMPTS); `narratives` take free text. rasa-sdk looks
    for `validate_<slot>`: answers with more to decide have such methods, the others come from the tables.
    """

    readers: ClassVar[dict[str, Callable[[str], Any]]] = {}
    narratives: ClassVar[dict[str, Narrative]] = {}

    @property
    @abstractmethod
    def form(self) -> str: ...

    def name(self) -> str:
        return f"validate_{self.form}"

    def __getattr__(self, attribute: str) -> Any:
        slot = attribute.removeprefix("validate_")
        if slot in type(self).readers:
            return lambda value, dispatcher, tracker, domain: self.checked(
                slot, value, type(self).readers[slot], dispatcher, tracker
            )
        if slot in type(self).narratives:
            return lambda value, dispatcher, tracker, domain: self.narrative(
                slot, value, dispatcher, tracker, type(self).narratives[slot]
            )
        raise AttributeError(attribute)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        if self.leaves_for_another_form(tracker):
            # Free text takes any message, so the form would keep this one as its answer; refusing it lets the
            # rules start the form asked for (action_switch_task), as a short answer's not_intent does.
            return [ActionExecutionRejected(self.form)]
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        # rasa-sdk returns only what it validated; a field an `extract_` method cleared ("改手机号": ask it
        # again) is an answer too, and it has nothing to validate.
        validated = {event["name"] for event in validation}
        return [*validation, *(event for event in extraction if event["name"] not in validated)]

    def leaves_for_another_form(self, tracker: Tracker) -> bool:
        """The answer to a free-text question says the request is of another kind ("算了 我改成提个建议吧 ……")."""
        starting = FORM_BY_TRIGGER.get(latest_intent(tracker) or "")
        asked = tracker.get_slot("requested_slot")
        return (
            starting is not None
            and starting.name != self.form
            and asked in type(self).narratives
            and changes_kind(str(tracker.latest_message.get("text") or ""))
        )

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
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

    reject = staticmethod(unusable_answer)

    def checked(
        self,
        slot: str,
        value: Any,
        read: Callable[[str], Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        message: str | None = None,
    ) -> dict[str, Any]:
        """The answer as `read` makes it ("138-1234-5678" -> "13812345678"), or refused when it gives None. The
        whole message answering this question is read first: the NLU may tag only pieces of it as entities
        ("0564" and "3372301" of a landline)."""
        asked = tracker.get_slot("requested_slot") == slot
        whole = read(str(tracker.latest_message.get("text") or "").strip()) if asked else None
        result = whole if whole is not None else read(str(value).strip())
        if result is not None:
            return self.accept(slot, result, tracker)
        if tracker.get_slot("requested_slot") not in (None, slot):
            # An entity the NLU saw in the answer to another question ("12345678" for the phone, read as an ID
            # number): not an answer for this field, which keeps what it had, and nothing is said about it.
            return {slot: slot_before_latest_message(tracker, slot)}
        return self.reject(slot, dispatcher, tracker, message)

    def narrative(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, kind: Narrative
    ) -> dict[str, Any]:
        text = str(value).strip()[:MAX_LETTER_CHARS]
        if text.startswith("/"):
            # A button ("重新提交", "登记诉求") is no description: the one already given stays (set by the
            # action that offered the button, or written before).
            given = [v for v in values_since_latest_message(tracker, slot) if v and not str(v).startswith("/")]
            return {slot: given[-1] if given else slot_before_latest_message(tracker, slot)}
        # Insults tell no matter ("你们都是废物"): without them the description may be too short to take.
        told = without_insults(kind.announcement.sub("", text))
        content = _NOT_WORDS.sub("", _SMALL_TALK.sub("", told))
        # Said again when asked again: all there is to say ("广场舞太吵"), not a loop of the same question.
        said_again = han_count(content) >= MIN_PROBLEM_HAN and repeats_previous_message(tracker)
        if len(content) >= kind.min_chars or (kind.problem_suffices and states_a_problem(told)) or said_again:
            return self.accept(slot, text, tracker)
        if only_states_intent(tracker, kind.intent):
            return {slot: None}  # only "我要投诉": the form asks its question instead of scolding
        return self.reject(slot, dispatcher, tracker)


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
