"""Answering a service question from the knowledge base, never from anything else."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApi, CaseApiError, WithCaseApi
from actions.intake import (
    OFFERS,
    answered_displeasure,
    asked_for_the_matter,
    complaint_instead_of_answer,
    describes_a_problem,
    offer_to_register,
    reads_as_request,
    report_for_another_department,
    take_in_stated_problem,
)
from actions.knowledge_hits import knowledge_of, service_buttons
from actions.tracker_info import last_bot_text_before_latest_message, latest_intent
from actions.turn_marks import unanswered_mark
from contract import turns
from contract.knowledge import Hit
from contract.limits import MAX_LETTER_CHARS
from knowledge.request_kind import Strength, asks_a_question, grievance_strength, han_count, is_letter

logger = logging.getLogger(__name__)


def _earlier_hit(tracker: Tracker, service: str) -> Hit | None:
    """The answer for `service` among the matches of the resident's earlier questions (newest first)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            knowledge = knowledge_of(event.get("parse_data"))
            for hit in knowledge.hits if knowledge else []:
                if hit.service == service:
                    return hit
    return None


async def _hit_for_chosen_service(tracker: Tracker, service: str, api: CaseApi) -> Hit | None:
    hit = _earlier_hit(tracker, service)
    if hit:
        return hit
    try:
        found = await api.search_knowledge(service)
    except CaseApiError:
        return None
    return next((h for h in found.hits if h.service == service), None)


def answer_with_hit(
    dispatcher: CollectingDispatcher, tracker: Tracker, hit: Hit, *, about: bool = False
) -> list[EventType]:
    """The answer with its source; `about`: the question did not name the service, so the answer does."""
    text = hit.answer
    if about and hit.service not in text.split(replies.SOURCE_LEAD)[0]:
        text = replies.ABOUT_SERVICE.format(service=hit.service, answer=text)
    # Answers composed by the knowledge base already end with their source; never show it twice.
    if hit.source not in text:
        text += "\n" + replies.SOURCE.format(source=hit.source)
    # Inside a form the resident goes back to the form's question; feedback buttons would derail it.
    dispatcher.utter_message(
        text=text,
        buttons=None if tracker.active_loop_name else replies.FEEDBACK_BUTTONS,
        json_message=turns.mark(turns.ANSWERED, service=hit.service),
    )
    return [SlotSet("answered_service", hit.service), SlotSet("pending_question", None)]


def context_service(tracker: Tracker) -> str | None:
    """The service the conversation is on: the one being applied for, else the one last answered."""
    if tracker.active_loop_name == "apply_form" and tracker.get_slot("service"):
        return str(tracker.get_slot("service"))
    answered = tracker.get_slot("answered_service")
    return str(answered) if answered else None


async def _aspect_of(service: str, question: str, api: CaseApi) -> Hit | None:
    """The answer to `question` ("那要多少钱") about `service`: the service named, the aspect from the question."""
    try:
        found = await api.search_knowledge(f"{service} {question}", k=5)
    except CaseApiError:
        return None
    return next((hit for hit in found.hits if hit.service == service), None)


async def answer_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, api: CaseApi, question: str
) -> list[EventType]:
    """An aspect question that names no service: about the conversation's service, or ask which one."""
    service = context_service(tracker)
    hit = await _aspect_of(service, question, api) if service else None
    if hit:
        return answer_with_hit(dispatcher, tracker, hit, about=True)
    dispatcher.utter_message(text=replies.WHICH_SERVICE_FOR_ASPECT)
    return [SlotSet("pending_question", question)]


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, api: CaseApi) -> list[EventType]:
    """Answer when retrieval is confident, ask which service was meant when it is not, else say so. A letter
    answered from a guide also gets the offer to register it: it asks for a department's answer."""
    events = await _answer_question(dispatcher, tracker, api)
    text = str(tracker.latest_message.get("text") or "")
    answered = any(event.get("name") == "answered_service" for event in events)
    if answered and not tracker.active_loop_name and is_letter(text):
        dispatcher.utter_message(text=replies.REGISTER_LETTER, buttons=replies.REGISTER_BUTTONS)
        events = [*events, SlotSet("offered_request", text[:MAX_LETTER_CHARS])]
    return events


