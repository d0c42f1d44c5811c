"""Questions outside the knowledge base are not answered from it (confident=false)."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase


@pytest.mark.parametrize(
    "question",
    ["明天六安会下雨吗", "给我讲个笑话", "哪里买手机便宜", "股票今天涨了吗", "红烧肉怎么做好吃", "你好"],
)
def test_out_of_scope_is_not_confident(lexical_kb: KnowledgeBase, question: str) -> None:
    assert not lexical_kb.search(question).confident


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("孩子刚出生怎么上户口", "新生儿出生登记"),
        ("结婚证在哪里领", "结婚登记"),
        ("想开个小饭馆要办什么证", "食品经营许可"),
    ],
)
def test_in_scope_is_confident(lexical_kb: KnowledgeBase, question: str, service: str) -> None:
    result = lexical_kb.search(question)
    assert result.confident
    assert result.hits[0].service == service


def test_hits_are_best_first_and_k_long(lexical_kb: KnowledgeBase) -> None:
    result = lexical_kb.search("社保卡丢了怎么补", k=5)
    scores = [hit.score for hit in result.hits]
    assert len(result.hits) == 5
    assert scores == sorted(scores, reverse=True)
    assert result.hits[0].service == "社会保障卡挂失补换"
