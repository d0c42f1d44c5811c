"""Participatory budgeting (社区预算) in the chat: proposing a project for a round open for proposals (YS cases),
voting in a round open for voting (WeChat residents in the chat, whose openid is their verified identity; others
on the budget page, where a phone number is confirmed by a code), and the published results."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, Narrative, file_case, reset_form_slots
from actions.pii import normalize_phone
from actions.second_request import offer_pending_request
from actions.tracker_info import sender_channel, slot_text
from contract.budget import FUNDING_RULE, PROPOSALS, RESULTS, VOTING, BudgetProject, BudgetRound, BudgetRoundDetail
from contract.receipts import CaseReceipt

# The round slot when there is none to take part in: the form asks nothing more and its action says so.
NO_ROUND = "无"
MIN_DESCRIPTION_CHARS = 8
MAX_TITLE_CHARS = 30
MAX_PLACE_CHARS = 100
# The channel whose sender id is a verified identity (the WeChat openid): only it votes in the chat.
VERIFIED_CHANNEL = "wechat"
# Proposal statuses (contract.case_kinds.PROPOSAL): on the ballot, and funded once the results are out.
ON_BALLOT = "accepted"
FUNDED = frozenset({"funded", "in_progress", "completed"})
_TRIGGER = re.compile(r"^(我)?(想|要)?(提|申报|提议|建议)(个|一个)?(社区)?(预算)?(项目)?(提议)?[，,。:：]?")

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*(万|千|百)?\s*(?:元|块)?")


def _cn_number(text: str) -> int | None:
    """ "三十" 30, "一百五" -> 150 is not read (ambiguous), "五" 5; None if not a Chinese number."""
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def parse_cost(text: str) -> int | None:
    """A rough cost in whole yuan: "20万" 200000, "约5万元" 50000, "300000" 300000, "1.5万" 15000, "三十万" 300000."""
    compact = re.sub(r"[\s,，]", "", text)
    match = _AMOUNT.search(compact)
    if not match:
        return None
    number, unit = match.groups()
    value = float(number) if number[0].isdigit() else _cn_number(number)
    if not value:
        return None
    amount = round(value * {"万": 10000, "千": 1000, "百": 100, None: 1}[unit])
    return amount if amount > 0 else None


def _title(text: str) -> str | None:
    text = text.strip().strip("“”\"'。")
    return text if 2 <= len(text) <= MAX_TITLE_CHARS else None


def _proposal_place(text: str) -> str | None:
    text = text.strip()
    return text[:MAX_PLACE_CHARS] if len(text) >= 2 else None


def round_buttons(rounds: list[BudgetRound]) -> replies.Buttons:
    return [{"title": r.title, "payload": replies.payload("inform", budget_round=str(r.id))} for r in rounds[:5]]


class BudgetRoundQuestion(WithCaseApi):
    """Which round: the only one in the phase is taken without asking, several are offered as buttons, and with
    none the round slot says so (NO_ROUND) and the form ends for its action to explain."""

    phase: str

    async def rounds(self) -> list[BudgetRound] | None:
        try:
            return await self.api.budget_rounds(self.phase)
        except CaseApiError:
            return None

    async def extract_budget_round(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("budget_round"):
            return {}
        rounds = await self.rounds()
        if rounds is None or len(rounds) > 1:
            return {}
        return {"budget_round": str(rounds[0].id) if rounds else NO_ROUND}

    async def validate_budget_round(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text == NO_ROUND:
            return {"budget_round": NO_ROUND}
        rounds = await self.rounds()
        if rounds is None:
            dispatcher.utter_message(text=replies.BUDGET_UNAVAILABLE)
            return {"budget_round": NO_ROUND}
        match = next((r for r in rounds if text == str(r.id) or r.title in text or text in r.title), None)
        if match:
            return FormValidation.accept("budget_round", str(match.id), tracker)
        return FormValidation.reject("budget_round", dispatcher, tracker, buttons=round_buttons(rounds))


class ActionAskBudgetRound(WithCaseApi, Action):
    """Asked only when several rounds are in the form's phase (else the round is taken or there is none)."""

    def name(self) -> str:
        return "action_ask_budget_round"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        phase = PROPOSALS if tracker.active_loop_name == "proposal_form" else VOTING
        try:
            rounds = await self.api.budget_rounds(phase)
        except CaseApiError:
            dispatcher.utter_message(text=replies.BUDGET_UNAVAILABLE)
            return [SlotSet("budget_round", NO_ROUND)]
        question = replies.WHICH_PROPOSAL_ROUND if phase == PROPOSALS else replies.WHICH_VOTING_ROUND
        dispatcher.utter_message(text=question, buttons=round_buttons(rounds))
        return []


