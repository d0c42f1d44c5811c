"""Lookups across department systems (docs/departments.md "Lookups"): one property's land, tax and housing
records from three departments at once, with what answered when some do not; and the land registry's answer
whether a person is a registered owner of a property (the resident's check before a lookup).

One async HTTP client per gateway process, and for every department:
- its own timeout (the endpoint's, else DEPARTMENT_LOOKUP_TIMEOUT_SECONDS) and DEPARTMENT_LOOKUP_RETRIES
  retries after a timeout, a refused connection or a 5xx;
- a circuit breaker (api/department_breakers.py): after DEPARTMENT_BREAKER_FAILURES failed lookups in a row it
  opens and the department is not called at all; after DEPARTMENT_BREAKER_COOLDOWN_SECONDS one trial lookup goes
  through (half-open): its success closes the breaker, its failure opens it for another cool-down. With Redis
  the breaker is shared by all workers and replicas (one trial among them all); without it, or while Redis is
  down, each process keeps its own.
And over all of them DEPARTMENT_LOOKUP_BUDGET_SECONDS: every attempt's timeout is cut to what is left of it,
and whatever has not answered by then is given up, so a lookup never takes longer than the budget.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from api.department_breakers import CircuitBreakers
from api.department_signing import signed_headers
from api.settings import Settings
from contract.personal_data import PersonalDataError, normalize_phone
from contract.property_lookup import LookupPart, LookupSource, PropertyLookup

T = TypeVar("T")

# A department's answer has a few labelled fields; more, or longer values, is not a property record.
MAX_FIELDS = 40
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class LookupTarget:
    """Where one source is looked up: its department's endpoint (url None: it has none registered)."""

    source: LookupSource
    url: str | None
    secret: str
    timeout_seconds: float


@dataclass(frozen=True)
class OwnerCheck:
    """The land registry's answer to "is this person an owner of this property": the phone on record if so."""

    owner: bool
    phone: str | None


class Unavailable(Exception):
    """A department did not give a usable answer; the message is the part's Chinese error."""


def _fields(body: Any) -> dict[str, str]:
    """The record's fields from a department's JSON answer `{"fields": {label: value}}`, checked."""
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, dict) or not fields or len(fields) > MAX_FIELDS:
        raise ValueError("no fields object")
    checked: dict[str, str] = {}
    for label, value in fields.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"field {label!r} is not a text or a number")
        text = str(value)
        if not str(label).strip() or len(str(label)) > 32 or len(text) > MAX_VALUE_CHARS:
            raise ValueError(f"field {label!r} out of bounds")
        checked[str(label)] = text
    return checked


