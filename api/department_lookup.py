"""Lookups across department systems (docs/departments.md "Lookups"): one property's land, tax and housing
records from three departments at once, with what answered when some do not.

One async HTTP client per gateway process, and for every department:
- its own timeout (the endpoint's, else DEPARTMENT_LOOKUP_TIMEOUT_SECONDS) and DEPARTMENT_LOOKUP_RETRIES
  retries after a timeout, a refused connection or a 5xx;
- a circuit breaker: after DEPARTMENT_BREAKER_FAILURES failed lookups in a row it opens and the department is
  not called at all; after DEPARTMENT_BREAKER_COOLDOWN_SECONDS one trial lookup goes through (half-open): its
  success closes the breaker, its failure opens it for another cool-down. State is per process: each worker
  learns on its own, which costs at most N failures per worker.
And over all of them DEPARTMENT_LOOKUP_BUDGET_SECONDS: every attempt's timeout is cut to what is left of it,
and whatever has not answered by then is given up, so a lookup never takes longer than the budget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.department_signing import signed_headers
from api.settings import Settings
from contract.property_lookup import LookupPart, LookupSource, PropertyLookup

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


@dataclass
class Breaker:
    failures: int = 0  # failed lookups in a row
    opened_at: float | None = None
    trial: bool = False  # the one half-open lookup is under way


@dataclass
class CircuitBreakers:
    """The breaker of each department, for this process."""

    threshold: int
    cooldown_seconds: float
    clock: Callable[[], float] = time.monotonic
    breakers: dict[str, Breaker] = field(default_factory=dict)

    def state(self, department: str) -> str:
        breaker = self.breakers.get(department)
        if breaker is None or breaker.opened_at is None:
            return "closed"
        return "open" if self.clock() - breaker.opened_at < self.cooldown_seconds else "half_open"

    def allow(self, department: str) -> bool:
        """Whether to call the department now; in half-open state only one caller is let through."""
        state = self.state(department)
        if state == "closed":
            return True
        breaker = self.breakers[department]
        if state == "open" or breaker.trial:
            return False
        breaker.trial = True
        return True

    def succeeded(self, department: str) -> None:
        self.breakers.pop(department, None)

    def failed(self, department: str) -> None:
        breaker = self.breakers.setdefault(department, Breaker())
        breaker.failures += 1
        if breaker.trial or breaker.failures >= self.threshold:
            breaker.opened_at = self.clock()
        breaker.trial = False


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
        self.breakers = CircuitBreakers(
            settings.department_breaker_failures, settings.department_breaker_cooldown_seconds, clock
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def property(self, certificate: str, targets: list[LookupTarget]) -> PropertyLookup:
        """Every target's part of one property's records, within the budget."""
        started = self.clock()
        deadline = started + self.settings.department_lookup_budget_seconds
        tasks = [asyncio.create_task(self._part(target, certificate, deadline)) for target in targets]
        await asyncio.wait(tasks, timeout=max(0.0, deadline - self.clock()))
        parts = []
        for target, task in zip(targets, tasks, strict=True):
            if task.done():
                parts.append(task.result())
                continue
            task.cancel()  # past the budget: give up on it, and count it against the department
            self.breakers.failed(target.source.department)
            parts.append(_missing(target.source, "没有及时答复"))
        elapsed_ms = round((self.clock() - started) * 1000)
        return PropertyLookup(certificate, parts, all(part.ok for part in parts), elapsed_ms)

    async def _part(self, target: LookupTarget, certificate: str, deadline: float) -> LookupPart:
        source = target.source
        if target.url is None:
            return _missing(source, "尚未接入查询")
        if not self.breakers.allow(source.department):
            return _missing(source, "的系统暂时不可用")
        try:
            fields = await self._fetch(target, certificate, deadline)
        except Unavailable as exc:
            self.breakers.failed(source.department)
            return _missing(source, str(exc))
        self.breakers.succeeded(source.department)
        if fields is None:
            return LookupPart(source.source, source.department, source.label, False, error=_not_found(source))
        return LookupPart(source.source, source.department, source.label, True, fields)

    async def _fetch(self, target: LookupTarget, certificate: str, deadline: float) -> dict[str, str] | None:
        """The record's fields, None when the department has no record; Unavailable when it fails."""
        assert target.url is not None
        problem = "没有及时答复"
        for _ in range(1 + self.settings.department_lookup_retries):
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            headers = signed_headers(target.secret, certificate.encode())
            try:
                response = await self.client.get(
                    target.url,
                    params={"certificate": certificate},
                    headers=headers,
                    timeout=min(target.timeout_seconds, remaining),
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
                return _fields(response.json())
            except ValueError:  # bad JSON (JSONDecodeError is one) or the wrong shape: a retry gets the same
                raise Unavailable("返回的数据有误") from None
        raise Unavailable(problem)


def _missing(source: LookupSource, problem: str) -> LookupPart:
    """A part that did not answer; `problem` follows the department's name ("没有及时答复")."""
    error = f"{source.label}暂时查不到：{source.department}{problem}，请稍后再试。"
    return LookupPart(source.source, source.department, source.label, False, error=error)


def _not_found(source: LookupSource) -> str:
    return f"{source.department}没有查到这本不动产权证的{source.label}，请核对证号。"
