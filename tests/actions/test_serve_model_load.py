"""The Rasa launcher's load of DIET and TED (bot/serve.py): the trained model's weights are exactly those of
Rasa's own load, without the traced training graph that Rasa keeps (about 0.5 GB in all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasa")

from rasa.core.policies.ted_policy import TEDPolicy  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphComponent  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.storage import ModelMetadata  # noqa: E402
from rasa.nlu.classifiers.diet_classifier import DIETClassifier  # noqa: E402
from rasa.utils.tensorflow.models import RasaModel  # noqa: E402

from bot.serve import apply_fixes  # noqa: E402

MODEL = Path(__file__).resolve().parents[2] / "models" / "luan.tar.gz"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalModelStorage, ModelMetadata]]:
    if not MODEL.is_file():
        pytest.skip("no trained model: run `make train` (make test trains it first)")
    apply_fixes()
    yield LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), MODEL)


def load(stored: tuple[LocalModelStorage, ModelMetadata], component: type[GraphComponent]) -> RasaModel:
    storage, metadata = stored
    node = next(n for n in metadata.predict_schema.nodes.values() if n.uses is component)
    assert node.resource is not None
    config = {**component.get_default_config(), **node.config}  # as Rasa's graph runner merges them
    loaded = component.load(config, storage, node.resource, ExecutionContext(metadata.predict_schema))
    model = loaded.model  # type: ignore[attr-defined]
    assert model is not None, "an untrained model: Rasa swallowed a load error"
    return model


@pytest.mark.parametrize("component", [DIETClassifier, TEDPolicy])
def test_weights_are_the_trained_ones_without_a_training_graph(
    stored: tuple[LocalModelStorage, ModelMetadata], component: type[GraphComponent], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed = RasaModel.load.__func__  # type: ignore[attr-defined]
    assert getattr(fixed, "fixed", False)
    launched = load(stored, component)
    monkeypatch.setattr(RasaModel, "load", classmethod(fixed.__wrapped__))
    rasas = load(stored, component)
    assert [w.name for w in launched.weights] == [w.name for w in rasas.weights]
    for mine, theirs in zip(launched.weights, rasas.weights, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=mine.name)
    assert rasas.train_function is not None  # Rasa's load traced a training step ...
    assert launched.train_function is None  # ... the launcher's did not
    assert launched._tf_predict_step is not None  # prediction traced at load, as Rasa does
    assert not launched.run_eagerly
