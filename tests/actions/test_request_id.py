"""The gateway's request id (message metadata) goes back with the actions' case API calls, and is logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

pytest.importorskip("rasa_sdk")

from actions.complaint import ActionSubmitComplaint, ValidateComplaintForm  # noqa: E402
from tests.actions.conftest import receipt  # noqa: E402

SLOTS = {"complaint_description": "社保窗口排队三个小时没人管", "phone": "13812345678"}


def filed(gateway) -> None:
    gateway.routes[("POST", "/api/complaints")] = (
        201,
        receipt("TS2024060100009", deadline="2024-06-05T17:00:00+08:00", department="市人力资源和社会保障局"),
    )


def test_a_filing_carries_the_message_request_id(gateway, dispatcher, make_tracker, domain, caplog):
    filed(gateway)
    tracker = make_tracker(slots=SLOTS)
    tracker.latest_message["metadata"] = {"request_id": "req-42", "channel": "web"}
    with caplog.at_level(logging.INFO, logger="actions.case_api"):
        asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, tracker, domain))
    assert gateway.requests[-1].headers["X-Request-ID"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


def test_without_a_request_id_no_header_is_sent(gateway, dispatcher, make_tracker, domain):
    filed(gateway)
    asyncio.run(ActionSubmitComplaint(gateway.client()).run(dispatcher, make_tracker(slots=SLOTS), domain))
    assert "X-Request-ID" not in gateway.requests[-1].headers


def test_the_id_ends_with_its_run(gateway, dispatcher, make_tracker, domain):
    """Two messages handled one after the other in one task: the second, without an id, sends none."""
    filed(gateway)
    with_id = make_tracker(slots=SLOTS)
    with_id.latest_message["metadata"] = {"request_id": "req-1"}
    action = ActionSubmitComplaint(gateway.client())

    async def both() -> None:
        await action.run(dispatcher, with_id, domain)
        await action.run(dispatcher, make_tracker(slots=SLOTS), domain)

    asyncio.run(both())
    assert [request.headers.get("X-Request-ID") for request in gateway.requests] == ["req-1", None]


def test_form_validations_inherit_the_binding() -> None:
    """rasa-sdk's own `run` of a form validation is wrapped too, once."""
    run = ValidateComplaintForm.run
    assert getattr(run, "binds_request_id", False)
    assert not getattr(run.__wrapped__, "binds_request_id", False)
