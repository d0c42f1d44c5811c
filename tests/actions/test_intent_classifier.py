"""The linear intent classifier: trained on real n-gram features, stored in a real model storage and loaded
back as `rasa train` and the Rasa server do."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="the NLU component runs in the Rasa environment (.venv-rasa)")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer  # noqa: E402
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.intent_classifier import LinearIntentClassifier  # noqa: E402

EXAMPLES = {
    "submit_complaint": ["我要投诉", "投诉窗口态度差", "我要举报乱收费", "投诉办事员", "反映问题没人管", "我想投诉"],
    "check_status": ["查一下进度", "我的件办到哪了", "进度查询", "办理进度怎么查", "查查我的申请", "案件进度"],
    "greet": ["你好", "您好", "在吗", "早上好", "哈喽", "你好啊"],
}
CONTEXT = ExecutionContext(GraphSchema({}))
Pipeline = tuple[JiebaTokenizer, CountVectorsFeaturizer]


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def pipeline(storage: LocalModelStorage) -> Pipeline:
    tokenizer = JiebaTokenizer.create(JiebaTokenizer.get_default_config(), storage, Resource("tok"), CONTEXT)
    config = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}
    featurizer = CountVectorsFeaturizer.create(config, storage, Resource("cvf"), CONTEXT)
    data = training_data()
    tokenizer.process_training_data(data)
    featurizer.train(data)
    return tokenizer, featurizer


def training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )


@pytest.fixture(scope="module")
def classifier(storage: LocalModelStorage, pipeline: Pipeline) -> LinearIntentClassifier:
    tokenizer, featurizer = pipeline
    data = training_data()
    tokenizer.process_training_data(data)
    featurizer.process_training_data(data)
    config = LinearIntentClassifier.get_default_config()
    LinearIntentClassifier.create(config, storage, Resource("linear"), CONTEXT).train(data)
    return LinearIntentClassifier.load(config, storage, Resource("linear"), CONTEXT)


def classify(
    classifier: LinearIntentClassifier, pipeline: Pipeline, text: str, diet: dict[str, float] | None = None
) -> Message:
    tokenizer, featurizer = pipeline
    message = Message(data={"text": text})
    tokenizer.process([message])
    featurizer.process([message])
    if diet:
        ranking = [{"name": name, "confidence": score} for name, score in diet.items()]
        message.set("intent_ranking", ranking)
        message.set("intent", ranking[0])
    classifier.process([message])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [("我要投诉乱收费", "submit_complaint"), ("帮我查一下进度", "check_status"), ("您好啊", "greet")],
)
def test_unseen_messages_get_their_intent(
    classifier: LinearIntentClassifier, pipeline: Pipeline, text: str, intent: str
) -> None:
    message = classify(classifier, pipeline, text)
    assert message.get("intent")["name"] == intent
    ranking = message.get("intent_ranking")
    assert ranking[0] == message.get("intent")
    assert [entry["confidence"] for entry in ranking] == sorted(
        (entry["confidence"] for entry in ranking), reverse=True
    )
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)


def test_an_earlier_classifiers_intent_is_replaced(classifier: LinearIntentClassifier, pipeline: Pipeline) -> None:
    message = classify(classifier, pipeline, "我要投诉", {"greet": 0.9, "check_status": 0.1})
    assert message.get("intent")["name"] == "submit_complaint"
    assert {entry["name"] for entry in message.get("intent_ranking")} == set(EXAMPLES)


def test_message_without_text_is_left_alone(classifier: LinearIntentClassifier) -> None:
    message = Message(data={"intent": {"name": "greet", "confidence": 1.0}})
    classifier.process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 1.0}
    assert message.get("intent_ranking") is None
