"""意见征集: open consultations, residents' suggestions, likes, top-N and the participation report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import distinct, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.cases import file_case, find_case
from api.db import transaction
from api.deps import ResidentLimit, RuntimeDep
from api.errors import ApiError
from api.models import Consultation, ConsultationView, Suggestion, SuggestionLike
from api.schemas import (
    CaseCreated,
    ConsultationPublic,
    ConsultationReport,
    LikeCreate,
    Sender,
    SuggestionCreate,
    SuggestionPublic,
)

router = APIRouter(prefix="/api", tags=["consultations"], dependencies=[ResidentLimit])


def _consultation(session: Session, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise ApiError(404, "consultation_not_found", "没有找到该意见征集活动")
    return consultation


def _mark_viewed(session: Session, consultation_id: int, sender: str) -> None:
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
        .where(Suggestion.consultation_id == consultation_id)
        .order_by(Suggestion.likes.desc(), Suggestion.created_at)
        .limit(n)
    )
    return [SuggestionPublic(number=s.number, content=s.content, likes=s.likes) for s in rows]


@router.get("/consultations", response_model=list[ConsultationPublic])
def list_consultations(runtime: RuntimeDep) -> list[Consultation]:
    with transaction(runtime.sessions) as session:
        query = select(Consultation).order_by(Consultation.status.desc(), Consultation.created_at.desc())
        return list(session.scalars(query))


@router.get("/consultations/{consultation_id}", response_model=ConsultationPublic)
def open_consultation(
    consultation_id: int, runtime: RuntimeDep, sender: Annotated[Sender | None, Query()] = None
) -> Consultation:
    """Residents who open a consultation are counted once: the base of the participation rate."""
    with transaction(runtime.sessions) as session:
        consultation = _consultation(session, consultation_id)
        if sender:
            _mark_viewed(session, consultation_id, sender)
        return consultation


@router.post("/suggestions", status_code=201, response_model=CaseCreated)
def create_suggestion(body: SuggestionCreate, runtime: RuntimeDep) -> CaseCreated:
    with transaction(runtime.sessions) as session:
        department = None
        if body.consultation_id is not None:
            consultation = _consultation(session, body.consultation_id)
            if consultation.status != "open":
                raise ApiError(409, "consultation_closed", "该意见征集已结束，欢迎关注其他征集活动")
            department = consultation.department
        elif not body.topic:
            raise ApiError(422, "topic_required", "请选择一个意见征集活动，或写明建议的主题")
        suggestion = Suggestion(
            consultation_id=body.consultation_id,
            topic=body.topic,
            content=body.content,
            department=department,
            contact_phone=body.phone,
            sender=body.sender,
            channel=body.channel,
            likes=0,
        )
        file_case(session, suggestion, runtime.settings, runtime.calendar, actor=body.sender)
        if body.consultation_id is not None:
            # Writing a suggestion means having seen the consultation, even through a chat shortcut.
            _mark_viewed(session, body.consultation_id, body.sender)
        return CaseCreated.of(suggestion)


@router.post("/suggestions/{number}/likes")
def like_suggestion(number: str, body: LikeCreate, runtime: RuntimeDep) -> dict[str, object]:
    try:
        with transaction(runtime.sessions) as session:
            suggestion = find_case(session, number, for_update=True)
            if not isinstance(suggestion, Suggestion):
                raise ApiError(404, "case_not_found", "未找到该建议，请核对编号")
            session.add(SuggestionLike(suggestion_id=suggestion.id, voter=body.sender))
            session.flush()
            suggestion.likes += 1
            audit.record(session, body.sender, audit.RESIDENT, "like", suggestion.number)
            if suggestion.consultation_id is not None:
                _mark_viewed(session, suggestion.consultation_id, body.sender)
            return {"number": suggestion.number, "likes": suggestion.likes}
    except IntegrityError:
        raise ApiError(409, "already_liked", "您已经为这条建议点过赞了") from None


@router.get("/consultations/{consultation_id}/suggestions/top", response_model=list[SuggestionPublic])
def top(consultation_id: int, runtime: RuntimeDep, n: Annotated[int, Query(ge=1, le=50)] = 5) -> list[SuggestionPublic]:
    with transaction(runtime.sessions) as session:
        _consultation(session, consultation_id)
        return top_suggestions(session, consultation_id, n)


@router.get("/consultations/{consultation_id}/report", response_model=ConsultationReport)
def report(consultation_id: int, runtime: RuntimeDep, n: Annotated[int, Query(ge=1, le=50)] = 10) -> ConsultationReport:
    with transaction(runtime.sessions) as session:
        consultation = _consultation(session, consultation_id)
        in_consultation = Suggestion.consultation_id == consultation_id
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
