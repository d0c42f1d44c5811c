"""Reading personal data (身份证号, 手机号, 姓名) out of what residents type in a form.

The rules themselves (GB 11643 check digit, plausible birth date, mainland mobile numbers, names)
and the masks live in `contract/personal_data.py`, shared with the gateway; this module only finds the
value inside a chat answer such as "我的身份证是 3415…" or "我叫张三".
"""

from __future__ import annotations

import re

from contract.personal_data import (
    PersonalDataError,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    mobile_in,
)
from contract.personal_data import normalize_contact_phone as _checked_contact_phone
from contract.personal_data import normalize_id_number as _checked_id_number
from contract.personal_data import normalize_name as _checked_name
from contract.personal_data import normalize_phone as _checked_phone
from knowledge.request_kind import han_count

_ID_RE = re.compile(r"\d{17}[\dXx]")
_PHONE_RE = re.compile(r"1[3-9]\d{9}")
# A resident who would rather not leave a phone ("不留", "不方便", "不用了"): stored as this marker.
NO_PHONE = "不留"
_NO_PHONE_WORDS = ("不留", "不方便", "不想留", "没有电话", "没电话", "不用", "不需要", "跳过", "保密")
MAX_REFUSAL_HAN = 15
_NAME_PREFIXES = ("我叫", "我的名字是", "名字是", "我是", "姓名", "叫")

__all__ = [
    "NO_PHONE",
    "declines_phone",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_text",
    "mobile_in",
    "normalize_id_number",
    "normalize_contact_phone",
    "normalize_name",
    "normalize_phone",
]


def normalize_id_number(text: str) -> str | None:
    """The valid 18-character 身份证号 in `text`, or None."""
    match = _ID_RE.search(re.sub(r"\s", "", text))
    if not match:
        return None
    try:
        return _checked_id_number(match.group(0))
    except PersonalDataError:
        return None


def normalize_phone(text: str) -> str | None:
    """The mainland mobile number in `text` (spaces, dashes and +86 tolerated), or None."""
    compact = re.sub(r"[\s\-]", "", text).removeprefix("+86")
    match = _PHONE_RE.search(compact)
    if not match:
        return None
    # A longer digit run (for example a 身份证号) is not a phone number.
    start, end = match.span()
    if (start > 0 and compact[start - 1].isdigit()) or (end < len(compact) and compact[end].isdigit()):
        return None
    try:
        return _checked_phone(match.group(0))
    except PersonalDataError:
        return None


def states_a_name(text: str) -> bool:
    """True for an answer that says it is a name ("名字是何文斌"), whatever else it could be read as."""
    value = text.strip()
    return any(value.startswith(prefix) and len(value) > len(prefix) for prefix in _NAME_PREFIXES)


def normalize_name(text: str) -> str | None:
    """The person's name in a short answer such as "我叫张三" or "张三", or None."""
    # Spaces typed between Chinese characters are noise; between Latin words they belong to the name.
    value = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text.strip().strip("，。,.!！"))
    for prefix in _NAME_PREFIXES:
        if value.startswith(prefix) and len(value) > len(prefix):
            value = value[len(prefix) :]
            break
    try:
        return _checked_name(value)
    except PersonalDataError:
        return None


def normalize_contact_phone(text: str) -> str | None:
    """A mobile number in `text`, else the whole answer as a landline with its area code, or None."""
    mobile = normalize_phone(text)
    if mobile:
        return mobile
    try:
        return _checked_contact_phone(re.sub(r"^(电话|座机|固话|号码)?(是|：|:)?", "", text.strip()))
    except PersonalDataError:
        return None


def declines_phone(text: str) -> bool:
    """A brief refusal ("不方便留", "算了 不留了"); a longer message that says 不方便 tells more of the matter ("晚上
    老人孩子出门很不方便，希望尽快派人维修")."""
    return han_count(text) <= MAX_REFUSAL_HAN and any(word in text for word in _NO_PHONE_WORDS)
