"""The Rasa launcher's fixes: action server responses are still validated, errors unchanged; stored events
resolve to the same classes as with Rasa's own lookup; an action that cannot run is marked in the reply."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("rasa")

from jsonschema import ValidationError  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.core.channels.channel import CollectingOutputChannel  # noqa: E402
from rasa.core.nlg import TemplatedNaturalLanguageGenerator  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, Event, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.exceptions import RasaException  # noqa: E402
from rasa.shared.utils.common import all_subclasses  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from bot.serve import apply_fixes  # noqa: E402
from contract.turns import ACTION_FAILED_KEY  # noqa: E402

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
    assert getattr(Event.resolve_by_type, "fixed", False)


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


def test_every_event_type_resolves_as_rasa_resolves_it() -> None:
    apply_fixes()
    for event_class in all_subclasses(Event):
        rasas_choice = next(c for c in all_subclasses(Event) if c.type_name == event_class.type_name)
        assert Event.resolve_by_type(event_class.type_name) is rasas_choice


def test_stored_events_read_back_unchanged() -> None:
    apply_fixes()
    events = [
        UserUttered("社保卡怎么补办", {"name": "ask_service", "confidence": 0.9}),
        ActionExecuted("action_listen"),
    ]
    assert [Event.from_parameters(event.as_dict()) for event in events] == events


def test_unknown_event_types_behave_as_in_rasa() -> None:
    apply_fixes()
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_event_class_defined_after_the_first_lookup_resolves() -> None:
    apply_fixes()
    Event.resolve_by_type("user")  # builds the table

    class LateEvent(ActionExecuted):
        type_name = "late_event_for_test"

    assert Event.resolve_by_type("late_event_for_test") is LateEvent


def test_an_action_that_cannot_run_says_so_to_the_gateway(action: RemoteAction) -> None:
    """Nothing listens at the action server's address: Rasa's error stands (its events are dropped as before),
    and the reply carries the marker the gateway turns into "this message was not taken"."""
    channel = CollectingOutputChannel()
    tracker = DialogueStateTracker.from_events("resident-1", [])
    with pytest.raises(RasaException):
        asyncio.run(action.run(channel, TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()))
    assert channel.messages == [{"recipient_id": "resident-1", "custom": {ACTION_FAILED_KEY: "action_answer_service"}}]
