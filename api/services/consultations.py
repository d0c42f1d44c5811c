"""意见征集: finding a consultation, counting who opened it, its top suggestions and its report."""

from __future__ import annotations

from sqlalchemy import distinct, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api import audit
from api.cases import find_case
from api.db import transaction
from api.errors import ApiError
from api.models import Consultation, ConsultationView, Suggestion, SuggestionLike
from api.schemas import ConsultationPublic, ConsultationReport, SuggestionPublic
from api.services.moderation import UNPUBLISHED, is_published


def find_consultation(session: Session, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise ApiError(404, "consultation_not_found", "没有找到该意见征集活动")
    return consultation


def mark_viewed(session: Session, consultation_id: int, sender: str) -> None:
    """Count a resident once among those who opened a consultation (the base of the participation rate)."""
    seen = session.scalar(
        select(ConsultationView.id).where(
            ConsultationView.consultation_id == consultation_id, ConsultationView.sender == sender
        )
    )
    if seen is None:
        session.add(ConsultationView(consultation_id=consultation_id, sender=sender))


def top_suggestions(session: Session, consultation_id: int, n: int) -> list[SuggestionPublic]:
    rows = session.scalars(
        select(Suggestion)
        .where(Suggestion.consultation_id == consultation_id, is_published())
        .order_by(Suggestion.likes.desc(), Suggestion.created_at)
        .limit(n)
    )
    return [SuggestionPublic(number=s.number, content=s.content, likes=s.likes) for s in rows]


def consultation_report(session: Session, consultation_id: int, n: int) -> ConsultationReport:
    consultation = find_consultation(session, consultation_id)
    # Held and rejected suggestions are not public (api/services/moderation.py): not counted either.
    in_consultation = (Suggestion.consultation_id == consultation_id) & is_published()
    suggestions = session.scalar(select(func.count(Suggestion.id)).where(in_consultation)) or 0
    likes = session.scalar(select(func.coalesce(func.sum(Suggestion.likes), 0)).where(in_consultation)) or 0
    authors = select(Suggestion.sender.label("who")).where(in_consultation, Suggestion.sender.is_not(None))
    voters = (
        select(SuggestionLike.voter.label("who"))
        .join(Suggestion, Suggestion.id == SuggestionLike.suggestion_id)
        .where(in_consultation)
    )
    people = union(authors, voters).subquery()
    participants = session.scalar(select(func.count(distinct(people.c.who)))) or 0
    viewers = (
        session.scalar(
            select(func.count())
            .select_from(ConsultationView)
            .where(ConsultationView.consultation_id == consultation_id)
        )
        or 0
    )
    return ConsultationReport(
        consultation=ConsultationPublic.model_validate(consultation, from_attributes=True),
        suggestions=suggestions,
        participants=participants,
        viewers=viewers,
        participation_rate=round(participants / viewers, 4) if viewers else None,
        likes=int(likes),
        top=top_suggestions(session, consultation_id, n),
    )


def like(sessions: sessionmaker[Session], number: str, voter: str) -> tuple[str, int]:
    """One like per resident and suggestion; returns the suggestion's number and likes.

    Its own transaction: a second like shows only as the unique constraint failing at the insert, which
    must become a 409 answer rather than spoil the request's session.
    """
    try:
        with transaction(sessions) as session:
            suggestion = find_case(session, number, for_update=True)
            if not isinstance(suggestion, Suggestion):
                raise ApiError(404, "case_not_found", "未找到该建议，请核对编号")
            if suggestion.status in UNPUBLISHED:
                raise ApiError(409, "not_published", "这条建议尚未公开，暂时不能点赞")
            session.add(SuggestionLike(suggestion_id=suggestion.id, voter=voter))
            session.flush()
            suggestion.likes += 1
            audit.record(session, voter, audit.RESIDENT, "like", suggestion.number)
            if suggestion.consultation_id is not None:
                mark_viewed(session, suggestion.consultation_id, voter)
            return suggestion.number, suggestion.likes
    except IntegrityError:
        raise ApiError(409, "already_liked", "您已经为这条建议点过赞了") from None
