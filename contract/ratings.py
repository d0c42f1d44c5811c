"""Reading a 1-5 star rating from what a resident answers: in the chat's rating form, and after an agent
closed a handed-over conversation. Both accept the same answers, and only answers that are a rating:
after a handover, any other message goes on to the assistant."""

from __future__ import annotations

import re

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DIGIT = r"([0-9一二两三四五六七八九十]|10)"
_STAR_SIGNS = frozenset("⭐★")
# A rating is short; a longer message that happens to hold a number ("我3号去窗口办的") is not one.
_MAX_RATING_CHARS = 12
_NOISE = re.compile(r"[\s，,。.!！~～、]+")
# A number with its unit anywhere in a short answer: "五星" "4颗星" "给3分吧" "不太满意，两星".
_WITH_UNIT = re.compile(rf"(?<![0-9]){_DIGIT}(?:颗星|个星|星|分|颗)")
# A bare number is a rating only on its own, or with "给/打 … 吧": "5" "给4吧".
_BARE = re.compile(rf"^(?:我)?(?:给|打)?(?:你们|个)?{_DIGIT}(?:吧|啦)?$")
# Words on the buttons' scale, from most to least satisfied.
_WORDS = (
    (5, ("非常满意", "很满意", "特别满意", "十分满意", "满分", "五星好评")),
    (1, ("非常不满意", "很不满意", "特别不满意", "太差了", "很差")),
    (2, ("不太满意", "不满意", "不怎么样")),
    (4, ("满意", "比较满意", "还算满意", "挺好")),
    (3, ("一般", "一般般", "还行", "马马虎虎", "凑合")),
)
_WORD_FILLERS = re.compile(r"^(?:我)?(?:觉得)?(?:还是)?|(?:吧|啦|了|的)$")


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUMERALS[token]


def parse_stars(text: str) -> int | None:
    """'5' / '4分' / '五星' / '两颗星' / '⭐⭐⭐' / '非常满意' -> 1..5; anything else -> None."""
    value = _NOISE.sub("", text)
    if not value or len(value) > _MAX_RATING_CHARS:
        return None
    words = _WORD_FILLERS.sub("", value)
    if set(value) <= _STAR_SIGNS:
        stars = len(value)
    elif any(words in phrases for _, phrases in _WORDS):
        stars = next(score for score, phrases in _WORDS if words in phrases)
    elif match := _WITH_UNIT.search(value) or _BARE.match(value):
        stars = _number(match.group(1))
    else:
        return None
    return stars if 1 <= stars <= 5 else None
