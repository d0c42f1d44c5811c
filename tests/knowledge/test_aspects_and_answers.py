"""The answer addresses the aspect asked, stays short and names its source."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase
from knowledge.answers import MAX_ANSWER_CHARS, SAMPLE_CAUTION, compose_answer
from knowledge.aspects import ASPECTS, detect_aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("办社保卡需要什么材料", "materials"),
        ("要带啥证件", "materials"),
        ("结婚登记在哪里办", "place"),
        ("你们几点上班", "place"),
        ("周六能去办吗", "place"),
        ("多久能办好", "time_limit"),
        ("几天能拿到证", "time_limit"),
        ("办这个要钱吗", "fee"),
        ("收费标准是多少", "fee"),
        ("申请低保需要什么条件", "conditions"),
        ("外地人能不能办", "conditions"),
        ("手机上能办吗", "online"),
        ("可以网上申请吗", "online"),
        ("社保卡怎么办", "general"),
        ("我想了解一下公租房", "general"),
    ],
)
def test_detect_aspect(question: str, aspect: str) -> None:
    assert detect_aspect(question) == aspect


@pytest.mark.parametrize("aspect", ASPECTS)
def test_every_answer_is_short_and_sourced(kb: KnowledgeBase, aspect: str) -> None:
    for service in kb.services:
        answer = compose_answer(service, aspect)
        assert len(answer) <= MAX_ANSWER_CHARS, (service.name, aspect, len(answer))
        assert answer.endswith(f"来源：{service.name}（{service.department}）{SAMPLE_CAUTION}")


def test_answers_carry_the_asked_content(kb: KnowledgeBase) -> None:
    card = next(s for s in kb.services if s.name == "社会保障卡申领")
    assert card.materials[0] in compose_answer(card, "materials")
    assert card.place.hours in compose_answer(card, "place")
    assert card.fee in compose_answer(card, "fee")
    assert card.conditions[0] in compose_answer(card, "conditions")
    general = compose_answer(card, "general")
    assert general.index("网上办") < general.index("现场办"), "the online route comes first"


def test_search_answers_the_aspect(lexical_kb: KnowledgeBase) -> None:
    result = lexical_kb.search("办社保卡要带什么材料")
    assert result.aspect == "materials"
    assert "需要准备" in result.hits[0].answer
    assert result.hits[0].source == "社会保障卡申领（市人力资源和社会保障局）"
