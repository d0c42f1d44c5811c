"""The Rasa launcher's fix: action server responses are still validated, errors unchanged."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from jsonschema import ValidationError  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from bot.serve import apply_fixes  # noqa: E402

VALID = {
    "events": [{"event": "slot", "name": "answered_service", "value": "社会保障卡申领"}],
    "responses": [{"text": "可以在线办理。", "buttons": [{"title": "评价", "payload": "/rate_service"}]}],
}


@pytest.fixture
def action() -> RemoteAction:
    apply_fixes()
    return RemoteAction("action_answer_service", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_fix_is_applied_once() -> None:
    apply_fixes()
    fixed = RemoteAction._validate_action_result
    apply_fixes()
    assert getattr(fixed, "fixed", False)
    assert RemoteAction._validate_action_result is fixed


def test_valid_response_passes(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list", "responses": []},
        {"events": [{"name": "no event type"}], "responses": []},
        {"events": [], "responses": "not a list"},
    ],
)
def test_invalid_response_raises_rasas_error(action: RemoteAction, response: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)
