"""Smart-community incidents (社区事件, SQ cases): the kinds a resident can report, and reading the place
(community, building, unit) from what a resident types.

Both sides read these: the action server to fill the form's slots from "3栋2单元" without asking again, the
gateway to match a filed place against the buildings an administrator maintains. Buildings and units are
compared by their key: the number or letter without its counter word, "三栋", "3号楼", "3幢" and "3#" are
all building "3".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

# The kinds of incident, as residents read them; "其他" is the one for anything else.
INCIDENT_KINDS: tuple[str, ...] = ("报修", "安全隐患", "环境卫生", "邻里纠纷", "其他")

_DIGIT_CHARS = ("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九")
_CN_DIGITS = {ch: value for value, chars in enumerate(_DIGIT_CHARS) for ch in chars}
_CN_NUMBER = "零〇一二两三四五六七八九十"
_NUMBER = rf"[0-9]{{1,4}}|[{_CN_NUMBER}]{{1,3}}"
# "3栋" "3号楼" "3幢" "3座" "12#楼" "12#" "A栋". A bare "3楼" is a floor, not a building, so it is not read.
# "3号" counts only right before a unit ("3号2单元"): alone it is a date or a house number.
_BUILDING_WORD = rf"号楼|号栋|号幢|栋|幢|号?座|#楼?|号(?=\s*(?:[0-9]+|[{_CN_NUMBER}]+)\s*单元)"
_BUILDING = re.compile(rf"(?<![0-9A-Za-z{_CN_NUMBER}])({_NUMBER}|[A-Za-z])\s*(?:{_BUILDING_WORD})")
_UNIT = re.compile(rf"(?<![0-9{_CN_NUMBER}])({_NUMBER}|[A-Za-z])\s*单元")
# What a community name often ends with; "金安小区" is also typed "金安".
_COMMUNITY_SUFFIXES = ("小区", "社区", "家园")
# A name at least this alike a known one (without 小区/社区) is taken for a typo of it: "梅三小区" for 梅山小区.
TYPO_LIKENESS = 0.5


def _normal(text: str) -> str:
    """Full-width digits and letters ("３栋", "１２＃") read as ASCII."""
    return unicodedata.normalize("NFKC", text)


def _cn_to_int(text: str) -> int | None:
    """ "三" 3, "十二" 12, "二十" 20, "二十三" 23, "一二" 12 (digits read one by one); None if not a number."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    return None


def _key(token: str) -> str | None:
    token = token.strip()
    if token.isdigit():
        return str(int(token)) if int(token) > 0 else None
    if len(token) == 1 and token.isascii() and token.isalpha():
        return token.upper()
    number = _cn_to_int(token)
    return str(number) if number else None


def read_place(text: str) -> tuple[str | None, str | None]:
    """(building, unit) keys read from a resident's text: "3栋2单元" → ("3", "2"), "十二#楼" → ("12", None).

    None where the text names no building or unit.
    """
    text = _normal(text)
    building = _BUILDING.search(text)
    unit = _UNIT.search(text)
    return (_key(building.group(1)) if building else None, _key(unit.group(1)) if unit else None)


def building_key(label: str) -> str | None:
    """The key of a building as an administrator or a resident names it: "3栋", "3号楼", "三幢", "3" → "3"."""
    label = _normal(label).strip()
    if found := read_place(label)[0]:
        return found
    return _key(label)


def unit_key(label: str) -> str | None:
    """ "2单元", "二单元", "2" → "2"."""
    label = _normal(label).strip()
    return read_place(label)[1] or _key(label)


def place_text(community: str, building: str | None, unit: str | None) -> str:
    """The place as a resident and an officer read it: "样例社区3栋2单元"."""
    return community + (f"{building}栋" if building else "") + (f"{unit}单元" if unit else "")


def _core(name: str) -> str:
    for suffix in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


# A name without its 小区/社区 followed by these is a road or a place of its own: "梅山路幸福小区" is not 梅山小区.
_NOT_A_ROAD = r"(?!路|街|大道|巷|镇|乡|村)"


def find_community(text: str, names: Iterable[str]) -> str | None:
    """The known community a text names, in full or without "小区/社区" ("金安" for "金安小区"); the longest
    when several match. Names with a sample mark "样例·" are also found without it."""
    text = _normal(text)
    found = [
        name
        for name in names
        if name in text
        or any(
            form and re.search(re.escape(form) + _NOT_A_ROAD, text)
            for form in {_core(name), _core(name.removeprefix("样例·"))}
        )
    ]
    return max(found, key=len) if found else None


def close_names(text: str, names: Sequence[str], n: int = 3) -> list[str]:
    """The known names closest to what was typed (a typo, a partial name), best first, for "您是不是指…"."""
    text = _normal(text).strip()
    if not text:
        return []
    contained = [name for name in names if text in name or _core(name) in text]
    similar = difflib.get_close_matches(text, list(names), n=n, cutoff=0.3)
    return list(dict.fromkeys([*contained, *similar]))[:n]


def typo_of(text: str, names: Iterable[str]) -> list[str]:
    """The known names that `text` may be a mistyped form of, rather than another estate ("民乐小区")."""
    core = _core(_normal(text).strip())
    return [
        name
        for name in names
        if difflib.SequenceMatcher(None, core, _core(name.removeprefix("样例·"))).ratio() >= TYPO_LIKENESS
    ]
