"""不动产信息查询: the land, tax and housing records of one property, asked from the departments' systems by
the gateway at once; a department that does not answer is named, and the others' answers are shown."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.case_api import CaseApiError, WithCaseApi
from actions.form_base import FormValidation, reset_form_slots
from actions.second_request import offer_pending_request
from actions.tracker_info import slot_text
from contract.property_lookup import CertificateError, PropertyLookup, normalize_certificate

# A certificate inside a longer message ("帮我查一下皖(2026)六安市不动产权第0012345号的信息").
_CERTIFICATE_IN_TEXT = re.compile(r"皖\s*[(（]\s*\d{4}\s*[)）][^，,。\s]{2,10}?不动产权第\s*\d{7}\s*号")


class ValidatePropertyForm(FormValidation):
    form = "property_form"

    async def extract_certificate_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The certificate in the message that asks for the lookup: the form should not ask for it again."""
        if tracker.get_slot("certificate_number"):
            return {}
        found = _CERTIFICATE_IN_TEXT.search(str(tracker.latest_message.get("text") or ""))
        return {"certificate_number": found.group(0)} if found else {}

    def validate_certificate_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return self.accept("certificate_number", normalize_certificate(str(value)), tracker)
        except CertificateError:
            return self.reject("certificate_number", dispatcher, tracker)


def lookup_text(lookup: PropertyLookup) -> str:
    """What each department answered, then the parts that are missing, named kindly."""
    answered = [part for part in lookup.parts if part.ok]
    if not answered:
        return replies.PROPERTY_NOTHING.format(labels="、".join(lookup.missing))
    lines = [replies.PROPERTY_HEADER.format(certificate=lookup.certificate)]
    for part in answered:
        fields = "；".join(replies.PROPERTY_FIELD.format(name=name, value=value) for name, value in part.fields.items())
        lines.append(replies.PROPERTY_PART.format(label=part.label, department=part.department, fields=fields))
    if lookup.missing:
        lines.append(replies.PROPERTY_MISSING.format(labels="、".join(lookup.missing)))
    return "\n".join(lines)


class ActionLookupProperty(WithCaseApi, Action):
    def name(self) -> str:
        return "action_lookup_property"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        done = reset_form_slots("property_form")
        try:
            lookup = await self.api.lookup_property(slot_text(tracker, "certificate_number"), tracker.sender_id)
        except CaseApiError as error:
            unavailable = error.gateway_message or replies.PROPERTY_UNAVAILABLE
            dispatcher.utter_message(text=replies.PROPERTY_NOT_FOUND if error.status == 404 else unavailable)
            return done
        dispatcher.utter_message(text=lookup_text(lookup))
        return [*done, *offer_pending_request(dispatcher, tracker)]
