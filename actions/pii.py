"""Validation and masking of personal data (身份证号, 手机号, 姓名).

Everything the assistant shows back or writes to a log goes through the `mask_*` helpers.
"""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"\d{17}[\dXx]")
_PHONE_RE = re.compile(r"1[3-9]\d{9}")
# Chinese names, including minority names written with the middle dot.
_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,15}(?:[·•][\u4e00-\u9fff]{1,15})*")
_NAME_PREFIXES = ("我叫", "我的名字是", "名字是", "我是", "姓名", "叫")


def normalize_id_number(text: str) -> str | None:
    """Return the 18-character 身份证号 found in `text` if its GB 11643 check digit and birth date hold."""
    compact = re.sub(r"\s", "", text)
    match = _ID_RE.search(compact)
    if not match:
        return None
    number = match.group(0).upper()
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK_CHARS[total % 11] != number[17]:
        return None
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if not date(1900, 1, 1) <= birth <= date.today():
        return None
    return number


def normalize_phone(text: str) -> str | None:
    """Return the mainland mobile number in `text` (spaces, dashes and +86 tolerated)."""
    compact = re.sub(r"[\s\-]", "", text).removeprefix("+86")
    match = _PHONE_RE.search(compact)
    if not match:
        return None
    # A longer digit run (for example a 身份证号) is not a phone number.
    start, end = match.span()
    if (start > 0 and compact[start - 1].isdigit()) or (end < len(compact) and compact[end].isdigit()):
        return None
    return match.group(0)


def normalize_name(text: str) -> str | None:
    """Return the person's name in a short answer such as "我叫张三" or "张三"."""
    value = re.sub(r"[\s，。,.!！]", "", text)
    for prefix in _NAME_PREFIXES:
        if value.startswith(prefix) and len(value) > len(prefix):
            value = value[len(prefix) :]
            break
    if _NAME_RE.fullmatch(value) and 2 <= len(value) <= 20:
        return value
    return None


def mask_id_number(number: str) -> str:
    """340102199001011234 -> 340102********1234."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    return name[0] + "*" * (len(name) - 1)


_ID_ANYWHERE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_ANYWHERE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_text(text: str) -> str:
    """Mask every 身份证号 and mobile number inside free text (transcripts, logs)."""
    text = _ID_ANYWHERE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_ANYWHERE.sub(lambda m: mask_phone(m.group(0)), text)
