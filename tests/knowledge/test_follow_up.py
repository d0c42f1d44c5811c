"""A follow-up asks about an aspect and names nothing else: it is about the conversation's service."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase
from knowledge.aspects import GENERAL, detect_aspect, is_follow_up

FOLLOW_UPS = [
    "那去哪办",
    "算了我还是先问下要带啥",
    "那要多少钱",
    "在哪里办",
    "要带什么",
    "多久能办好",
    "周末能办吗",
    "能网上办吗",
    "电话多少",
    "这个呢 要多久",
    "需要什么材料",
    "要什么条件",
    "收费吗",
    "你们几点上班",
    "那在哪儿办理呢？",
    "请问办公地址在哪",
    "可以在手机上办吗",
    "那个要几天",
    "它免费吗",
    "那需要准备什么",
    "我想问一下要多久",
    "联系电话是多少",
    "中午上班吗",
    "有什么条件",
    "啥时候能拿到",
    "要带哪些东西",
    "打哪个电话",
    "那周六呢，开门吗",
    # a place in 六安 says where to do it, not what
    "我在舒城上班 能在舒城提吗",
    "金寨县能办吗",
    "叶集区在哪办",
]

NAMING_A_TOPIC = [
    "出生证明在哪里办",
    "公积金要带什么",
    "社保卡多少钱",
    "12345电话是多少",
    "你们领导电话多少",
    "市长热线是多少",
    "居住证多久能办好",
    "结婚登记周末能办吗",
    "低保能网上申请吗",
    "残疾证要什么条件",
    "不动产登记中心在哪",
    "驾驶证换证要多久",
    "办营业执照要钱吗",
    "孩子上学要带什么材料",
    "医保报销多久到账",
    "身份证丢了在哪补",
    "公积金中心电话",
    "外地人能办吗",
    "离婚要带什么",
    "孩子打疫苗要钱吗",
    "那要多少钱才能办低保",
    "ETC在哪办",
    "舒城县的公租房在哪申请",
]

NO_ASPECT = ["社保卡怎么办", "我想了解一下公租房", "你好", "那这个呢", "谢谢"]


@pytest.mark.parametrize("question", FOLLOW_UPS)
def test_an_aspect_alone_is_a_follow_up(question: str) -> None:
    assert detect_aspect(question) != GENERAL
    assert is_follow_up(question)


@pytest.mark.parametrize("question", NAMING_A_TOPIC)
def test_a_question_naming_a_topic_is_not_a_follow_up(question: str) -> None:
    assert not is_follow_up(question)


@pytest.mark.parametrize("question", NO_ASPECT)
def test_without_an_aspect_there_is_no_follow_up(question: str) -> None:
    assert not is_follow_up(question)


def test_the_tables_are_big_enough() -> None:
    assert len(FOLLOW_UPS) >= 15 and len(NAMING_A_TOPIC) >= 15


def test_the_search_result_says_whether_it_is_a_follow_up(lexical_kb: KnowledgeBase) -> None:
    follow_up, named = lexical_kb.search_many(["那要多少钱", "社保卡多少钱"])
    assert follow_up.follow_up and follow_up.aspect == "fee"
    assert not named.follow_up and named.aspect == "fee"
    assert named.best is not None and named.best.service.startswith("社会保障卡")
    assert follow_up.to_dict()["follow_up"] is True and named.to_dict()["follow_up"] is False


def test_a_service_name_does_not_set_the_aspect(lexical_kb: KnowledgeBase) -> None:
    result = lexical_kb.search("医疗费用零星报销在哪里办")
    assert result.hits[0].service == "医疗费用零星报销" and result.aspect == "place"
