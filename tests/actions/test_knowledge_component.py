"""The NLU component over a real knowledge base (the deterministic test embedder, a private index)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="the NLU component runs in the Rasa environment (.venv-rasa)")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.knowledge_component import KnowledgeRetriever  # noqa: E402
from contract.knowledge import KNOWLEDGE_KEY, SearchResult  # noqa: E402
from knowledge import KnowledgeBase  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeRetriever:
    settings = KnowledgeSettings.from_env({}).with_changes(
        embedder="fake", index_dir=tmp_path_factory.mktemp("index"), mode="lexical"
    )
    kb = KnowledgeBase.from_settings(settings)
    return KnowledgeRetriever({**KnowledgeRetriever.get_default_config(), "preload": False}, kb)


def parse(retriever: KnowledgeRetriever, text: str, entities: list[dict] | None = None) -> Message:
    message = Message(data={"text": text, "entities": entities or []})
    retriever.process([message])
    return message


def test_every_message_gets_the_knowledge_matches(retriever: KnowledgeRetriever) -> None:
    message = parse(retriever, "住房公积金怎么提取")
    knowledge = message.get(KNOWLEDGE_KEY)
    assert knowledge["confident"] is True
    assert knowledge["hits"][0]["service"] == "住房公积金提取"
    assert {"service", "department", "score", "answer", "source"} <= set(knowledge["hits"][0])
    assert {"query", "confident", "aspect", "follow_up", "hits"} <= set(knowledge)
    assert KNOWLEDGE_KEY in message.as_dict(only_output_properties=True)


def test_the_actions_read_the_matches_back_with_the_contract(retriever: KnowledgeRetriever) -> None:
    message = parse(retriever, "住房公积金提取需要什么材料")
    result = SearchResult.from_parse(message.as_dict(only_output_properties=True))
    assert result is not None
    assert result.to_dict() == message.get(KNOWLEDGE_KEY)
    assert result.query == "住房公积金提取需要什么材料" and result.aspect == "materials"
    assert result.best is not None and result.best.service == "住房公积金提取"


def test_confident_match_becomes_the_service_entity(retriever: KnowledgeRetriever) -> None:
    entities = parse(retriever, "住房公积金怎么提取").get("entities")
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("service", "住房公积金提取", "KnowledgeRetriever")
    ]


def test_colloquial_service_entity_is_mapped_to_its_canonical_name(retriever: KnowledgeRetriever) -> None:
    found = {"entity": "service", "value": "公积金提取", "start": 0, "end": 5, "extractor": "DIETClassifier"}
    entities = parse(retriever, "公积金提取要多久", [found]).get("entities")
    assert len(entities) == 1 and entities[0]["value"] == "住房公积金提取"
    assert entities[0]["extractor"] == "DIETClassifier"


def test_short_mention_takes_the_service_the_whole_question_is_about(retriever: KnowledgeRetriever) -> None:
    # "公积金" alone could be withdrawing, a loan or the balance (alone it ranks 提取 first);
    # the question is about a loan.
    found = {"entity": "service", "value": "公积金", "start": 0, "end": 3, "extractor": "DIETClassifier"}
    message = parse(retriever, "公积金贷款怎么申请", [found])
    assert message.get("knowledge")["hits"][0]["service"] == "住房公积金贷款申请"
    assert message.get("entities")[0]["value"] == "住房公积金贷款申请"


def test_a_word_that_names_no_service_does_not_override_the_confident_question(retriever: KnowledgeRetriever) -> None:
    # "户口" alone ranks the household services first; the question is about getting married.
    found = {"entity": "service", "value": "户口", "start": 2, "end": 4, "extractor": "DIETClassifier"}
    message = parse(retriever, "俺俩户口都在舒城，能在市里办结婚登记领结婚证吗", [found])
    assert message.get("knowledge")["confident"] is True
    assert message.get("knowledge")["hits"][0]["service"] == "结婚登记"
    assert message.get("entities")[0]["value"] == "结婚登记"


def test_a_mention_naming_another_service_keeps_it(retriever: KnowledgeRetriever) -> None:
    found = {"entity": "service", "value": "迁户口", "start": 0, "end": 3, "extractor": "DIETClassifier"}
    message = parse(retriever, "迁户口之前要先办结婚登记吗", [found])
    assert message.get("entities")[0]["value"] == "户口迁移"


def test_a_service_named_in_a_question_its_guide_does_not_deal_with_is_no_service(
    retriever: KnowledgeRetriever,
) -> None:
    # 结婚登记 marries; a lost marriage certificate is replaced elsewhere: the guide is no answer to 补办.
    found = {"entity": "service", "value": "结婚登记", "start": 0, "end": 3, "extractor": "SpacyEntityRuler"}
    message = parse(retriever, "结婚证丢了怎么补办", [found])
    assert message.get("knowledge")["confident"] is False
    assert message.get("entities") == []
    kept = parse(retriever, "结婚登记要带什么", [dict(found)])
    assert [e["value"] for e in kept.get("entities")] == ["结婚登记"]


def test_a_word_of_no_service_in_a_message_about_none_is_no_service(retriever: KnowledgeRetriever) -> None:
    # DIET took "手续" for a service; alone it matched a service that has nothing to do with building a house.
    found = {"entity": "service", "value": "手续", "start": 13, "end": 15, "extractor": "DIETClassifier"}
    message = parse(retriever, "农村翻盖自家老房子要办啥规划手续，能盖几层", [found])
    assert message.get("knowledge")["confident"] is False
    assert [e for e in message.get("entities") if e["extractor"] == "DIETClassifier"] == []


def test_a_catalogue_word_in_a_grievance_still_names_its_service(retriever: KnowledgeRetriever) -> None:
    # "失业金" is one of 失业保险金申领's keywords: the grievance is about that service even though no guide answers it.
    text = "尊敬的领导：我在厂里干了八年，去年厂子倒闭，街道说帮我们弄失业金，到现在谁也不管，孩子上学老人看病都等着钱"
    start = text.index("失业金")
    found = {"entity": "service", "value": "失业金", "start": start, "end": start + 3, "extractor": "DIETClassifier"}
    message = parse(retriever, text, [found])
    assert message.get("knowledge")["confident"] is False
    assert [(e["value"], e["extractor"]) for e in message.get("entities")] == [("失业保险金申领", "DIETClassifier")]


def test_unrelated_message_is_not_confident_and_gets_no_entity(retriever: KnowledgeRetriever) -> None:
    message = parse(retriever, "今天天气怎么样")
    assert message.get("knowledge")["confident"] is False
    assert message.get("entities") == []


def test_button_payloads_are_not_searched(retriever: KnowledgeRetriever) -> None:
    assert parse(retriever, '/ask_service{"service": "居住证办理"}').get("knowledge") is None


def test_a_follow_up_is_marked_and_names_no_service(retriever: KnowledgeRetriever) -> None:
    # "电话多少" alone matches the hotline best; it is about the service the conversation is on.
    message = parse(retriever, "电话多少")
    result = SearchResult.from_parse(message.as_dict(only_output_properties=True))
    assert result is not None and result.follow_up and result.aspect == "phone"
    assert result.best is not None, "confident, yet not taken for the service the message names"
    assert message.get("entities") == []


def test_a_question_naming_its_service_is_no_follow_up(retriever: KnowledgeRetriever) -> None:
    message = parse(retriever, "公积金提取要多久")
    assert message.get(KNOWLEDGE_KEY)["follow_up"] is False
    assert [e["value"] for e in message.get("entities")] == ["住房公积金提取"]


def test_only_hits_near_the_threshold_are_offered_as_choices(retriever: KnowledgeRetriever) -> None:
    threshold = retriever.knowledge_base.settings.threshold
    floor = retriever.knowledge_base.settings.candidate_fraction * threshold
    question = "想把我爸送养老院 他能自理 有没有公办的 一个月大概多少钱"  # no guide is about it
    found = retriever.knowledge_base.search(question)
    offered = parse(retriever, question).get(KNOWLEDGE_KEY)["hits"]
    assert [hit["service"] for hit in offered] == [hit.service for hit in found.hits if hit.score >= floor]
    assert len(offered) < len(found.hits)  # weaker matches were left out
