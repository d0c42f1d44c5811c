"""Validation and masking of residents' personal data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.personal_data import decrypt, encrypt
from contract.personal_data import (
    PersonalDataError,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    """Compute the GB 11643 check character independently of the code under test."""
    remainder = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11
    return first17 + "10X98765432"[remainder]


@pytest.mark.parametrize("first17", ["34150219900101123", "34152219850715002", "11010519491231002"])
def test_valid_id_numbers_are_accepted(first17: str) -> None:
    number = with_check_digit(first17)
    assert normalize_id_number(number.lower()) == number


def test_check_digit_x_is_normalised_to_upper_case() -> None:
    # 3415021990010112 + digit chosen so that the check character is X
    for last in range(10):
        number = with_check_digit(f"341502199001011{last}1")
        if number.endswith("X"):
            assert normalize_id_number(number.lower()) == number
            return
    pytest.fail("no sample with check character X in the range")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("34150219900101123", "18位"),
        ("3415021990010112AB", "前17位"),
        (with_check_digit("34150219901301123"), "出生日期"),  # month 13, valid check digit
    ],
)
def test_malformed_id_numbers_are_rejected_with_a_reason(value: str, fragment: str) -> None:
    with pytest.raises(PersonalDataError, match=fragment):
        normalize_id_number(value)


def test_wrong_check_digit_is_rejected() -> None:
    good = with_check_digit("34150219900101123")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(PersonalDataError, match="校验位"):
        normalize_id_number(wrong)


def test_birth_date_in_the_future_is_rejected() -> None:
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(PersonalDataError, match="不合理"):
        normalize_id_number(with_check_digit(f"341502{tomorrow:%Y%m%d}123"))


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "0086 13812345678"])
def test_phone_numbers_are_normalised(raw: str) -> None:
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "0564-3371234", "abc"])
def test_invalid_phones_are_rejected(raw: str) -> None:
    with pytest.raises(PersonalDataError, match="手机号码"):
        normalize_phone(raw)


def test_names() -> None:
    assert normalize_name(" 张三 ") == "张三"
    assert normalize_name("买买提·艾力") == "买买提·艾力"
    with pytest.raises(PersonalDataError):
        normalize_name("张")
    with pytest.raises(PersonalDataError):
        normalize_name("13812345678")


def test_masks() -> None:
    assert mask_id_number("341502199001011234") == "341502********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone(None) is None


def test_mask_text_hides_numbers_inside_sentences() -> None:
    text = "我叫李四，身份证341502199001011234，电话13812345678，订单号20261122"
    masked = mask_text(text)
    assert "341502********1234" in masked
    assert "138****5678" in masked
    assert "199001011234" not in masked and "12345678" not in masked
    assert "20261122" in masked


def test_encryption_round_trip_and_key_mismatch() -> None:
    token = encrypt("13812345678", "key-a")
    assert "13812345678" not in token
    assert decrypt(token, "key-a") == "13812345678"
    with pytest.raises(RuntimeError, match="PII_KEY"):
        decrypt(token, "key-b")
