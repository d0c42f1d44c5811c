"""Rasa's command line with fixes for two costs Rasa 3.6 pays on every message.

`python -m bot.serve run --enable-api ...` is `rasa run --enable-api ...` plus `apply_fixes()`.

- Rasa checks each action server response with `jsonschema.validate`, which first checks the schema itself
  against the JSON Schema meta-schema, on every call: about 13 ms of the roughly 65 ms of CPU that a
  knowledge answer cost in the Rasa server. Responses are now checked against one validator built once,
  and only an invalid response goes through Rasa's own check, so errors read exactly as before.
- Rasa finds the class of every stored event it reads back (`Event.resolve_by_type`) by walking all
  subclasses of `Event` and asking `inspect` whether each is abstract, for every event of every tracker
  read. The classes are now looked up by name in a table built once (rebuilt when a name is missing, as a
  custom event class may be imported later); unknown names still go through Rasa's own function.

And one fix of what a resident gets: when a custom action cannot run (the action server down or failing),
Rasa logs it, drops the action's events and says nothing. The reply now carries a `custom` payload
(contract.turns.ACTION_FAILED_KEY) so that the gateway tells the resident their message was not taken; the
tracker is left exactly as Rasa leaves it (a form keeps its earlier answers and asks again).

And one fix of memory: to load DIET or TED, Rasa creates the network's weights by training it on one example,
through a traced TensorFlow training graph that is never used again and stays in memory: about 560 MB in all
(docs/assistant.md, "Memory"). The weights are now created by one eager pass of the training loss instead,
then loaded; prediction is traced as before, so the answers are identical.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from jsonschema.protocols import Validator

logger = logging.getLogger(__name__)


@cache
def response_validator() -> Validator:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@cache
def event_classes() -> dict[str, type]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    classes: dict[str, type] = {}
    for event_class in all_subclasses(Event):
        classes.setdefault(event_class.type_name, event_class)  # Rasa's own lookup takes the first match
    return classes


def apply_fixes() -> None:
    _fix_action_result_validation()
    _fix_event_type_lookup()
    _fix_silent_action_failure()
    _fix_model_load_memory()


def _fix_silent_action_failure() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    from contract.turns import ACTION_FAILED_KEY

    original = RemoteAction.run
    if getattr(original, "fixed", False):
        return

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form declining a message: Rasa's normal course, not a failure
        except RasaException:
            await output_channel.send_custom_json(tracker.sender_id, {ACTION_FAILED_KEY: self.name()})
            raise

    run.fixed = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]  # the fix is a patch


def _fix_model_load_memory() -> None:
    from rasa.utils.tensorflow.constants import RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__  # type: ignore[attr-defined]
    if getattr(original, "fixed", False):
        return

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or kwargs.get("config", {}).get(RUN_EAGERLY):  # training goes on: Rasa's own way
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        # One eager pass of the training loss on one example creates every layer's weights (Rasa's traced
        # training step did that, and kept its graph); no optimizer step, so no optimizer state is created.
        batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        model._training = True
        try:
            model.batch_loss(batch)
            # The optimizer's stored state is left unread: serving never trains.
            model.load_weights(model_file_name).expect_partial()
        except ValueError:
            # Rasa would swallow this error and serve an untrained model: load it Rasa's way instead.
            logger.warning("%s: weights built eagerly do not fit the stored ones; loading it Rasa's way", cls.__name__)
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model._training = None
        if predict_data_example:
            model.run_inference(predict_data_example)  # traces the prediction graph now, as Rasa does
        return model

    load.fixed = True  # type: ignore[attr-defined]
    load.__wrapped__ = original  # type: ignore[attr-defined]  # Rasa's own, as functools.wraps keeps it
    RasaModel.load = classmethod(load)  # type: ignore[method-assign,assignment]  # the fix is a patch


def _fix_event_type_lookup() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    if getattr(original, "fixed", False):
        return

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        found = event_classes().get(type_name)
        if found is None:
            event_classes.cache_clear()
            found = event_classes().get(type_name)
        return found or original(type_name, default)  # None, the default or Rasa's ValueError

    resolve_by_type.fixed = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]  # the fix is a patch


def _fix_action_result_validation() -> None:
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, "fixed", False):
        return

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if response_validator().is_valid(result):
            return True
        return original(self, result)  # raises Rasa's own ValidationError

    validate_action_result.fixed = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]  # the same


def main() -> None:
    apply_fixes()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
