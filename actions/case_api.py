"""The one typed client of the gateway's case API (docs/architecture.md, "Case API").

Actions hold no database code: every case is filed and read through this client. Any failure
(HTTP error, timeout, refused connection) surfaces as `CaseApiError`, so callers handle exactly one
exception type and can tell the resident, politely, that nothing was filed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from actions.settings import Settings, get_settings
from contract.budget import BallotReceipt, BudgetRound, BudgetRoundDetail
from contract.knowledge import SearchResult, ServiceSuggestion
from contract.property_lookup import OwnerCodeSent, PropertyLookup
from contract.receipts import (
    CaseReceipt,
    CaseStatus,
    OwnCase,
    ReopenReceipt,
    SupplementReceipt,
    TranscriptLine,
    UrgeReceipt,
)
from contract.routing import RoutingAdvice

logger = logging.getLogger(__name__)

# The gateway's X-Request-ID of the resident message being handled (api/request_id.py): it comes in the
# message's metadata and goes back with every case API call, so the logs of one message can be joined.
REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


@dataclass
class CaseApiError(Exception):
    """The case API refused a request or could not be reached (`status` is None then).

    `message` is the gateway's Chinese explanation for residents, empty when it gave none.
    """

    path: str
    status: int | None
    code: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: status={self.status} code={self.code} {self.message}"

    @property
    def gateway_message(self) -> str:
        """The gateway's Chinese explanation; "" when it gave none or was not reached (the message is then the
        connection error's, for the log only)."""
        return self.message if self.status is not None else ""


@dataclass(frozen=True)
class Consultation:
    id: str
    title: str
    summary: str
    closes_on: str | None


@dataclass(frozen=True)
class TopSuggestion:
    number: str
    content: str
    likes: int


@dataclass(frozen=True)
class DepartmentChoices:
    """Where a resident's request is, and the (category, department) pairs it may go to instead."""

    category: str | None
    department: str | None
    choices: list[tuple[str, str]]


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    department: str
    online: bool
    place: str = ""
    materials: list[str] = field(default_factory=list)
    offline_steps: list[str] = field(default_factory=list)


def _error_from_response(path: str, response: httpx.Response) -> CaseApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    code = detail.get("code") if isinstance(detail, dict) else detail if isinstance(detail, str) else None
    message = body.get("message", "") if isinstance(body, dict) else ""
    return CaseApiError(path, response.status_code, code or response.reason_phrase, message)


R = TypeVar(
    "R",
    CaseReceipt,
    CaseStatus,
    OwnCase,
    RoutingAdvice,
    BudgetRound,
    BudgetRoundDetail,
    BallotReceipt,
    PropertyLookup,
    OwnerCodeSent,
    UrgeReceipt,
    ReopenReceipt,
    SupplementReceipt,
)


def _given(**fields: Any) -> dict[str, Any]:
    """A request body with only the fields that have a value: the gateway applies its defaults to the rest."""
    return {key: value for key, value in fields.items() if value not in (None, "")}


def _read(path: str, cls: type[R], body: Any) -> R:
    """A contract type from a gateway answer; an answer of another shape is the gateway's failure."""
    try:
        return cls.from_json(body)
    except (TypeError, AttributeError, KeyError) as exc:
        raise CaseApiError(path, None, "bad_response", "") from exc


