"""Staff endpoints of moderation (supervisors and above): the review queue of held suggestions and the
sensitive-word list (administrators edit it). Every decision and change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, StringConstraints
from sqlalchemy.orm import Session

from api import audit
from api.deps import AdminDep, Offset, SessionDep, SupervisorDep
from api.models import Consultation, Suggestion
from api.schemas import LongLetter, Strict
from api.services import moderation

router = APIRouter(prefix="/api/staff/moderation", tags=["moderation"])

ReviewNote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


class ReviewedSuggestion(BaseModel):
    number: str
    status: str
    status_text: str
    consultation_id: int | None
    consultation: str | None
    topic: str | None
    content: str  # as published (or to be published): masked, maybe edited
    original_content: str | None
    flagged_words: list[str]
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    created_at: datetime


class ReviewList(BaseModel):
    total: int
    items: list[ReviewedSuggestion]


class Approval(Strict):
    review_note: ReviewNote | None = None


class Edit(Strict):
    content: LongLetter
    review_note: ReviewNote  # why it was changed: kept with the original for the audit


class Rejection(Strict):
    rejection_reason: ReviewNote  # the author reads it in the suggestion's status


class WordCreate(Strict):
    word: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=moderation.MAX_WORD_CHARS)]


class WordPublic(BaseModel):
    word: str
    source: str
    changed_by: str | None
    changed_at: datetime | None


def _view(session: Session, suggestion: Suggestion) -> ReviewedSuggestion:
    consultation = session.get(Consultation, suggestion.consultation_id) if suggestion.consultation_id else None
    return ReviewedSuggestion(
        number=suggestion.number,
        status=suggestion.status,
        status_text=suggestion.status_text,
        consultation_id=suggestion.consultation_id,
        consultation=consultation.title if consultation else None,
        topic=suggestion.topic,
        content=suggestion.content,
        original_content=suggestion.original_content,
        flagged_words=suggestion.flagged_words or [],
        review_note=suggestion.review_note,
        reviewed_by=suggestion.reviewed_by,
        reviewed_at=suggestion.reviewed_at,
        created_at=suggestion.created_at,
    )


@router.get("/suggestions", response_model=ReviewList)
def review_queue(
    staff: SupervisorDep,
    session: SessionDep,
    decided: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> ReviewList:
    """Suggestions held for review, oldest first; `decided=true`: the reviewed ones, latest first."""
    total, items = moderation.review_queue(session, decided, limit, offset)
    audit.record(session, staff.username, staff.role, "list", None, kind="moderation", count=len(items))
    return ReviewList(total=total, items=[_view(session, suggestion) for suggestion in items])


@router.post("/suggestions/{number}/approve", response_model=ReviewedSuggestion)
def approve(number: str, body: Approval, staff: SupervisorDep, session: SessionDep) -> ReviewedSuggestion:
    return _view(session, moderation.approve(session, number, body.review_note, staff.username, staff.role))


@router.post("/suggestions/{number}/edit", response_model=ReviewedSuggestion)
def edit(number: str, body: Edit, staff: SupervisorDep, session: SessionDep) -> ReviewedSuggestion:
    """Publish the reviewer's version of the text; the resident's stays in `original_content`."""
    suggestion = moderation.edit(session, number, body.content, body.review_note, staff.username, staff.role)
    return _view(session, suggestion)


@router.post("/suggestions/{number}/reject", response_model=ReviewedSuggestion)
def reject(number: str, body: Rejection, staff: SupervisorDep, session: SessionDep) -> ReviewedSuggestion:
    return _view(session, moderation.reject(session, number, body.rejection_reason, staff.username, staff.role))


@router.get("/words", response_model=list[WordPublic])
def words(staff: SupervisorDep, session: SessionDep) -> list[moderation.ListedWord]:
    return moderation.word_list(session)


@router.post("/words", status_code=201, response_model=WordPublic)
def add_word(body: WordCreate, staff: AdminDep, session: SessionDep) -> moderation.ListedWord:
    return moderation.add_word(session, body.word, staff.username, staff.role)


@router.delete("/words/{word}", response_model=list[WordPublic])
def remove_word(word: str, staff: AdminDep, session: SessionDep) -> list[moderation.ListedWord]:
    """Answers with the list as it is now."""
    moderation.remove_word(session, word, staff.username, staff.role)
    return moderation.word_list(session)
