"""The assistant's replies as WeChat text: numbered choices instead of buttons, parts within WeChat's limit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from api.replies import TRIMMED_NOTE, choose_by_number

TEXT_LIMIT_BYTES = 2048  # WeChat's limit for one text message (passive reply and customer-service API)
MAX_PARTS = 5  # more messages in a row would flood the resident's chat; the rest is trimmed

_NUMBER = re.compile(r"^\d{1,2}$")
_TRAILING = "。.!！~～ "


@dataclass(frozen=True)
class Choice:
    """A numbered choice: the payload goes to the assistant, the title is what the resident picked."""

    title: str
    payload: str


@dataclass(frozen=True)
class Rendered:
    parts: list[str]  # texts to send in order, each within TEXT_LIMIT_BYTES
    choices: list[Choice]  # the buttons, in the order of the numbers shown


def render(messages: list[dict[str, Any]]) -> Rendered:
    """Join the assistant's messages into WeChat texts; the last message's buttons become numbered choices."""
    texts = [m["text"].strip() for m in messages if m.get("text", "").strip()]
    buttons: list[dict[str, str]] = next((m["buttons"] for m in reversed(messages) if m.get("buttons")), [])
    if buttons:
        numbered = [f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1)]
        texts.append("\n".join([*numbered, choose_by_number(len(buttons))]))
    choices = [Choice(title=b["title"], payload=b["payload"]) for b in buttons]
    return Rendered(parts=split("\n\n".join(texts)), choices=choices)


def chosen(text: str, choices: list[Choice]) -> Choice | None:
    """The choice the resident replied with: its number, or its title typed out ("登记诉求", as WeChat shows
    it) rather than the number."""
    reply = unicodedata.normalize("NFKC", text).strip()  # full-width digits from Chinese keyboards
    if not choices:
        return None
    if _NUMBER.match(reply):
        index = int(reply)
        return choices[index - 1] if 1 <= index <= len(choices) else None
    typed = reply.rstrip(_TRAILING)
    return next((c for c in choices if unicodedata.normalize("NFKC", c.title).strip() == typed), None)


def split(text: str, limit: int = TEXT_LIMIT_BYTES, max_parts: int = MAX_PARTS) -> list[str]:
    """Split at line breaks where possible (never inside a character), at most `max_parts` parts."""
    parts: list[str] = []
    rest = text
    while rest and len(parts) < max_parts:
        if _size(rest) <= limit:
            parts.append(rest)
            return parts
        head = _cut(rest, limit)
        parts.append(head.rstrip())
        rest = rest[len(head) :].lstrip("\n")
    if rest:
        parts[-1] = _cut(parts[-1], limit - _size(TRIMMED_NOTE)).rstrip() + TRIMMED_NOTE
    return parts


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    """The longest prefix within `limit` bytes, ending at a line break when one is in its second half."""
    if _size(text) <= limit:
        return text
    prefix = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    line_end = prefix.rfind("\n")
    return prefix[: line_end + 1] if line_end > len(prefix) // 2 else prefix
