"""Hand-over to the 12345 hotline: a GD ticket with the transcript, then the bot pauses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.answer import answer_question
from actions.case_api import CaseApi, CaseApiError, WithCaseApi
from actions.form_base import unusable_answer
from actions.forms import FORMS
from actions.intake import (
    answered_displeasure,
    asked_for_the_matter,
    is_department_matter,
    offer_to_register,
    take_in_stated_problem,
)
from actions.knowledge_hits import knowledge_of, suggestions_of
from actions.leave_form import leave_active_form
from actions.pii import mask_text, normalize_phone
from actions.tracker_info import last_bot_text_before_latest_message, latest_intent, sender_channel
from actions.turn_marks import earlier_question, unanswered_mark
from contract import turns
from contract.knowledge import SearchResult
from contract.receipts import TranscriptLine
from knowledge.request_kind import asks_a_question

logger = logging.getLogger(__name__)

MAX_TRANSCRIPT_LINES = 60


def _timestamp(event: dict[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    return datetime.fromtimestamp(stamp, UTC).isoformat() if stamp else None


def transcript_of(tracker: Tracker) -> list[TranscriptLine]:
    """The conversation so far as the resident saw it, personal numbers masked: a button press reads as the
    button's title ("[按钮] 没解决，转人工"), not as its payload."""
    lines = []
    offered: dict[str, str] = {}  # payload -> title of the buttons the assistant last showed
    for event in tracker.events:
        kind, text = event.get("event"), event.get("text")
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            offered = {str(b.get("payload")): str(b.get("title")) for b in buttons} or offered
        if kind not in ("user", "bot") or not text:
            continue
        if kind == "user" and text.startswith("/"):
            text = replies.BUTTON_PRESS.format(title=offered.get(text, replies.BUTTON_UNKNOWN))
        role = "resident" if kind == "user" else "bot"
        lines.append(TranscriptLine(role=role, text=mask_text(text), at=_timestamp(event)))
    return lines[-MAX_TRANSCRIPT_LINES:]


def _latest_knowledge(tracker: Tracker) -> SearchResult | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            knowledge = knowledge_of(event.get("parse_data"))
            if knowledge and knowledge.hits:
                return knowledge
    return None


def _summary(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        text = event.get("text") or ""
        if event.get("event") == "user" and text and not text.startswith("/"):
            return mask_text(text)[:200]
    return replies.DEFAULT_TICKET_SUMMARY


async def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, api: CaseApi) -> list[EventType]:
    sender, channel = sender_channel(tracker)
    try:
        ticket = await api.create_ticket(
            sender=sender,
            channel=channel,
            summary=_summary(tracker),
            transcript=transcript_of(tracker),
            suggestions=suggestions_of(_latest_knowledge(tracker)),
            category=None,
            phone=normalize_phone(str(tracker.get_slot("phone") or "")),
        )
    except CaseApiError:
        dispatcher.utter_message(text=replies.ESCALATION_FAILED)
        return []
    # An unfinished form is not filed: the resident hears so before the hand-over.
    events = leave_active_form(dispatcher, tracker)
    deadline = replies.ESCALATED_DEADLINE.format(date=replies.chinese_date(ticket.deadline)) if ticket.deadline else ""
    # "没解决" (or "不对" to an answer): the answer to the earlier question did not help; it goes to the inbox.
    unsolved = earlier_question(tracker) if latest_intent(tracker) in ("not_satisfied", "deny") else None
    dispatcher.utter_message(
        text=replies.ESCALATED.format(number=ticket.number, deadline=deadline),
        json_message=turns.mark(turns.HANDOFF, question=unsolved),
    )
    return [*events, SlotSet("last_case_number", ticket.number), ConversationPaused()]


class ActionEscalateToHuman(WithCaseApi, Action):
    def name(self) -> str:
        return "action_escalate_to_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await escalate(dispatcher, tracker, self.api)


class ActionHandleFallback(WithCaseApi, Action):
    """Not understood (NLU fallback), or nothing else knows what to do next (Rasa's core fallback).

    Inside a form the message is an answer the question could not use: said so, and the form asks again
    (after the second such answer with the ways on: continue, cancel, a person). Outside a form: answered
    if the knowledge base is sure anyway, otherwise rephrasing is asked for, and after two misses in a row
    a person takes over. Either way the turn ends here, so the assistant never loops on its own fallback.
    """

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form, slot = tracker.active_loop_name, tracker.get_slot("requested_slot")
        if form in FORMS and slot:
            return await self._inside_form(dispatcher, tracker, form, slot)
        knowledge = knowledge_of(tracker.latest_message)
        text = str(tracker.latest_message.get("text") or "")
        said_before = last_bot_text_before_latest_message(tracker)
        events: list[EventType]
        if answered_displeasure(dispatcher, tracker):
            events = []
        elif asked_for_the_matter(dispatcher, text):
            events = []
        elif knowledge and (knowledge.confident or (knowledge.hits and self._plain_question(tracker, text))):
            events = await answer_question(dispatcher, tracker, self.api)
        elif (taken := await take_in_stated_problem(tracker, self.api)) is not None:
            return taken  # the complaint form runs next
        elif (offered := offer_to_register(dispatcher, tracker)) is not None:
            events = offered  # a problem in the resident's own words: never "没太明白"
        elif (
            latest_intent(tracker) == "out_of_scope"
            and await is_department_matter(text, self.api)
            and (offered := offer_to_register(dispatcher, tracker, department_matter=True)) is not None
        ):
            events = offered  # short, but a department's matter: "天然气涨价了怎么没听证"
        elif latest_intent(tracker) == "out_of_scope":
            repeated = said_before == replies.OUT_OF_SCOPE
            dispatcher.utter_message(
                text=replies.OUT_OF_SCOPE_AGAIN if repeated else replies.OUT_OF_SCOPE,
                buttons=replies.CAPABILITY_BUTTONS if repeated else None,
                json_message=unanswered_mark(tracker),
            )
            events = []
        elif said_before == replies.NOT_UNDERSTOOD:
            # The second miss in a row: a person reads it rather than a third "没太明白".
            dispatcher.utter_message(text=replies.STILL_NOT_UNDERSTOOD, json_message=unanswered_mark(tracker))
            return await escalate(dispatcher, tracker, self.api)
        else:
            dispatcher.utter_message(
                text=replies.NOT_UNDERSTOOD, buttons=replies.human_buttons(), json_message=unanswered_mark(tracker)
            )
            events = []
        # The turn ends here: a fallback that left the next step to Rasa's policies could be predicted again.
        return [*events, FollowupAction("action_listen")]

    @staticmethod
    def _plain_question(tracker: Tracker, text: str) -> bool:
        """Not understood, and a plain question with candidate guides ("房子卖了，怎么把产权转给买家"): the
        candidates to pick from, not the offer to register a problem. Not when the classifier placed it outside
        government services: "现在几点了" has candidates as weak as a real question's."""
        return latest_intent(tracker) == "nlu_fallback" and asks_a_question(text)

    async def _inside_form(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, form: str, slot: str
    ) -> list[EventType]:
        knowledge = knowledge_of(tracker.latest_message)
        if knowledge and knowledge.best and slot not in FORMS[form].free_text:
            events = await answer_question(dispatcher, tracker, self.api)
        else:
            events = [SlotSet(k, v) for k, v in unusable_answer(slot, dispatcher, tracker).items()]
        return [*events, FollowupAction(form)]
