"""The console's 相似工单 panel: the earlier complaints and tickets closest in meaning to a case.

Texts are masked before they are embedded (the knowledge base's sentence embedder) and only vectors are stored
(`case_embeddings`). Embeddings are made when a panel asks for them, newest cases first and at most
`BACKFILL` a request, so filing never waits for the model and old cases fill in over the first few requests.
The search covers the newest `POOL` embedded cases: what agents compare with is recent practice, and the cost
of a request stays bounded whatever the size of the case store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, with_polymorphic

from api.case_views import resident_text
from api.models import Case, CaseEmbedding, Complaint, Ticket, utcnow
from knowledge.embedders import Embedder

POOL = 5_000
BACKFILL = 200
SHOWN = 5
SNIPPET_CHARS = 80

_TEXT_KINDS = with_polymorphic(Case, [Complaint, Ticket])
_TEXT_KIND_NAMES = (Complaint.SPEC.kind, Ticket.SPEC.kind)


def _embed_missing(session: Session, embedder: Embedder, case: Case) -> None:
    """Embed `case` and up to BACKFILL of the newest complaints and tickets that have no embedding yet."""
    missing = list(
        session.scalars(
            select(_TEXT_KINDS)
            .outerjoin(CaseEmbedding, (CaseEmbedding.case_id == Case.id) & (CaseEmbedding.model == embedder.name))
            .where(Case.kind.in_(_TEXT_KIND_NAMES), CaseEmbedding.case_id.is_(None))
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(BACKFILL)
        ).all()
    )
    if session.get(CaseEmbedding, case.id) is None and case not in missing:
        missing.append(case)
    texts = [(c, resident_text(c).strip()) for c in missing]
    texts = [(c, t) for c, t in texts if t]
    if not texts:
        return
    vectors = embedder.encode([t for _, t in texts])
    now = utcnow()
    for (c, _), vector in zip(texts, vectors, strict=True):
        stale = session.get(CaseEmbedding, c.id)
        if stale is not None:
            session.delete(stale)  # made with another model: replaced
            session.flush()
        session.add(
            CaseEmbedding(case_id=c.id, model=embedder.name, vector=vector.astype(np.float32).tobytes(), at=now)
        )
    session.flush()


def similar_cases(
    session: Session, embedder: Embedder, case: Case, visible: ColumnElement[bool], shown: int = SHOWN
) -> list[dict[str, Any]]:
    """The `shown` earlier `visible` cases most similar to `case`, best first, with their category and outcome."""
    _embed_missing(session, embedder, case)
    own = session.get(CaseEmbedding, case.id)
    if own is None or own.model != embedder.name:
        return []  # a case without words of the resident (e.g. an application): nothing to compare
    rows = session.execute(
        select(CaseEmbedding.case_id, CaseEmbedding.vector)
        .join(Case, Case.id == CaseEmbedding.case_id)
        .where(visible, CaseEmbedding.model == embedder.name, Case.id != case.id, Case.created_at <= case.created_at)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(POOL)
    ).all()
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype=np.float32).reshape(len(rows), -1)
    scores = matrix @ np.frombuffer(own.vector, dtype=np.float32)
    best = np.argsort(-scores, kind="stable")[:shown]
    ids = [rows[i][0] for i in best]
    found = {c.id: c for c in session.scalars(select(_TEXT_KINDS).where(Case.id.in_(ids)))}
    return [_row(found[rows[i][0]], float(scores[i])) for i in best if rows[i][0] in found]


def _row(case: Case, score: float) -> dict[str, Any]:
    text = resident_text(case)
    return {
        "number": case.number,
        "kind": case.kind,
        "category": case.category,
        "subcategory": case.subcategory,
        "department": case.department,
        "status": case.status,
        "status_text": case.status_text,
        "created_at": _iso(case.created_at),
        "text": text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "……",
        "score": round(score, 3),
    }


def _iso(value: datetime) -> str:
    return value.isoformat()