class CaseApi:
    """Async client of the gateway; one short-lived connection per call keeps it loop-agnostic."""

    def __init__(self, settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self._settings = settings or get_settings()
        self._transport = transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        sender: str | None = None,
    ) -> Any:
        # Every call is the action server's, made from one address for all residents: the token lets the gateway
        # believe the resident named here and cap each resident, not this server, per minute.
        headers = {"X-Service-Token": self._settings.service_token}
        # The resident is named in the body or query, or only in the header where the body has no room for it.
        sender = sender or (json or {}).get("sender") or (params or {}).get("sender")
        if sender:
            headers["X-Resident-Sender"] = quote(str(sender), safe="")
        if request_id := _request_id.get():
            headers[REQUEST_ID_HEADER] = request_id
        logger.info("case API %s %s (request %s)", method, path, request_id or "-")
        try:
            async with httpx.AsyncClient(
                base_url=self._settings.gateway_url,
                timeout=self._settings.case_api_timeout,
                transport=self._transport,
            ) as client:
                response = await client.request(method, path, json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("case API %s %s unreachable: %s", method, path, type(exc).__name__)
            raise CaseApiError(path, None, "unreachable", str(exc)) from exc
        if response.status_code >= 400:
            error = _error_from_response(path, response)
            logger.warning("case API %s failed: %s", method, error)
            raise error
        return response.json()

    async def submit_application(
        self, *, service: str, applicant_name: str, id_number: str, phone: str, sender: str, channel: str
    ) -> CaseReceipt:
        body = await self._request(
            "POST",
            "/api/applications",
            json={
                "service": service,
                "applicant_name": applicant_name,
                "id_number": id_number,
                "phone": phone,
                "sender": sender,
                "channel": channel,
            },
        )
        return _read("/api/applications", CaseReceipt, body)

    async def submit_complaint(
        self,
        *,
        description: str,
        phone: str | None,
        service: str | None,
        department: str | None,
        sender: str,
        channel: str,
        place: str | None = None,
        asked_service: str | None = None,
    ) -> CaseReceipt:
        payload = _given(
            description=description,
            sender=sender,
            channel=channel,
            phone=phone,
            service=service,
            asked_service=asked_service,
            department=department,
            place=place,
        )
        body = await self._request("POST", "/api/complaints", json=payload)
        return _read("/api/complaints", CaseReceipt, body)

    async def department_choices(self, number: str, sender: str) -> DepartmentChoices:
        """The other departments the resident's request `number` may go to (404 when it is not theirs)."""
        path = f"/api/cases/{number}/departments"
        body = await self._request("GET", path, params={"sender": sender})
        try:
            return DepartmentChoices(
                category=body.get("category"),
                department=body.get("department"),
                choices=[(str(c["category"]), str(c["department"])) for c in body["choices"]],
            )
        except (TypeError, KeyError, AttributeError) as exc:
            raise CaseApiError(path, None, "bad_response", "") from exc

    async def change_department(self, number: str, sender: str, department: str) -> CaseReceipt:
        path = f"/api/cases/{number}/department"
        body = await self._request("POST", path, json={"sender": sender, "department": department})
        return _read(path, CaseReceipt, body)

    async def route(self, text: str, sender: str | None = None) -> RoutingAdvice:
        """Where the gateway's router would send this request, and whether a place is missing (the `sender`'s
        earlier case gives it when the text reports that case again)."""
        body = await self._request("POST", "/api/routing", json={"text": text} | ({"sender": sender} if sender else {}))
        return _read("/api/routing", RoutingAdvice, body)

    async def open_consultations(self) -> list[Consultation]:
        body = await self._request("GET", "/api/consultations")
        return [
            Consultation(
                id=str(item["id"]),
                title=item["title"],
                summary=item.get("summary", ""),
                closes_on=item.get("closes_on"),
            )
            for item in body
            if item.get("status", "open") == "open"
        ]

    async def submit_suggestion(
        self,
        *,
        content: str,
        consultation_id: str | None,
        topic: str | None,
        phone: str | None,
        sender: str,
        channel: str,
    ) -> CaseReceipt:
        payload = _given(
            content=content, sender=sender, channel=channel, consultation_id=consultation_id, topic=topic, phone=phone
        )
        body = await self._request("POST", "/api/suggestions", json=payload)
        return _read("/api/suggestions", CaseReceipt, body)

    async def top_suggestions(self, consultation_id: str, n: int = 5) -> list[TopSuggestion]:
        body = await self._request("GET", f"/api/consultations/{consultation_id}/suggestions/top", params={"n": n})
        return [TopSuggestion(number=i["number"], content=i["content"], likes=int(i["likes"])) for i in body]

    async def like_suggestion(self, number: str, sender: str) -> int:
        body = await self._request("POST", f"/api/suggestions/{number}/likes", json={"sender": sender})
        return int(body["likes"])

    async def submit_evaluation(
        self, *, stars: int, comment: str | None, case_number: str | None, service: str | None, sender: str
    ) -> None:
        payload = _given(stars=stars, sender=sender, comment=comment, case_number=case_number, service=service)
        await self._request("POST", "/api/evaluations", json=payload)

    async def own_cases(self, sender: str) -> list[OwnCase]:
        """The resident's own recent cases, newest first."""
        body = await self._request("GET", "/api/cases", params={"sender": sender})
        if not isinstance(body, list):
            raise CaseApiError("/api/cases", None, "bad_response", "")
        return [_read("/api/cases", OwnCase, item) for item in body]

    async def case_status(self, number: str, phone_last4: str) -> CaseStatus | None:
        """The case's public status, or None when number and phone do not match."""
        try:
            body = await self._request("GET", f"/api/status/{number}", params={"phone_last4": phone_last4})
        except CaseApiError as error:
            if error.status == 404:
                return None
            raise
        return _read(f"/api/status/{number}", CaseStatus, body)

    async def urge_case(
        self, number: str, *, sender: str, phone_last4: str | None = None, note: str | None = None
    ) -> UrgeReceipt:
        """催办 an open case. CaseApiError 404 when the resident did not file it and the phone ending (if given)
        does not match, 409 when it is closed, 429 after too many wrong endings."""
        path = f"/api/cases/{number}/urges"
        body = await self._request("POST", path, json=_given(sender=sender, phone_last4=phone_last4, note=note))
        return _read(path, UrgeReceipt, body)

    async def reopen_case(
        self, number: str, *, sender: str, phone_last4: str | None = None, note: str | None = None
    ) -> ReopenReceipt:
        """不满意重办 of a resolved case. CaseApiError 404 as for an urge, 409 when it is open, reopened once already,
        resolved too long ago or of a kind not reopened, 429 after too many wrong endings."""
        path = f"/api/cases/{number}/reopen"
        body = await self._request("POST", path, json=_given(sender=sender, phone_last4=phone_last4, note=note))
        return _read(path, ReopenReceipt, body)

    async def supplement_case(
        self, number: str, *, sender: str, phone_last4: str | None = None, supplement: str
    ) -> SupplementReceipt:
        """补充说明 of an open case. CaseApiError 404 as for an urge, 409 when it is closed or has had the most
        supplements, 429 after too many wrong endings."""
        path = f"/api/cases/{number}/supplements"
        body = await self._request(
            "POST", path, json=_given(sender=sender, phone_last4=phone_last4, supplement=supplement)
        )
        return _read(path, SupplementReceipt, body)

    async def create_ticket(
        self,
        *,
        sender: str,
        channel: str,
        summary: str,
        transcript: list[TranscriptLine],
        suggestions: list[ServiceSuggestion],
        category: str | None,
        phone: str | None,
    ) -> CaseReceipt:
        payload = _given(
            sender=sender,
            channel=channel,
            summary=summary,
            transcript=[_given(**vars(line)) for line in transcript],
            suggestions=[vars(suggestion) for suggestion in suggestions],
            category=category,
            phone=phone,
        )
        body = await self._request("POST", "/api/tickets", json=payload)
        return _read("/api/tickets", CaseReceipt, body)

    async def record_commendation(
        self, *, text: str, department: str | None, service: str | None, sender: str, channel: str
    ) -> str | None:
        """Record praise (`POST /api/commendations`); the department it was recorded for, if known."""
        payload = _given(text=text, sender=sender, channel=channel, department=department, service=service)
        body = await self._request("POST", "/api/commendations", json=payload)
        department_recorded = body.get("department") if isinstance(body, dict) else None
        return str(department_recorded) if department_recorded else None

    async def report_incident(
        self,
        *,
        kind: str,
        community: str,
        building: str | None,
        unit: str | None,
        description: str,
        phone: str,
        photo_ids: list[str],
        sender: str,
        channel: str,
    ) -> CaseReceipt:
        """File a smart-community incident (SQ); 422 with a Chinese `message` for an unknown community or building."""
        payload = _given(
            kind=kind,
            community=community,
            building=building,
            unit=unit,
            description=description,
            phone=phone,
            photo_ids=photo_ids or None,
            sender=sender,
            channel=channel,
        )
        body = await self._request("POST", "/api/incidents", json=payload)
        return _read("/api/incidents", CaseReceipt, body)

    async def communities(self, query: str) -> list[str]:
        """The names of the known communities matching `query` (all of them for an empty query)."""
        body = await self._request("GET", "/api/communities", params=_given(q=query))
        try:
            return [str(name) for name in body["communities"]]
        except (TypeError, KeyError) as exc:
            raise CaseApiError("/api/communities", None, "bad_response", "") from exc

    async def budget_rounds(self, phase: str) -> list[BudgetRound]:
        """The rounds in `phase` (contract.budget.PHASES)."""
        body = await self._request("GET", "/api/budget/rounds", params={"phase": phase})
        if not isinstance(body, list):
            raise CaseApiError("/api/budget/rounds", None, "bad_response", "")
        return [_read("/api/budget/rounds", BudgetRound, item) for item in body]

    async def budget_round(self, round_id: str) -> BudgetRoundDetail:
        path = f"/api/budget/rounds/{quote(round_id, safe='')}"
        return _read(path, BudgetRoundDetail, await self._request("GET", path))

    async def propose_project(
        self,
        round_id: str,
        *,
        title: str,
        description: str,
        cost_yuan: int,
        place: str,
        phone: str,
        sender: str,
        channel: str,
    ) -> CaseReceipt:
        path = f"/api/budget/rounds/{quote(round_id, safe='')}/proposals"
        payload = _given(
            title=title, description=description, cost_yuan=cost_yuan, place=place, phone=phone, channel=channel
        )
        return _read(path, CaseReceipt, await self._request("POST", path, json=payload, sender=sender))

    async def cast_ballot(self, round_id: str, *, choices: list[str], sender: str, channel: str) -> BallotReceipt:
        """A WeChat resident's ballot (the openid is the verified identity); an earlier one is replaced."""
        path = f"/api/budget/rounds/{quote(round_id, safe='')}/ballot"
        body = await self._request("PUT", path, json={"choices": choices, "channel": channel}, sender=sender)
        return _read(path, BallotReceipt, body)

    async def lookup_property(self, certificate: str, sender: str) -> PropertyLookup:
        """What the land, tax and housing systems hold for one 不动产权证号; missing parts are named in it."""
        path = f"/api/property/{quote(certificate, safe='')}"
        return _read(path, PropertyLookup, await self._request("GET", path, params={"sender": sender}))

    async def check_property_owner(self, certificate: str, id_number: str, sender: str) -> OwnerCodeSent:
        """The owner's ID number, checked by the land registry: a code goes to the phone on record (403 `not_owner`
        when it is no owner's)."""
        path = f"/api/property/{quote(certificate, safe='')}/owner-check"
        body = await self._request("POST", path, json={"id_number": id_number}, sender=sender)
        return _read(path, OwnerCodeSent, body)

    async def holds_property_grant(self, certificate: str, sender: str) -> bool:
        """The resident confirmed being the property's owner recently enough to look it up again (no new code)."""
        path = f"/api/property/{quote(certificate, safe='')}/owner-check"
        try:
            await self._request("GET", path, sender=sender)
        except CaseApiError as error:
            if error.status == 403:
                return False
            raise
        return True

    async def confirm_property_owner(self, certificate: str, code: str, sender: str) -> None:
        """The code texted to the owner: the resident may then look the property up for a while."""
        path = f"/api/property/{quote(certificate, safe='')}/owner-check/verify"
        await self._request("POST", path, json={"code": code}, sender=sender)

    async def service_info(self, name: str) -> ServiceInfo | None:
        """The catalogue entry of one service (None if the catalogue does not list it)."""
        body = await self._request("GET", "/api/services")
        for item in body:
            if item.get("name") == name:
                return ServiceInfo(
                    name=item["name"],
                    department=item.get("department", ""),
                    online=bool(item.get("online", False)),
                    place=str(item.get("place") or ""),
                    materials=[str(m) for m in item.get("materials") or []],
                    offline_steps=[str(step) for step in item.get("offline_steps") or []],
                )
        return None

    async def search_knowledge(self, query: str, k: int = 3) -> SearchResult:
        """What the knowledge base finds for `query` (contract: GET /api/knowledge/search), best first."""
        body = await self._request("GET", "/api/knowledge/search", params={"q": query, "k": k})
        return SearchResult.from_dict(body)


def request_id_of(tracker: Any) -> str | None:
    """The request id the gateway put in the latest message's metadata (None from other clients)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    request_id = metadata.get("request_id")
    return request_id if isinstance(request_id, str) and request_id else None


Run = Callable[..., Awaitable[Any]]


def _with_request_id(run: Run) -> Run:
    @functools.wraps(run)
    async def run_with_request_id(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> Any:
        token = _request_id.set(request_id_of(tracker))
        try:
            return await run(self, dispatcher, tracker, domain)
        finally:
            _request_id.reset(token)

    run_with_request_id.binds_request_id = True  # type: ignore[attr-defined]
    return run_with_request_id


class WithCaseApi:
    """Mixin giving an action `self.api`: built on first use, because settings are read at run time;
    tests pass their own client (with a fake transport) instead.

    The action's `run` (its own, or the form validation's it inherits) is wrapped so that the calls it makes
    carry the message's request id: rasa-sdk calls `run` directly, with no hook of its own for this.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = getattr(cls, "run", None)
        if run is not None and not getattr(run, "binds_request_id", False):
            cls.run = _with_request_id(run)  # type: ignore[attr-defined]

    def __init__(self, api: CaseApi | None = None) -> None:
        self._api = api

    @property
    def api(self) -> CaseApi:
        if self._api is None:
            self._api = CaseApi()
        return self._api
