"""不动产信息查询: the land, tax and housing records of one property, asked from the departments' systems by
the gateway at once; a department that does not answer is named, and the others' answers are shown.

Only the owner (权利人) sees them (api/services/property_access.py): after the certificate the form asks the
owner's ID number, which the gateway has the land registry check; a code then goes to the owner's phone, and the
code typed here lets this resident look the property up. A refusal the resident cannot mend (too many tries, a
system down) ends the form without a lookup."""

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
from actions.pii import normalize_id_number
from actions.second_request import offer_pending_request
from actions.tracker_info import slot_text
from contract.property_lookup import CertificateError, PropertyLookup, normalize_certificate

# A certificate inside a longer message ("帮我查一下皖(2026)六安市不动产权第0012345号的信息").
_CERTIFICATE_IN_TEXT = re.compile(r"皖\s*[(（]\s*\d{4}\s*[)）][^，,。\s]{2,10}?不动产权第\s*\d{7}\s*号")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_RESEND_WORDS = ("重新发送", "重发", "再发", "没收到", "收不到", "重新获取")
# owner_code once the gateway has accepted the code, or when the check cannot go on (the form then ends).
VERIFIED = "verified"
GAVE_UP = "gave_up"
# Refusals of the ID number the resident can mend by typing another one; any other refusal ends the check.
_MENDABLE = ("not_owner",)
# The code was just sent for the same check: the resident types the one they got.
_ALREADY_SENT = "code_recently_sent"
# Refusals of a code that only a new code mends.
_NEW_CODE_NEEDED = ("code_expired", "too_many_attempts")


class ValidatePropertyForm(WithCaseApi, FormValidation):
    form = "property_form"

    async def extract_certificate_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The certificate in the message that asks for the lookup: the form should not ask for it again."""
        if tracker.get_slot("certificate_number"):
            return {}
        found = _CERTIFICATE_IN_TEXT.search(str(tracker.latest_message.get("text") or ""))
        return {"certificate_number": found.group(0)} if found else {}

    async def validate_certificate_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid certificate; when the resident confirmed being its owner minutes ago, no new ID check and code."""
        try:
            certificate = normalize_certificate(str(value))
        except CertificateError:
            return self.reject("certificate_number", dispatcher, tracker)
        accepted = self.accept("certificate_number", certificate, tracker)
        try:
            granted = await self.api.holds_property_grant(certificate, tracker.sender_id)
        except CaseApiError:
            granted = False  # the check goes on as usual: the lookup itself needs the grant anyway
        if granted:
            dispatcher.utter_message(text=replies.PROPERTY_STILL_VERIFIED)
            return {**accepted, "owner_code": VERIFIED}
        return accepted

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        owner_code = tracker.get_slot("owner_code")
        if owner_code == GAVE_UP:
            return []
        if owner_code == VERIFIED:  # confirmed now, or still within an earlier confirmation
            return [slot for slot in domain_slots if slot != "id_number"]
        return domain_slots

    async def validate_id_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A valid ID number is checked as the owner's at once: the code is sent, or the refusal said."""
        checked = self.checked("id_number", value, normalize_id_number, dispatcher, tracker)
        certificate = tracker.get_slot("certificate_number")
        if not checked.get("id_number") or tracker.get_slot("requested_slot") != "id_number" or not certificate:
            return checked  # not a valid ID number, or not the answer to this question
        id_number = checked["id_number"]
        stop = await self._send_code(dispatcher, tracker, str(certificate), id_number)
        if stop is None:
            return self.accept("id_number", id_number, tracker)
        return stop

    async def validate_owner_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        certificate = slot_text(tracker, "certificate_number")
        if any(word in text for word in _RESEND_WORDS):
            stop = await self._send_code(dispatcher, tracker, certificate, slot_text(tracker, "id_number"))
            return stop or {"owner_code": None}
        code = _CODE.search(text)
        if code is None:
            return self.reject("owner_code", dispatcher, tracker, buttons=replies.RESEND_BUTTONS)
        try:
            await self.api.confirm_property_owner(certificate, code.group(0), tracker.sender_id)
        except CaseApiError as error:
            if error.code == "wrong_code" and error.gateway_message:  # "验证码不正确，还可以再试3次。"
                return self.reject("owner_code", dispatcher, tracker, error.gateway_message, replies.RESEND_BUTTONS)
            if error.code in _NEW_CODE_NEEDED and error.gateway_message:  # expired, or too many wrong ones
                dispatcher.utter_message(text=error.gateway_message, buttons=replies.RESEND_BUTTONS)
                return {"owner_code": None}
            dispatcher.utter_message(text=error.gateway_message or replies.PROPERTY_UNAVAILABLE)
            return {"owner_code": GAVE_UP}
        return self.accept("owner_code", VERIFIED, tracker)

    async def _send_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, certificate: str, id_number: str
    ) -> dict[str, Any] | None:
        """Have the owner check made and the code sent (None: sent); else the slots that say what comes next."""
        try:
            sent = await self.api.check_property_owner(certificate, id_number, tracker.sender_id)
        except CaseApiError as error:
            if error.code in _MENDABLE and error.gateway_message:
                return self.reject("id_number", dispatcher, tracker, error.gateway_message)
            if error.code == _ALREADY_SENT and error.gateway_message:
                dispatcher.utter_message(text=error.gateway_message)
                return None
            dispatcher.utter_message(text=error.gateway_message or replies.PROPERTY_UNAVAILABLE)
            return {"id_number": None, "owner_code": GAVE_UP}
        minutes = max(1, sent.expires_in_seconds // 60)
        dispatcher.utter_message(text=replies.PROPERTY_CODE_SENT.format(last4=sent.phone_last4, minutes=minutes))
        return None


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
        if tracker.get_slot("owner_code") != VERIFIED:
            return done  # the check ended without a grant; the resident has been told why
        try:
            lookup = await self.api.lookup_property(slot_text(tracker, "certificate_number"), tracker.sender_id)
        except CaseApiError as error:
            unavailable = error.gateway_message or replies.PROPERTY_UNAVAILABLE
            if error.status == 403:  # the grant ran out between the code and the lookup
                unavailable = replies.PROPERTY_NOT_VERIFIED
            dispatcher.utter_message(text=replies.PROPERTY_NOT_FOUND if error.status == 404 else unavailable)
            return done
        dispatcher.utter_message(text=lookup_text(lookup))
        return [*done, *offer_pending_request(dispatcher, tracker)]
