"""The intent classifier: a logistic regression over the pipeline's own sentence features.

On a few thousand short Chinese messages, a linear model on the n-gram counts (sublinear TF-IDF) and the
sentence embedding generalises better than DIET's intent head: 3-fold cross-validation of the training
data gave 0.916 intent accuracy against DIET's 0.839, and mixing DIET's ranking in never helped
(docs/assistant.md, "Intent classifier"). DIET keeps the entities. Prediction is one product with the
stored weights (numpy only): well under a millisecond.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import sparse

WEIGHTS_FILE = "weights.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Inverse regularisation strength (10-100 gave the same cross-validated accuracy).
            "C": 30.0,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: dict[str, np.ndarray] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._weights = weights

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / WEIGHTS_FILE) as stored:
                weights = {name: stored[name] for name in stored.files}
        except ValueError:
            # Rasa raises ValueError for a resource that was never written (no intents to train on).
            weights = None
        return cls(config, model_storage, resource, weights)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression  # only training needs sklearn

        examples = [example for example in training_data.intent_examples if example.get(TEXT)]
        labels = np.asarray([example.get(INTENT) for example in examples])
        if len(set(labels)) < 2:
            return self._resource
        counts = sparse.vstack([_counts(example) for example in examples]).tocsr()
        documents = np.bincount(counts.indices, minlength=counts.shape[1])
        # Smoothed IDF as sklearn's TfidfTransformer computes it; unseen columns get the highest weight.
        idf = np.log((1 + len(examples)) / (1 + documents)) + 1.0
        weights = {"idf": idf}
        features = sparse.vstack([self._features(example, weights) for example in examples]).tocsr()
        model = LogisticRegression(C=self._config["C"], max_iter=5000).fit(features, labels)
        self._weights = {
            "idf": idf,
            "coef": model.coef_.astype(np.float32),
            "intercept": model.intercept_.astype(np.float32),
            "classes": np.asarray(model.classes_, dtype=str),
        }
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, **self._weights)  # type: ignore[arg-type]
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._weights is None:
            return messages
        for message in messages:
            if message.get(TEXT):
                self._classify(message, self._weights)
        return messages

    def _classify(self, message: Message, weights: dict[str, np.ndarray]) -> None:
        scores = self._features(message, weights) @ weights["coef"].T + weights["intercept"]
        scores = np.asarray(scores).ravel()
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        named = zip(weights["classes"].tolist(), probabilities.tolist(), strict=True)
        ranking = sorted(named, key=lambda item: -item[1])[:LABEL_RANKING_LENGTH]
        message.set(
            INTENT_RANKING_KEY,
            [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranking],
            add_to_output=True,
        )
        message.set(
            INTENT, {INTENT_NAME_KEY: ranking[0][0], PREDICTED_CONFIDENCE_KEY: ranking[0][1]}, add_to_output=True
        )

    def _features(self, message: Message, weights: dict[str, np.ndarray]) -> sparse.csr_matrix:
        """Sublinear TF-IDF of the n-gram counts, unit length, next to the (unit-length) sentence embedding."""
        counts = _counts(message).astype(np.float64)
        counts.data = (1.0 + np.log(counts.data)) * weights["idf"][counts.indices]
        norm = np.sqrt((counts.data**2).sum())
        if norm:
            counts.data /= norm
        _, dense = message.get_dense_features(TEXT)
        blocks = [counts]
        if dense is not None:
            blocks.append(sparse.csr_matrix(dense.features.reshape(1, -1)))
        return sparse.hstack(blocks).tocsr()


def _counts(message: Message) -> sparse.csr_matrix:
    """The sentence-level counts of every sparse featurizer before this component (n-grams, regexes)."""
    _, sentence = message.get_sparse_features(TEXT)
    if sentence is None:
        raise InvalidConfigException("LinearIntentClassifier needs sparse featurizers (CountVectors) before it")
    matrix = sparse.csr_matrix(sentence.features)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()  # log(0) below
    return matrix
