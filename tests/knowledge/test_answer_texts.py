"""Every composed answer of every service file reads cleanly: no nested brackets, no word said twice
where the template meets the service's text, no placeholders, within the chat length."""

from __future__ import annotations

import re

import pytest

from knowledge import KnowledgeSettings, Service
from knowledge.answers import MAX_ANSWER_CHARS, compose_answer, doing
from knowledge.aspects import ASPECTS
from knowledge.schema import load_categories, load_services

SETTINGS = KnowledgeSettings()
SERVICES = load_services(SETTINGS.services_dir, load_categories(SETTINGS.categories_file))
VERBS = ("办理", "申请", "申领", "登记", "拨打")
# A verb, at most a few characters without punctuation, the same verb again: "办理残疾人证办理".
DOUBLED = re.compile(r"(办理|申请|申领|登记|拨打)[^，。；：、\n]{0,10}?\1")
PLACEHOLDERS = re.compile(r"None|null|nan|True|False|\{|\}|\[|\]|<|>")


def nesting_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "（(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "）)":
            depth -= 1
    return deepest


def answers() -> list[tuple[Service, str, str]]:
    return [(service, aspect, compose_answer(service, aspect)) for service in SERVICES for aspect in ASPECTS]


@pytest.mark.parametrize(("service", "aspect", "answer"), answers(), ids=lambda v: getattr(v, "slug", None))
def test_the_answer_reads_cleanly(service: Service, aspect: str, answer: str) -> None:
    assert nesting_depth(answer) <= 1, f"nested brackets: {answer}"
    assert answer.count("（") == answer.count("）"), answer
    # Only where the template meets the name: the head up to the first "：" or "。".
    head = re.split(r"[：。]", answer, maxsplit=1)[0]
    assert not DOUBLED.search(head), f"a word said twice: {head}"
    assert not PLACEHOLDERS.search(answer), answer
    assert len(answer) <= MAX_ANSWER_CHARS, (len(answer), answer)
    assert service.name in answer


def test_the_checks_catch_what_they_are_for() -> None:
    assert nesting_depth("办理地点：登记中心（各县也可办理）（梅山南路（示例地址））") == 2
    assert DOUBLED.search("办理残疾人证办理需要准备")
    assert DOUBLED.search("残疾人证办理的办理地点")
    assert not DOUBLED.search("残疾人证办理的受理地点")


@pytest.mark.parametrize(
    ("verb", "name", "phrase"),
    [
        ("办理", "残疾人证办理", "残疾人证办理"),
        ("办理", "结婚登记", "结婚登记"),
        ("申请", "高龄津贴申领", "高龄津贴申领"),
        ("申请", "公共租赁住房申请", "公共租赁住房申请"),
        ("办理", "食品经营许可", "办理食品经营许可"),
        ("办理", "12345政务服务便民热线", "拨打12345政务服务便民热线"),
    ],
)
def test_a_name_that_is_already_an_action_takes_no_verb(verb: str, name: str, phrase: str) -> None:
    assert doing(verb, name) == phrase


def test_no_service_file_has_nested_brackets_in_its_hall_or_address() -> None:
    for service in SERVICES:
        for text in (service.place.hall, service.place.address, service.place.hours, service.department):
            assert nesting_depth(text) <= 1, (service.slug, text)
