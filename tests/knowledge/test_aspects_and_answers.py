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
        ("去窗口查公积金需要带身份证吗", "materials"),  # a window named, but what to bring is asked
        ("补身份证要带户口本不", "materials"),
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
        ("电话是多少", "phone"),
        ("12345电话是多少", "phone"),
        ("你们领导电话多少", "phone"),
        ("市长热线是多少", "phone"),
        ("有什么联系方式", "phone"),
        ("残疾证咨询电话", "phone"),
        ("低保打哪个电话问", "phone"),
        ("怎么联系你们", "phone"),
        ("公积金中心电话", "phone"),
        # Not the phone: the online route, how to do something, a case or ID number.
        ("用手机能办吗", "online"),
        ("社保卡被偷了，怎么打电话挂失", "general"),
        ("办件号码是多少", "general"),
        ("身份证号码写错了怎么改", "general"),
        ("打电话预约要钱吗", "fee"),
        ("12345几点有人接", "place"),
        ("个体户一个月营业额多少不用交税", "general"),  # 营业额 is no business hours
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


def test_the_phone_answer_gives_number_department_and_hours(kb: KnowledgeBase) -> None:
    card = next(s for s in kb.services if s.name == "社会保障卡申领")
    answer = compose_answer(card, "phone")
    assert answer.startswith(
        f"社会保障卡申领的咨询电话：{card.phone}（{card.department}），工作时间：{card.place.hours}。"
    )


@pytest.mark.parametrize("question", ["12345电话是多少", "你们领导电话多少", "市长热线是多少", "打12345要钱吗"])
def test_the_hotline_answers_for_itself(lexical_kb: KnowledgeBase, question: str) -> None:
    result = lexical_kb.search(question)
    assert result.best is not None and result.best.service == "12345政务服务便民热线"
    assert not result.follow_up


def test_asked_for_the_leaders_phone_the_hotline_says_how_to_reach_the_city(lexical_kb: KnowledgeBase) -> None:
    answer = lexical_kb.search("你们领导电话多少").hits[0].answer
    assert "咨询电话：12345" in answer and "市长信箱" in answer and "全天24小时" in answer


PHONE_QUESTIONS = {
    "公积金中心的电话是多少": "住房公积金缴存查询",
    "残疾证咨询电话": "残疾人证办理",
    "低保打哪个电话问": "最低生活保障申请",
    "社保卡丢了打什么电话": "社会保障卡挂失补换",
    "驾驶证换证电话": "机动车驾驶证换证",
}


@pytest.mark.parametrize(("question", "service"), PHONE_QUESTIONS.items())
def test_another_services_phone_stays_with_that_service(lexical_kb: KnowledgeBase, question: str, service: str) -> None:
    result = lexical_kb.search(question)
    assert result.aspect == "phone"
    assert result.best is not None and result.best.service == service
    assert result.best.answer.startswith(f"{service}的咨询电话：")


def test_the_time_answer_tells_a_wait_the_time_limit_does_not_count(kb: KnowledgeBase) -> None:
    divorce = next(s for s in kb.services if s.name == "离婚登记")
    answer = compose_answer(divorce, "time_limit")
    assert "当场办结" in answer and "30天离婚冷静期" in answer  # "当场办结" alone would mislead
    card = next(s for s in kb.services if s.name == "社会保障卡申领")
    assert not card.time_note and "冷静期" not in compose_answer(card, "time_limit")


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("社保卡怎么补", "社会保障卡挂失补换"),  # 怎么补 is 补办 (knowledge/dict/synonyms.tsv), not a first card
        ("身份证丢了咋补", "居民身份证换领补领"),
        ("社保卡怎么办", "社会保障卡申领"),
    ],
)
def test_asking_how_to_replace_a_document_finds_its_replacement(
    lexical_kb: KnowledgeBase, question: str, service: str
) -> None:
    result = lexical_kb.search(question)
    assert result.best is not None and result.best.service == service
