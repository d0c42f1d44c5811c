"""Rating: 1-5 stars and an optional comment, about the last case or the last answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots
from actions.second_request import offer_pending_request
from actions.tracker_info import slot_before_latest_message, slot_text
from contract.ratings import parse_stars

NO_COMMENT = "无"
_NO_COMMENT_WORDS = ("没有", "没了", "无", "不用", "算了吧", "没什么")


class ValidateRateForm(FormValidation):
    form = "rate_form"

    def validate_stars(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        stars = parse_stars(str(value))
        if stars is None and tracker.get_slot("requested_slot") != "stars":
            # A "stars" mention that is no rating, found while the comment is asked ("办得挺快的" -> 挺快): part of
            # the comment's words. The stars already given stay.
            return {"stars": slot_before_latest_message(tracker, "stars")}
        if stars is None:
            return self.reject("stars", dispatcher, tracker)
        return self.accept("stars", str(stars), tracker)

    def validate_rating_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text.rstrip("。.!！") in _NO_COMMENT_WORDS:
            text = NO_COMMENT
        return self.accept("rating_comment", text[:500], tracker)


class ActionSubmitRating(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        stars = int(slot_text(tracker, "stars"))
        comment = tracker.get_slot("rating_comment")
        try:
            await self.api.submit_evaluation(
                stars=stars,
                comment=None if comment == NO_COMMENT else comment,
                case_number=tracker.get_slot("last_case_number"),
                service=tracker.get_slot("answered_service"),
                sender=tracker.sender_id,
            )
        except CaseApiError:
            dispatcher.utter_message(text=replies.RATING_NOT_SAVED)
            return reset_form_slots("rate_form")
        if stars <= 2:
            dispatcher.utter_message(text=replies.RATING_LOW, buttons=replies.human_buttons())
        else:
            dispatcher.utter_message(text=replies.RATING_THANKS)
        return [*reset_form_slots("rate_form"), *offer_pending_request(dispatcher, tracker)]
