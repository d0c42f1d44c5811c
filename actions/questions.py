"""The questions the forms ask: one `action_ask_<slot>` per entry of `replies.QUESTIONS`.

They are actions and not `utter_ask_<slot>` responses in domain.yml because Rasa's validator reports
responses that only forms use as "not used in any story or rule", and
`rasa data validate --fail-on-warnings` must pass. Questions built from live data
(`action_ask_apply_confirmed`, `action_ask_consultation`) live beside their forms.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.complaint import summary_of
from actions.forms import FORMS
from actions.pii import mask_phone, mobile_in, normalize_phone
from actions.tracker_info import (
    bot_texts_since_latest_message,
    last_bot_text_before_latest_message,
    phone_given_this_session,
    refused_now,
)


class AskQuestion(Action, ABC):
    """Asks for one slot; abstract, so rasa-sdk registers only the subclasses (one per question, below)."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def question(self, tracker: Tracker) -> tuple[str, replies.Buttons]:
        return replies.QUESTIONS[self.slot]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text, buttons = await self.question(tracker)
        said_now = bot_texts_since_latest_message(tracker)
        said_before = last_bot_text_before_latest_message(tracker)
        if not buttons and refused_now(tracker, tracker.get_slot("requested_slot")) and said_now[-1:] != [said_before]:
            # The refusal said what to send instead ("请核对后重新输入18位号码"): the question again would say it twice.
            # (Refused twice alike, the question follows: the same reply twice in a row reads as a stuck machine.)
            return []
        continued = any(said.startswith(replies.TAKEN_IN_PASSING) for said in said_now)
        form = FORMS.get(tracker.active_loop_name or "")
        if form is not None and any(replies.SOURCE_LEAD in said for said in said_now):
            # A question answered from a guide in the middle of the form: back to where it was.
            text = replies.RESUMED.format(task=form.task) + text
        elif said_before == text and not continued:
            # Asked again after an answer it could not use: not the very same sentence twice in a row. (More of
            # a letter instead of the answer was no mistake: the question is simply asked again.)
            text = replies.ASK_AGAIN.format(question=text)
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class ActionAskCaseNumber(WithCaseApi, AskQuestion):
    """The case number, with the resident's own recent cases as buttons: "查一下我的投诉" seldom comes with it."""

    slot = "case_number"

    async def question(self, tracker: Tracker) -> tuple[str, replies.Buttons]:
        text, buttons = await super().question(tracker)
        try:
            cases = await self.api.own_cases(tracker.sender_id)
        except CaseApiError:
            return text, buttons  # the question alone still works
        if not cases:
            return text, buttons
        own = [(replies.own_case_title(c.kind_text, c.filed_on, summary_of(c.text), c.number), c.number) for c in cases]
        return f"{text}{replies.OWN_CASES}", [*buttons, *replies.buttons(*own)]


class AskPhone(AskQuestion):
    """A phone question; a resident who gave a number earlier in the conversation (a second complaint, an
    application after a complaint) can press it instead of typing it again. So can one who wrote a mobile number
    in the request itself ("电话13912345678 麻烦联系我"): it may be someone else's, so it is offered, not assumed.
    The button shows it masked."""

    async def question(self, tracker: Tracker) -> tuple[str, replies.Buttons]:
        text, buttons = await super().question(tracker)
        form = FORMS.get(str(tracker.active_loop_name))
        told = str(tracker.get_slot(form.opening) or "") if form and form.opening else ""
        earlier = phone_given_this_session(tracker, normalize_phone)
        written = None if earlier else mobile_in(told)
        number = earlier or written
        if number is None:
            return text, buttons
        title = replies.SAME_PHONE_BUTTON if earlier else replies.WRITTEN_PHONE_BUTTON
        same = (title.format(masked=mask_phone(number)), replies.payload("inform", phone=number))
        return text, [*replies.buttons(same), *buttons]


class ActionAskComplaintDescription(AskQuestion):
    """What happened; after a letter's opening alone, simply an invitation to go on."""

    slot = "complaint_description"

    async def question(self, tracker: Tracker) -> tuple[str, replies.Buttons]:
        if tracker.get_slot("complaint_opening"):
            return replies.ASK_MATTER_AFTER_OPENING, []
        return await super().question(tracker)


# One registered action per question; the names are the form slots'.
_OWN_CLASSES: dict[str, type[AskQuestion]] = {
    ActionAskCaseNumber.slot: ActionAskCaseNumber,
    ActionAskComplaintDescription.slot: ActionAskComplaintDescription,
}
_PHONE_QUESTIONS = ("phone", "complaint_form_phone", "suggestion_phone")
ASK_ACTIONS: dict[str, type[AskQuestion]] = {
    slot: _OWN_CLASSES.get(slot)
    or type(
        f"Ask_{slot}", (AskPhone if slot in _PHONE_QUESTIONS else AskQuestion,), {"slot": slot, "__module__": __name__}
    )
    for slot in replies.QUESTIONS
}
