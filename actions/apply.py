"""Online application: validate the form, confirm with masked data, file through the case API."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, ServiceInfo, WithCaseApi
from actions.form_base import FormValidation, file_case, reset_form_slots
from actions.knowledge_hits import knowledge_of, service_buttons
from actions.pii import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    states_a_name,
)
from actions.tracker_info import (
    latest_intent,
    sender_channel,
    slot_before_latest_message,
    slot_text,
    slots_set_by_latest_message,
)
from contract.receipts import CaseReceipt

logger = logging.getLogger(__name__)

# Words naming a field of the application, most specific first ("身份证号码" is not the phone number).
_FIELD_WORDS = (
    ("id_number", ("身份证",)),
    ("phone", ("手机", "电话", "号码")),
    ("applicant_name", ("姓名", "名字")),
    ("service", ("事项", "业务")),
)


def offline_steps_text(info: ServiceInfo) -> str:
    lines = [replies.OFFLINE_ONLY.format(service=info.name)]
    lines += [f"{i}. {step}" for i, step in enumerate(info.offline_steps, start=1)]
    if info.materials:
        lines.append(replies.OFFLINE_MATERIALS.format(materials="、".join(info.materials)))
    if info.place:
        lines.append(replies.OFFLINE_PLACE.format(place=info.place))
    return "\n".join(lines)


class ValidateApplyForm(WithCaseApi, FormValidation):
    form = "apply_form"
    readers = {"id_number": normalize_id_number, "phone": normalize_phone}

    async def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        knowledge = knowledge_of(tracker.latest_message)
        names = [str(value)]
        if knowledge and knowledge.best:
            names.append(knowledge.best.service)
        try:
            info = None
            for name in names:
                info = await self.api.service_info(name)
                if info:
                    break
        except CaseApiError:
            dispatcher.utter_message(text=replies.NOT_FILED)
            return {"service": None, "requested_slot": None}
        if info is None:
            buttons = service_buttons(knowledge, intent="inform")
            message = replies.WHICH_SERVICE_TO_APPLY if buttons else None
            return self.reject("service", dispatcher, tracker, message, buttons)
        if not info.online:
            dispatcher.utter_message(text=offline_steps_text(info))
            # Ending the form here: nothing personal is collected for an offline-only service.
            return {"service": None, "requested_slot": None}
        earlier = slot_before_latest_message(tracker, "service")
        if earlier and earlier != info.name:
            # Another service named half way through replaces the first one; the resident should hear it.
            dispatcher.utter_message(text=replies.SERVICE_CHANGED.format(service=info.name))
        return self.accept("service", info.name, tracker)

    def validate_applicant_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if latest_intent(tracker) == "bot_challenge" and not states_a_name(str(value)):
            # "你是机器人吗" while the name is asked: answered, not a failed try, and the form asks again.
            # (The name slot takes bot challenges, so that "名字是何文斌" is a name even when read as one.)
            dispatcher.utter_message(response="utter_bot_challenge")
            return {"applicant_name": None}
        return self.checked("applicant_name", value, normalize_name, dispatcher, tracker)

    async def extract_apply_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At the confirmation step, "手机号不对" or "改姓名" asks that one field again (then the summary again).

        A new value sent with it ("手机号写错了，是139…") is taken by the field's own mapping instead.
        """
        if tracker.get_slot("requested_slot") != "apply_confirmed" or latest_intent(tracker) == "affirm":
            return {}
        field = field_named(str(tracker.latest_message.get("text") or ""))
        if field is None or field in slots_set_by_latest_message(tracker):
            return {}
        return {field: None, "apply_confirmed": None}

    def validate_apply_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # "不对" without saying what: the question becomes "which one?" (action_ask_apply_confirmed).
        return {"apply_confirmed": True if value is True else None}


def field_named(text: str) -> str | None:
    """The application field a resident says is wrong ("号码打错了" -> phone, "身份证号码不对" -> id_number)."""
    return next((field for field, words in _FIELD_WORDS if any(word in text for word in words)), None)


class ActionAskApplyConfirmed(Action):
    def name(self) -> str:
        return "action_ask_apply_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        changed = {field for field, _ in _FIELD_WORDS} & slots_set_by_latest_message(tracker)
        if latest_intent(tracker) == "deny" and tracker.get_slot("requested_slot") == "apply_confirmed" and not changed:
            # "不对" alone: which field? ("手机号写错了，是139…" changed it already: the summary again.)
            dispatcher.utter_message(text=replies.WHAT_TO_CHANGE, buttons=replies.CHANGE_BUTTONS)
            return []
        text = replies.CONFIRM_APPLICATION.format(
            service=slot_text(tracker, "service"),
            name=mask_name(tracker.get_slot("applicant_name")),
            id_number=mask_id_number(tracker.get_slot("id_number")),
            phone=mask_phone(tracker.get_slot("phone")),
        )
        dispatcher.utter_message(text=text, buttons=replies.CONFIRM_BUTTONS)
        return []


def _filed(receipt: CaseReceipt) -> tuple[str, replies.Buttons]:
    text = replies.APPLICATION_FILED.format(
        number=receipt.number,
        department=receipt.department,
        date=replies.chinese_date(receipt.expected_completion or ""),
    )
    return text, replies.rate_buttons()


class ActionSubmitApplication(WithCaseApi, Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("apply_confirmed") is not True:
            # The form ended without a confirmed application (offline-only service): nothing to file.
            return reset_form_slots("apply_form")
        sender, channel = sender_channel(tracker)
        filing = self.api.submit_application(
            service=slot_text(tracker, "service"),
            applicant_name=slot_text(tracker, "applicant_name"),
            id_number=slot_text(tracker, "id_number"),
            phone=slot_text(tracker, "phone"),
            sender=sender,
            channel=channel,
        )
        # The catalogue may have taken the service offline since the form checked it: no retry helps then.
        return await file_case(
            dispatcher, tracker, "apply_form", filing, _filed, final_refusals={"not_online": replies.NOT_ONLINE}
        )
