"""The unanswered-question inbox: questions the assistant could not answer, masked and grouped by similarity.

Grouping is incremental: a new question joins the group of its most similar known question when the
similarity reaches `SIMILAR`, else it starts a group. Similarity is the cosine of character and character
bigram counts after the words every question has ("请问", "怎么办") are dropped: short Chinese questions
about one thing share its characters ("停水"), whatever their wording around it.

An administrator then attaches a group to a service (its questions become sample questions of the
service's file, and the knowledge index is rebuilt), or marks it out of scope.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.models import UnansweredGroup, UnansweredQuestion, utcnow
from contract.personal_data import mask_text
from knowledge.schema import MAX_QUESTIONS, KnowledgeFormatError, load_categories, parse_service

if TYPE_CHECKING:
    from knowledge import KnowledgeBase

OPEN, ATTACHED, OUT_OF_SCOPE = "open", "attached", "out_of_scope"
STATUSES = (OPEN, ATTACHED, OUT_OF_SCOPE)
MAX_QUESTION_CHARS = 200
# Tried on pairs like those of tests/gateway/test_unanswered.py: rewordings of one question score 0.5-0.75
# ("无人机飞行要报备吗" / "无人机在哪里报备" 0.62), different questions 0-0.4 ("停水" / "停电" 0.33).
SIMILAR = 0.45
# A new question is compared with the most recently seen questions only: the inbox stays fast when it is old.
CANDIDATES = 5000
# Service files are edited by one attachment at a time in this process (other workers: see docs/assistant.md).
_FILE_LOCK = threading.Lock()

_FILLERS = re.compile(
    r"请问|你好|您好|我想问|我想|我要|想问|一下|怎么办|怎么样|怎么|如何|什么|哪里|哪儿|能不能|可不可以|可以|是否|"
    r"需要|应该|为什么|谢谢|申请|办理|吗|呢|吧|啊|呀|的|了|我|你|[\s\d*＊\W_]"
)


def _grams(text: str) -> Counter[str]:
    core = _FILLERS.sub("", text.lower())
    return Counter([*core, *(core[i : i + 2] for i in range(len(core) - 1))])


# Every new question is compared with the known ones: their counts are computed once per process.
@functools.lru_cache(maxsize=2 * CANDIDATES)
def _vector(text: str) -> tuple[dict[str, int], float]:
    grams = _grams(text)
    return dict(grams), math.sqrt(sum(c * c for c in grams.values()))


def similarity(a: str, b: str) -> float:
    """Cosine of the two questions' character and bigram counts, fillers dropped (0 when either has none)."""
    (first, first_norm), (second, second_norm) = _vector(a), _vector(b)
    dot = sum(count * second.get(gram, 0) for gram, count in first.items())
    return dot / (first_norm * second_norm) if dot else 0.0


def masked_question(text: str) -> str:
    return mask_text(" ".join(text.split()))[:MAX_QUESTION_CHARS]


def keep(sessions: sessionmaker[Session], question: str, at: datetime) -> None:
    """Count one unanswered question in its group (two gateways adding the same new text: one retries)."""
    text = masked_question(question)
    if not _grams(text):
        return  # nothing but punctuation or digits: no question to learn from
    try:
        with transaction(sessions) as session:
            _keep(session, text, at)
    except IntegrityError:
        with transaction(sessions) as session:
            _keep(session, text, at)


def _keep(session: Session, text: str, at: datetime) -> None:
    known = session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.text == text)).first()
    if known is not None:
        session.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id == known.id)
            .values(count=UnansweredQuestion.count + 1, last_seen=at)
        )
        group_id = known.group_id
    else:
        group_id = _nearest_group(session, text) or _new_group(session, text, at)
        session.add(UnansweredQuestion(group_id=group_id, text=text, count=1, last_seen=at))
        session.flush()  # a concurrent insert of the same text fails here, before the group is counted
    session.execute(
        update(UnansweredGroup)
        .where(UnansweredGroup.id == group_id)
        .values(
            count=UnansweredGroup.count + 1,
            last_seen=at,
            since_resolved=UnansweredGroup.since_resolved + case((UnansweredGroup.status == OPEN, 0), else_=1),
        )
    )


