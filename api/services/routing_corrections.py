"""Agents' corrections of the request router, kept as training data (docs/routing.md "Corrections").

When an agent dispatches or assigns a case under a category other than the router's best guess for it, the
case's text (masked) is stored with the category it should have had. `export_tsv` writes them in the format of
knowledge/routing/examples.tsv, so that an administrator can review them and add them to the training examples.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.case_views import resident_text
from api.models import Case, RoutingCorrection, utcnow
from knowledge.routing.data import HEADER

# A text this long reads as a letter (the examples file's styles are "chat" and "letter").
LETTER_CHARS = 60
EXPORT_LIMIT = 10_000


def _model_guess(case: Case) -> tuple[str | None, str | None]:
    """The router's best category for the case, whoever routed it last."""
    alternatives = case.routing_alternatives or []
    if alternatives:
        return alternatives[0].get("category"), alternatives[0].get("subcategory")
    return None, None


def note_correction(session: Session, case: Case, actor: str) -> RoutingCorrection | None:
    """Record the case's new category when it differs from the router's guess (call after setting it)."""
    predicted, predicted_sub = _model_guess(case)
    text = resident_text(case).strip()
    if predicted is None or not case.category or not text:
        return None
    if (case.category, case.subcategory or predicted_sub) == (predicted, predicted_sub):
        return None
    correction = RoutingCorrection(
        case_id=case.id,
        text=text,
        predicted_category=predicted,
        predicted_subcategory=predicted_sub,
        category=case.category,
        subcategory=case.subcategory,
        department=case.department,
        corrected_by=actor,
        at=utcnow(),
    )
    session.add(correction)
    return correction


def export_tsv(session: Session, since: datetime | None = None) -> str:
    """The corrections, oldest first, as lines of the training examples file (tabs and line breaks in a text
    become spaces; the router's guess follows as a comment line so that a reviewer sees what changed)."""
    query = select(RoutingCorrection).order_by(RoutingCorrection.at, RoutingCorrection.id).limit(EXPORT_LIMIT)
    if since is not None:
        query = query.where(RoutingCorrection.at >= since)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    writer.writerow(HEADER)
    for row in session.scalars(query):
        text = " ".join(row.text.split())
        guess = "/".join(part for part in (row.predicted_category, row.predicted_subcategory) if part)
        out.write(f"# {row.at:%Y-%m-%d} {row.corrected_by}: 模型分类 {guess}\n")
        style = "letter" if len(text) >= LETTER_CHARS else "chat"
        writer.writerow((row.category, row.subcategory or "", style, text))
    return out.getvalue()