async def _answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, api: CaseApi) -> list[EventType]:
    text = str(tracker.latest_message.get("text") or "")
    phone = next(tracker.get_latest_entity_values("phone"), None)
    if phone and not tracker.active_loop_name and not han_count(text):
        # "13812345678" on its own is no question: its digits would match guides that mention a hotline number
        dispatcher.utter_message(text=replies.ONLY_A_PHONE)
        return []
    knowledge = knowledge_of(tracker.latest_message)
    best = knowledge.best if knowledge else None
    chosen = next(tracker.get_latest_entity_values("service"), None)
    if knowledge and knowledge.follow_up:
        return await answer_follow_up(dispatcher, tracker, api, knowledge.query)
    pending = tracker.get_slot("pending_question")
    if chosen and pending:
        # The service asked for after "要带什么": the pending question is about it.
        hit = await _aspect_of(chosen, pending, api)
        if hit:
            return [*answer_with_hit(dispatcher, tracker, hit, about=True), SlotSet("pending_question", None)]
    # About a procedure or a document the best guide does not deal with ("个体户注销").
    another = knowledge is not None and knowledge.another_subject
    top = knowledge.hits[0].service if knowledge and knowledge.hits else None  # the NLU component may keep none
    if chosen and not best and not (another and top in (chosen, None)):
        # A button press (or a service named outright): answer for exactly that service. Not when a confident
        # search placed the whole question elsewhere ("家里吃低保的 公租房能不能排上" is 公共租赁住房申请's), nor when
        # the question asks about something the service's guide does not deal with ("个体户注销执照"; when the NLU
        # component kept no hits, the search's verdict is about the service named: "营业执照年报…咋移出来").
        hit = await _hit_for_chosen_service(tracker, chosen, api)
        if hit:
            return answer_with_hit(dispatcher, tracker, hit)
    if best:
        return answer_with_hit(dispatcher, tracker, best)
    # Then its neighbours are no better choices: the question is offered to a person instead.
    buttons = [] if another else service_buttons(knowledge, intent="ask_service")
    # A problem described in the resident's words is a request to register, not a choice among how-to guides;
    # a question that matches no guide at all may still describe one.
    if not tracker.active_loop_name and (reads_as_request(tracker) or not buttons):
        offered = offer_to_register(dispatcher, tracker, about_a_subject=another)
        if offered is not None:
            return offered
    if buttons:
        # Not answered as asked (only candidates to pick from): the wording is one for the inbox.
        # None of the guides may fit: then a person answers it (a GD ticket, now or in working hours).
        dispatcher.utter_message(
            text=replies.WHICH_SERVICE,
            buttons=[*buttons, *replies.none_of_these_buttons()],
            json_message=unanswered_mark(tracker),
        )
        return []
    dispatcher.utter_message(
        text=replies.NOTHING_FITS, buttons=replies.human_buttons(), json_message=unanswered_mark(tracker)
    )
    return []


class ActionAnswerService(WithCaseApi, Action):
    def name(self) -> str:
        return "action_answer_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if (complaint := complaint_instead_of_answer(tracker)) is not None:
            return complaint
        if (taken := await take_in_stated_problem(tracker, self.api)) is not None:
            return taken  # "门口积水了" read as a question or an answer
        if (taken := await report_for_another_department(tracker, self.api)) is not None:
            return taken
        text = str(tracker.latest_message.get("text") or "")
        events = [] if asked_for_the_matter(dispatcher, text) else await answer_question(dispatcher, tracker, self.api)
        if tracker.active_loop_name:
            return events  # the form asks its question again (rules)
        # Outside a form an answer always ends the bot's turn (the rules and stories say so); saying it here
        # spares Rasa one policy prediction per question, about 5 ms of its ~40 ms CPU (docs/assistant.md).
        return [*events, FollowupAction("action_listen")]


class ActionAcknowledge(WithCaseApi, Action):
    """Affirm or deny outside a form: "好的" / "不用了" get "还有其他需要帮忙的吗"; said to the offer to register a
    request, they take it up ("好的": as if "登记诉求" was pressed) or let it go; "不对" to a guide's answer hands
    the question to a person. A question or a grievance the
    classifier read as one ("出生证明上娃名字写错了一个字 能改不 去哪改": deny) is answered like a question."""

    def name(self) -> str:
        return "action_acknowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if answered_displeasure(dispatcher, tracker):
            return []
        if (complaint := complaint_instead_of_answer(tracker)) is not None:
            return complaint
        if (taken := await take_in_stated_problem(tracker, self.api)) is not None:
            return taken
        if describes_a_problem(text) and (asks_a_question(text) or grievance_strength(text) is not Strength.NONE):
            return [*await answer_question(dispatcher, tracker, self.api), FollowupAction("action_listen")]
        offered = tracker.get_slot("offered_request")
        said_before = last_bot_text_before_latest_message(tracker) or ""
        if latest_intent(tracker) == "deny" and replies.SOURCE_LEAD in said_before:
            # "不对" / "都不是" to a guide's answer: it did not help, as "没解决，转人工" says
            return [FollowupAction("action_escalate_to_human")]
        if offered and said_before in (*OFFERS, replies.REGISTER_LETTER):
            if latest_intent(tracker) != "affirm":
                dispatcher.utter_message(response="utter_anything_else")
                return [SlotSet("offered_request", None)]
            if said_before == replies.OFFER_CONSULTATION:
                return [FollowupAction("action_escalate_to_human")]  # a GD ticket, as the button
            # the complaint form validates the description set here, as after the button
            return [
                SlotSet("complaint_description", offered),
                SlotSet("offered_request", None),
                FollowupAction("complaint_form"),
            ]
        dispatcher.utter_message(response="utter_anything_else")
        return []
