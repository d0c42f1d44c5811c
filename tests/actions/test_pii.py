import pytest

from actions import pii
from actions.pii import normalize_id_number, normalize_name, normalize_phone, states_a_name

mask_id_number, mask_name, mask_phone, mask_text = pii.mask_id_number, pii.mask_name, pii.mask_phone, pii.mask_text

# The first is the example printed in GB 11643; the second's check digit was worked out by hand.
VALID_IDS = ["11010519491231002X", "341502198506151232"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_pass_and_are_normalized(number: str) -> None:
    assert normalize_id_number(number.lower()) == number
    assert normalize_id_number(f"我的身份证是 {number[:6]} {number[6:]}") == number


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",  # wrong check digit
        "341502198506151233",  # wrong check digit
        "440524188001010014",  # valid check digit, but born in 1880
        "341502198513151230",  # valid check digit, but month 13
        "1101051949123100",  # too short
        "我没带身份证",
    ],
)
def test_invalid_id_numbers_are_rejected(text: str) -> None:
    assert normalize_id_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("电话是19955556666谢谢", "19955556666"),
        ("12812345678", None),  # no such mobile prefix
        ("1381234567", None),
        ("11010519491231002X", None),  # digits of an ID number are not a phone
    ],
)
def test_phone_numbers(text: str, expected: str | None) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("我叫李小明", "李小明"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("张", None),
        ("张 三", "张三"),
        # Latin letters are a name too: foreign permanent residents' ID cards also have 18 characters.
        ("John Smith", "John Smith"),
        ("13812345678", None),
    ],
)
def test_names(text: str, expected: str | None) -> None:
    assert normalize_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("名字是何文斌", True), (" 我叫李四", True), ("何文斌", False), ("你是谁", False), ("名字是", False)],
)
def test_answers_that_say_they_are_a_name(text: str, expected: bool) -> None:
    assert states_a_name(text) is expected


def test_masks_show_only_what_the_resident_needs_to_recognise() -> None:
    assert mask_id_number("340102199001011234") == "340102********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_mask_text_hides_numbers_inside_sentences() -> None:
    masked = mask_text("我叫张三，身份证11010519491231002X，电话13812345678，编号LA2024060100001")
    assert "11010519491231002X" not in masked and "13812345678" not in masked
    assert "110105********002X" in masked and "138****5678" in masked
    assert "LA2024060100001" in masked
