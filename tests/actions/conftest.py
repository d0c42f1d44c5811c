"""Fixtures of the action unit tests (run in .venv-rasa, where rasa-sdk lives).

The gateway is replaced by an httpx transport that answers from a table and records requests, so
these tests need no network; the real case API is exercised by the end-to-end tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml

from actions.case_api import CaseApi
from actions.settings import Settings
from contract.case_kinds import CASE_KINDS, kind_of_number

if TYPE_CHECKING:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

# rasa-sdk only exists in .venv-rasa: the test modules that need it skip themselves elsewhere, and
# this conftest imports it inside the fixtures so that the app environment can still collect.

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(
    gateway_url="http://gateway.test",
    service_token="test-token",
    case_api_timeout=1.0,
    max_slot_attempts=3,
)


@dataclass
class FakeGateway:
    """Answers `(method, path)` from `routes`; an unknown route is a refused connection."""

    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        if key not in self.routes:
            raise httpx.ConnectError("gateway down", request=request)
        status, body = self.routes[key]
        return httpx.Response(status, json=body)

    def client(self) -> CaseApi:
        return CaseApi(SETTINGS, transport=httpx.MockTransport(self.handle))

    def sent_json(self, index: int = -1) -> dict[str, Any]:
        return json.loads(self.requests[index].content)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def user_event(text: str, intent: str, knowledge: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    parse_data: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    if knowledge is not None:
        parse_data["knowledge"] = knowledge
    return {"event": "user", "text": text, "parse_data": parse_data, "timestamp": 1717200000.0, **extra}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def bot_event(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": 1717200001.0}


def receipt(number: str, **extra: Any) -> dict[str, Any]:
    """What the gateway answers to a filing (contract.receipts.CaseReceipt), for the case kind of `number`."""
    kind = kind_of_number(number)
    assert kind is not None
    return {"number": number, "kind": kind.kind, "status": kind.initial_status, **extra}


def status_answer(number: str, status: str, **extra: Any) -> dict[str, Any]:
    """What the gateway answers to a status lookup (contract.receipts.CaseStatus), texts from the case kinds."""
    kind = kind_of_number(number)
    assert kind is not None and status in CASE_KINDS[kind.kind].statuses
    return {
        "number": number,
        "kind": kind.kind,
        "kind_text": kind.name,
        "status": status,
        "status_text": kind.status_text(status),
        "closed": kind.is_closed(status),
        **extra,
    }


def knowledge(confident: bool, *services: tuple[str, float]) -> dict[str, Any]:
    return {
        "confident": confident,
        "aspect": "general",
        "hits": [
            {
                "service": s,
                "department": "市人力资源和社会保障局",
                "score": score,
                "answer": f"{s}的办理指南",
                "source": f"六安市政务服务中心·{s}办事指南（示例）",
            }
            for s, score in services
        ],
    }


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    from rasa_sdk import Tracker

    def build(
        slots: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
        entities: list[dict[str, Any]] | None = None,
        active_loop: str | None = None,
        requested_slot: str | None = None,
        sender: str = "resident-1",
    ) -> Tracker:
        events = list(events or [])
        latest: dict[str, Any] = next((e["parse_data"] for e in reversed(events) if e.get("event") == "user"), {})
        latest = {**latest, "entities": entities or latest.get("entities", [])}
        all_slots = {**(slots or {}), "requested_slot": requested_slot}
        return Tracker(
            sender_id=sender,
            slots=all_slots,
            latest_message=latest,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build