class DepartmentLookup:
    """The process's lookup client: built in the app's lifespan (app.state.department_lookup)."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient()
        self.clock = clock
        self.breakers = CircuitBreakers.for_settings(settings, clock)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.breakers.aclose()

    async def property(self, certificate: str, targets: list[LookupTarget]) -> PropertyLookup:
        """Every target's part of one property's records, within the budget."""
        started = self.clock()
        deadline = started + self.settings.department_lookup_budget_seconds
        tasks = [asyncio.create_task(self._part(target, certificate, deadline)) for target in targets]
        await asyncio.wait(tasks, timeout=max(0.0, deadline - self.clock()))
        parts, late = [], []
        for target, task in zip(targets, tasks, strict=True):
            if task.done():
                parts.append(task.result())
                continue
            task.cancel()  # past the budget: give up on it, and count it against the department
            late.append(self.breakers.failed(target.source.department))
            parts.append(_missing(target.source, "没有及时答复"))
        await asyncio.gather(*late)  # at once: a slow Redis costs its timeout once, not once per department
        elapsed_ms = round((self.clock() - started) * 1000)
        return PropertyLookup(certificate, parts, all(part.ok for part in parts), elapsed_ms)

    async def owner(self, target: LookupTarget, certificate: str, id_number: str) -> OwnerCheck:
        """Whether `id_number` is a registered owner of the property, asked of the land registry
        (`target`) within the budget; Unavailable (its message follows the department's name) when it cannot
        say. No record of the property is no owner."""
        deadline = self.clock() + self.settings.department_lookup_budget_seconds
        body = json.dumps({"certificate": certificate, "id_number": id_number}).encode()
        ask = self._ask(target, deadline, _owner, "POST", owner_check_url(target.url), body, content=body)
        try:
            answer = await asyncio.wait_for(ask, timeout=max(0.0, deadline - self.clock()))
        except TimeoutError:  # past the budget: given up on, and counted against the department
            await self.breakers.failed(target.source.department)
            raise Unavailable("没有及时答复") from None
        return answer or OwnerCheck(owner=False, phone=None)

    async def _part(self, target: LookupTarget, certificate: str, deadline: float) -> LookupPart:
        source = target.source
        try:
            fields = await self._ask(
                target, deadline, _fields, "GET", target.url, certificate.encode(), params={"certificate": certificate}
            )
        except Unavailable as exc:
            return _missing(source, str(exc))
        if fields is None:
            return LookupPart(source.source, source.department, source.label, False, error=_not_found(source))
        return LookupPart(source.source, source.department, source.label, True, fields)

    async def _ask(
        self,
        target: LookupTarget,
        deadline: float,
        read: Callable[[Any], T],
        method: str,
        url: str | None,
        signed: bytes,
        **request: Any,
    ) -> T | None:
        """One call to a department behind its breaker: `read`'s value of its JSON answer, None when it has no
        record (404); Unavailable when it has no endpoint, its breaker is open or it fails."""
        department = target.source.department
        if url is None:
            raise Unavailable("尚未接入查询")
        if not await self.breakers.allow(department):
            raise Unavailable("的系统暂时不可用")
        try:
            answer = await self._send(target, deadline, read, method, url, signed, request)
        except Unavailable:
            await self.breakers.failed(department)
            raise
        await self.breakers.succeeded(department)
        return answer

    async def _send(
        self,
        target: LookupTarget,
        deadline: float,
        read: Callable[[Any], T],
        method: str,
        url: str,
        signed: bytes,
        request: dict[str, Any],
    ) -> T | None:
        """The call with its retries, each signed afresh and cut to what is left of the budget."""
        problem = "没有及时答复"
        for _ in range(1 + self.settings.department_lookup_retries):
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            try:
                response = await self.client.request(
                    method,
                    url,
                    headers=signed_headers(target.secret, signed),
                    timeout=min(target.timeout_seconds, remaining),
                    **request,
                )
            except httpx.TimeoutException:
                problem = "没有及时答复"
                continue
            except httpx.HTTPError:
                problem = "的系统连接不上"
                continue
            if response.status_code == 404:
                return None
            if response.status_code >= 500:
                problem = "的系统出错了"
                continue
            if not response.is_success:
                raise Unavailable("拒绝了查询")  # 4xx: a retry is refused the same way
            try:
                return read(response.json())
            except ValueError:  # bad JSON (JSONDecodeError is one) or the wrong shape: a retry gets the same
                raise Unavailable("返回的数据有误") from None
        raise Unavailable(problem)


def owner_check_url(lookup_url: str | None) -> str | None:
    """Where the land registry answers owner checks: beside its lookup (`{lookup_url}/owner-check`)."""
    return None if lookup_url is None else f"{lookup_url.rstrip('/')}/owner-check"


def _owner(body: Any) -> OwnerCheck:
    """An owner check's JSON answer `{"owner": true, "phone": "138…"}` or `{"owner": false}`, checked."""
    owner = body.get("owner") if isinstance(body, dict) else None
    if not isinstance(owner, bool):
        raise ValueError("no owner flag")
    if not owner:
        return OwnerCheck(owner=False, phone=None)
    try:  # the code goes to this phone: anything but a mobile number is no answer
        return OwnerCheck(owner=True, phone=normalize_phone(str(body.get("phone") or "")))
    except PersonalDataError:
        raise ValueError("an owner without a mobile phone") from None


def _missing(source: LookupSource, problem: str) -> LookupPart:
    """A part that did not answer; `problem` follows the department's name ("没有及时答复")."""
    error = f"{source.label}暂时查不到：{source.department}{problem}，请稍后再试。"
    return LookupPart(source.source, source.department, source.label, False, error=error)


def _not_found(source: LookupSource) -> str:
    return f"{source.department}没有查到这本不动产权证的{source.label}，请核对证号。"
