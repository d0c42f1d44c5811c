"""Moderation of what residents publish: suggestions (意见建议) are shown to everyone in top lists and reports.

Before publication a suggestion's text is masked (phone and ID numbers, the name after "我叫/本人/我是") and
checked against the sensitive-word list. A clean one is published at once; one with a sensitive word is held
(status `pending_review`, contract/case_kinds.py) until a supervisor approves it, edits it (the edited text is
published, the original kept) or rejects it with a reason its author reads in the case status.

The word list is api/data/sensitive_words.txt (the project's defaults) with the administrators' changes on
top (table `sensitive_words`: words added, default words taken off), so every worker and replica reads the
same list and a deployment with a newer file still keeps the administrators' choices.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api import audit
from api.cases import change_status, find_case
from api.errors import ApiError
from api.models import SensitiveWord, Suggestion, utcnow
from contract.personal_data import mask_text

WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "sensitive_words.txt"
PENDING = "pending_review"
REJECTED = "rejected"
PUBLISHED = "received"  # the suggestion pipeline's first status: published, waiting to be studied
UNPUBLISHED = frozenset({PENDING, REJECTED})
MAX_WORD_CHARS = 32


def masked(text: str) -> str:
    """The text as it may be published: personal data masked."""
    return mask_text(text, names=True)


def is_published() -> ColumnElement[bool]:
    """The suggestions everyone may read, like and count (top lists, reports)."""
    return Suggestion.status.not_in(UNPUBLISHED)


# ---- the word list ----------------------------------------------------------------------------------


def normalized(text: str) -> str:
    """What the check compares: full-width folded, lower case, without spaces, punctuation and symbols, so
    that "傻 逼", "加-微-信" and "ＡＢＣ" match their words."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


def _default_words() -> list[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [normalized(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class ListedWord:
    word: str
    source: str  # "default" (the file) or "admin"
    changed_by: str | None = None
    changed_at: datetime | None = None


def word_list(session: Session) -> list[ListedWord]:
    changes = {change.word: change for change in session.scalars(select(SensitiveWord))}
    words = [ListedWord(word, "default") for word in dict.fromkeys(_default_words()) if word not in changes]
    words += [ListedWord(c.word, "admin", c.changed_by, c.changed_at) for c in changes.values() if c.listed]
    return sorted(words, key=lambda entry: entry.word)


def sensitive_words_in(session: Session, text: str) -> list[str]:
    plain = normalized(text)
    return [entry.word for entry in word_list(session) if entry.word in plain]


def _checked_word(raw: str) -> str:
    word = normalized(raw)
    if not word:
        raise ApiError(422, "invalid_word", "敏感词不能为空，也不能只有空格或标点", field="word")
    if len(word) > MAX_WORD_CHARS:
        raise ApiError(422, "invalid_word", f"敏感词最多{MAX_WORD_CHARS}个字", field="word")
    return word


def add_word(session: Session, raw: str, actor: str, role: str) -> ListedWord:
    word = _checked_word(raw)
    if word in {entry.word for entry in word_list(session)}:
        raise ApiError(409, "word_listed", f"“{word}”已在敏感词表中")
    change = session.merge(SensitiveWord(word=word, listed=True, changed_by=actor, changed_at=utcnow()))
    audit.record(session, actor, role, "sensitive_word_add", None, word=word)
    return ListedWord(word, "admin", change.changed_by, change.changed_at)


def remove_word(session: Session, raw: str, actor: str, role: str) -> str:
    word = normalized(raw)
    if word not in {entry.word for entry in word_list(session)}:
        raise ApiError(404, "word_not_listed", f"敏感词表中没有“{raw}”")
    if word in _default_words():
        session.merge(SensitiveWord(word=word, listed=False, changed_by=actor, changed_at=utcnow()))
    else:
        session.delete(session.get_one(SensitiveWord, word))
    audit.record(session, actor, role, "sensitive_word_remove", None, word=word)
    return word


# ---- holding and reviewing ----------------------------------------------------------------------------


def hold_if_sensitive(session: Session, suggestion: Suggestion) -> None:
    """Right after filing: a suggestion with a sensitive word waits for a reviewer instead of publishing."""
    words = sensitive_words_in(session, suggestion.content)
    if not words:
        return
    # Not a move along the pipeline (no one may send a published suggestion back): it starts out held.
    suggestion.status = PENDING
    suggestion.flagged_words = words
    audit.record(session, audit.SYSTEM, audit.SYSTEM, "moderation", suggestion.number, decision="hold", words=words)


def _held(session: Session, number: str) -> Suggestion:
    suggestion = find_case(session, number, for_update=True)
    if not isinstance(suggestion, Suggestion):
        raise ApiError(404, "case_not_found", "未找到该建议，请核对编号")
    if suggestion.status != PENDING:
        raise ApiError(409, "already_reviewed", f"这条建议已审核过，当前状态：{suggestion.status_text}")
    return suggestion


def _decide(
    session: Session, suggestion: Suggestion, target: str, decision: str, note: str | None, actor: str, role: str
) -> Suggestion:
    change_status(session, suggestion, target, actor, role, note)
    suggestion.review_note = note
    suggestion.reviewed_by = actor
    suggestion.reviewed_at = utcnow()
    audit.record(session, actor, role, "moderation", suggestion.number, decision=decision, note=note)
    return suggestion


def approve(session: Session, number: str, note: str | None, actor: str, role: str) -> Suggestion:
    return _decide(session, _held(session, number), PUBLISHED, "approve", note, actor, role)


def edit(session: Session, number: str, content: str, note: str, actor: str, role: str) -> Suggestion:
    """Publish the reviewer's version; the resident's (masked) text stays in `original_content`."""
    suggestion = _held(session, number)
    suggestion.original_content = suggestion.content
    suggestion.content = masked(content)
    return _decide(session, suggestion, PUBLISHED, "edit", note, actor, role)


def reject(session: Session, number: str, reason: str, actor: str, role: str) -> Suggestion:
    """Not published; the author reads the reason in the status of the suggestion (GET /api/status)."""
    return _decide(session, _held(session, number), REJECTED, "reject", reason, actor, role)


def review_queue(session: Session, decided: bool, limit: int, offset: int) -> tuple[int, list[Suggestion]]:
    """Held suggestions, oldest first (first in, first reviewed); or the decided ones, latest decision first."""
    where = Suggestion.reviewed_by.is_not(None) if decided else Suggestion.status == PENDING
    order = Suggestion.reviewed_at.desc() if decided else Suggestion.created_at
    total = session.scalar(select(func.count(Suggestion.id)).where(where)) or 0
    rows = session.scalars(select(Suggestion).where(where).order_by(order, Suggestion.id).limit(limit).offset(offset))
    return total, list(rows)