def _nearest_group(session: Session, text: str) -> int | None:
    rows = session.execute(
        select(UnansweredQuestion.text, UnansweredQuestion.group_id)
        .order_by(UnansweredQuestion.last_seen.desc())
        .limit(CANDIDATES)
    ).all()
    best, group_id = 0.0, None
    for other, other_group in rows:
        score = similarity(text, other)
        if score > best:
            best, group_id = score, other_group
    return group_id if best >= SIMILAR else None


def _new_group(session: Session, text: str, at: datetime) -> int:
    group = UnansweredGroup(example=text, count=0, first_seen=at, last_seen=at, status=OPEN, since_resolved=0)
    session.add(group)
    session.flush()
    return group.id


def groups(session: Session, status: str | None, limit: int, offset: int) -> list[UnansweredGroup]:
    """Most asked first, then most recent."""
    query = select(UnansweredGroup)
    if status is not None:
        query = query.where(UnansweredGroup.status == status)
    query = query.order_by(UnansweredGroup.count.desc(), UnansweredGroup.last_seen.desc(), UnansweredGroup.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def questions_of(session: Session, group_id: int) -> list[UnansweredQuestion]:
    return list(
        session.scalars(
            select(UnansweredQuestion)
            .where(UnansweredQuestion.group_id == group_id)
            .order_by(UnansweredQuestion.count.desc(), UnansweredQuestion.id)
        )
    )


@dataclass(frozen=True)
class Answerability:
    question: str
    answered: bool
    service: str | None  # the best match, whether confident or not


def answerability(knowledge: KnowledgeBase, questions: Sequence[str]) -> list[Answerability]:
    """Whether the knowledge base now answers each question (the assistant's own confidence test)."""
    results = knowledge.search_many(list(questions), k=1)
    return [
        Answerability(question, result.confident, result.hits[0].service if result.hits else None)
        for question, result in zip(questions, results, strict=True)
    ]


class AttachError(ValueError):
    """The questions cannot be added to that service's file; the message says why, in Chinese."""


def add_sample_questions(knowledge: KnowledgeBase, service: str, questions: Sequence[str]) -> list[str]:
    """Append the questions the service's file does not have yet to its `questions:` list; the file is
    validated with the knowledge loader before it replaces the old one (atomically). Returns those added."""
    match = next((s for s in knowledge.services if s.name == service), None)
    if match is None:
        raise AttachError(f"没有名为“{service}”的办理事项")
    path = knowledge.settings.services_dir / f"{match.slug}.yaml"
    with _FILE_LOCK:  # two attachments at once: the second reads the file the first wrote
        present = parse_service(path).questions
        new = [q for q in dict.fromkeys(questions) if q not in present]
        if not new:
            return []
        if len(present) + len(new) > MAX_QUESTIONS:
            raise AttachError(
                f"“{service}”已有{len(present)}条示例问题，再加{len(new)}条将超过{MAX_QUESTIONS}条上限，"
                "请先在事项文件中精简示例问题"
            )
        updated = _with_questions(path.read_text(encoding="utf-8"), new)
        categories = load_categories(knowledge.settings.categories_file)
        _replace_validated(path, updated, set(categories) if categories is not None else None)
    return new


def _with_questions(source: str, questions: Sequence[str]) -> str:
    """The file's text with the questions appended to its top-level `questions:` list (comments kept)."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"questions:\s*(#.*)?$", line.rstrip("\n"))), None)
    if start is None:
        raise AttachError("事项文件中没有 questions 列表")
    end, indent = start + 1, "  "
    while end < len(lines) and (lines[end].startswith((" ", "\t", "-")) or not lines[end].strip()):
        item = re.match(r"(\s*)- ", lines[end])
        if item:
            indent = item.group(1)
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep blank lines after the list where they were
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    # JSON strings are valid YAML double-quoted scalars: any character a resident typed stays literal.
    added = [f"{indent}- {_yaml_string(q)}\n" for q in questions]
    return "".join(lines[:end] + added + lines[end:])


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _replace_validated(path: Path, text: str, categories: set[str] | None) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            parse_service(Path(temporary), categories)
        except KnowledgeFormatError as error:
            raise AttachError(f"添加后事项文件校验未通过，未修改：{error.field}：{error.problem}") from None
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def resolve(group: UnansweredGroup, status: str, actor: str, service: str | None) -> None:
    group.status, group.service = status, service
    group.resolved_by, group.resolved_at, group.since_resolved = actor, utcnow(), 0