# Proposals -------------------------------------------------------------------------------------------------
class ValidateProposalForm(BudgetRoundQuestion, FormValidation):
    form = "proposal_form"
    phase = PROPOSALS
    readers = {
        "proposal_title": _title,
        "proposal_cost": parse_cost,
        "proposal_place": _proposal_place,
        "phone": normalize_phone,
    }
    narratives = {"proposal_description": Narrative(_TRIGGER, "propose_project", MIN_DESCRIPTION_CHARS)}

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if tracker.get_slot("budget_round") == NO_ROUND else domain_slots


def _proposal_filed(until: str) -> Callable[[CaseReceipt], tuple[str, replies.Buttons]]:
    def confirmation(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
        return replies.PROPOSAL_FILED.format(number=receipt.number, date=until), []

    return confirmation


async def _no_round_to_join(api: Any, dispatcher: CollectingDispatcher) -> None:
    """No round open for proposals: say so, and point to a vote if one is on."""
    try:
        voting = await api.budget_rounds(VOTING)
    except CaseApiError:
        voting = []
    lines = [replies.NO_PROPOSAL_ROUND]
    if voting:
        lines.append(
            replies.NO_ROUND_VOTING_ELSEWHERE.format(
                title=voting[0].title, date=replies.chinese_date(voting[0].voting_until)
            )
        )
    lines.append(replies.NO_ROUND_LATER)
    dispatcher.utter_message(text="".join(lines))


class ActionSubmitProposal(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_proposal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        round_id = slot_text(tracker, "budget_round")
        if round_id in ("", NO_ROUND):
            await _no_round_to_join(self.api, dispatcher)
            return reset_form_slots("proposal_form")
        sender, channel = sender_channel(tracker)
        try:
            until = replies.chinese_date((await self.api.budget_round(round_id)).proposals_until)
        except CaseApiError:
            until = ""
        filing = self.api.propose_project(
            round_id,
            title=slot_text(tracker, "proposal_title"),
            description=slot_text(tracker, "proposal_description"),
            cost_yuan=int(tracker.get_slot("proposal_cost") or 0),
            place=slot_text(tracker, "proposal_place"),
            phone=slot_text(tracker, "phone"),
            sender=sender,
            channel=channel,
        )
        return await file_case(dispatcher, tracker, "proposal_form", filing, _proposal_filed(until))


# Voting ----------------------------------------------------------------------------------------------------
def _choice_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def on_ballot(detail: BudgetRoundDetail) -> list[BudgetProject]:
    """The projects one can vote for, numbered from 1 in this order (the round page lists rejected ones too)."""
    return [p for p in detail.projects if p.status == ON_BALLOT]


def _chosen(detail: BudgetRoundDetail, choices: str) -> list[str]:
    """The titles of the chosen projects, in the ballot's order."""
    titles = {p.number: p.title for p in detail.projects}
    return [titles.get(number, number) for number in choices.split(",") if number]


class ValidateBallotForm(BudgetRoundQuestion, FormValidation):
    form = "ballot_form"
    phase = VOTING

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Only a WeChat resident votes here; the others get the page's link from the form's action."""
        if sender_channel(tracker)[1] != VERIFIED_CHANNEL or tracker.get_slot("budget_round") == NO_ROUND:
            return []
        return domain_slots

    async def validate_ballot_choices(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "1 3" -> the numbers (YS…) of projects 1 and 3 as listed, at most max_choices of them."""
        try:
            detail = await self.api.budget_round(slot_text(tracker, "budget_round"))
        except CaseApiError:
            dispatcher.utter_message(text=replies.BUDGET_UNAVAILABLE)
            return {"ballot_choices": None}
        indexes = list(dict.fromkeys(_choice_numbers(str(value))))
        if not indexes:
            return self.reject("ballot_choices", dispatcher, tracker)
        if len(indexes) > detail.max_choices:
            message = replies.TOO_MANY_CHOICES.format(max_choices=detail.max_choices)
            return self.reject("ballot_choices", dispatcher, tracker, message)
        projects = on_ballot(detail)
        wrong = next((i for i in indexes if not 1 <= i <= len(projects)), None)
        if wrong is not None:
            return self.reject("ballot_choices", dispatcher, tracker, replies.UNKNOWN_CHOICE.format(index=wrong))
        numbers = ",".join(projects[i - 1].number for i in indexes)
        return self.accept("ballot_choices", numbers, tracker)

    def validate_ballot_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True:
            return self.accept("ballot_confirmed", True, tracker)
        if value is False:  # "重新选": the projects are asked again
            return {"ballot_confirmed": None, "ballot_choices": None}
        return self.reject("ballot_confirmed", dispatcher, tracker)


class ActionAskBallotChoices(WithCaseApi, Action):
    """The voting round's projects, numbered, and how to choose."""

    def name(self) -> str:
        return "action_ask_ballot_choices"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            detail = await self.api.budget_round(slot_text(tracker, "budget_round"))
        except CaseApiError:
            dispatcher.utter_message(text=replies.BUDGET_UNAVAILABLE)
            return [SlotSet("budget_round", NO_ROUND)]
        projects = on_ballot(detail)
        if not projects:
            dispatcher.utter_message(text=replies.NO_PROJECTS.format(title=detail.title))
            return [SlotSet("budget_round", NO_ROUND)]
        lines = "\n".join(
            replies.BALLOT_LINE.format(index=i, title=p.title, cost=replies.yuan(p.cost_yuan), place=p.place)
            for i, p in enumerate(projects, start=1)
        )
        text = replies.BALLOT_LIST.format(
            title=detail.title,
            date=replies.chinese_date(detail.voting_until),
            max_choices=detail.max_choices,
            lines=lines,
        )
        dispatcher.utter_message(text=f"{text}\n{replies.BALLOT_HOW}")
        return []


class ActionAskBallotConfirmed(WithCaseApi, Action):
    def name(self) -> str:
        return "action_ask_ballot_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            detail = await self.api.budget_round(slot_text(tracker, "budget_round"))
            titles = _chosen(detail, slot_text(tracker, "ballot_choices"))
        except CaseApiError:
            titles = slot_text(tracker, "ballot_choices").split(",")
        lines = "\n".join(f"{i}. {title}" for i, title in enumerate(titles, start=1))
        dispatcher.utter_message(
            text=replies.CONFIRM_BALLOT.format(lines=lines), buttons=replies.CONFIRM_BALLOT_BUTTONS
        )
        return []


class ActionCastBallot(WithCaseApi, Action):
    """The end of the ballot form: the ballot cast (WeChat), the page's link (other channels), or no vote on."""

    def name(self) -> str:
        return "action_cast_ballot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        done = reset_form_slots("ballot_form")
        sender, channel = sender_channel(tracker)
        round_id = slot_text(tracker, "budget_round")
        try:
            if channel != VERIFIED_CHANNEL:
                self._point_to_page(dispatcher, await self.api.budget_rounds(VOTING))
                return done
            if round_id in ("", NO_ROUND):
                dispatcher.utter_message(text=replies.NO_VOTING_ROUND)
                return done
            detail = await self.api.budget_round(round_id)
            choices = slot_text(tracker, "ballot_choices").split(",")
            ballot = await self.api.cast_ballot(round_id, choices=choices, sender=sender, channel=channel)
        except CaseApiError as error:
            # The gateway's own words for a refused ballot (voting closed, a rejected project), else ours.
            dispatcher.utter_message(text=error.gateway_message or replies.BALLOT_NOT_CAST)
            return done
        titles = "、".join(_chosen(detail, ",".join(ballot.choices)))
        template = replies.BALLOT_REPLACED if ballot.replaced else replies.BALLOT_CAST
        dispatcher.utter_message(text=template.format(titles=titles, date=replies.chinese_date(ballot.voting_until)))
        return [*done, *offer_pending_request(dispatcher, tracker)]

    @staticmethod
    def _point_to_page(dispatcher: CollectingDispatcher, rounds: list[BudgetRound]) -> None:
        """Outside WeChat nobody's identity is verified in the chat: the budget page confirms a phone by a code."""
        if not rounds:
            dispatcher.utter_message(text=replies.NO_VOTING_ROUND)
            return
        for budget_round in rounds:
            text = replies.VOTE_ON_PAGE.format(
                title=budget_round.title,
                date=replies.chinese_date(budget_round.voting_until),
                max_choices=budget_round.max_choices,
                url=budget_round.page_url,
            )
            dispatcher.utter_message(text=text)


# Results ---------------------------------------------------------------------------------------------------
class ActionBudgetResults(WithCaseApi, Action):
    """The latest published results: projects in vote order, the funded ones marked, and the rule."""

    def name(self) -> str:
        return "action_budget_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            published = await self.api.budget_rounds(RESULTS)
            if not published:
                voting = await self.api.budget_rounds(VOTING)
                if voting:
                    date = replies.chinese_date(voting[0].voting_until)
                    dispatcher.utter_message(text=replies.NO_RESULTS_VOTING.format(title=voting[0].title, date=date))
                else:
                    dispatcher.utter_message(text=replies.NO_RESULTS)
                return []
            detail = await self.api.budget_round(str(published[-1].id))
        except CaseApiError:
            dispatcher.utter_message(text=replies.BUDGET_UNAVAILABLE)
            return []
        ranked = sorted((p for p in detail.projects if p.votes is not None), key=lambda p: -(p.votes or 0))
        lines = "\n".join(
            replies.RESULT_LINE.format(
                index=i,
                title=p.title,
                votes=p.votes or 0,
                cost=replies.yuan(p.cost_yuan),
                funded=replies.FUNDED if p.status in FUNDED else replies.NOT_FUNDED,
            )
            for i, p in enumerate(ranked, start=1)
        )
        text = replies.RESULTS.format(
            title=detail.title, budget=replies.yuan(detail.budget_yuan), lines=lines, rule=FUNDING_RULE
        )
        dispatcher.utter_message(text=text)
        return []
