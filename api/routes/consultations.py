"""意见征集: open consultations, residents' suggestions, likes, top-N and the participation report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.case_views import receipt
from api.deps import ResidentLimit, RowId, RuntimeDep, SessionDep
from api.models import Consultation
from api.schemas import (
    ConsultationPublic,
    ConsultationReport,
    LikeCreate,
    Sender,
    SuggestionCreate,
    SuggestionPublic,
)
from api.senders import CHANNEL_REFUSED, ResidentCallerDep
from api.services.consultations import consultation_report, find_consultation, like, mark_viewed, top_suggestions
from api.services.filing import file_suggestion
from contract.receipts import CaseReceipt

router = APIRouter(prefix="/api", tags=["consultations"], dependencies=[ResidentLimit])


@router.get("/consultations", response_model=list[ConsultationPublic])
def list_consultations(session: SessionDep) -> list[Consultation]:
    query = select(Consultation).order_by(Consultation.status.desc(), Consultation.created_at.desc())
    return list(session.scalars(query))


@router.get("/consultations/{consultation_id}", response_model=ConsultationPublic)
def open_consultation(
    consultation_id: RowId,
    caller: ResidentCallerDep,
    session: SessionDep,
    sender: Annotated[Sender | None, Query()] = None,
) -> Consultation:
    """Residents who open a consultation are counted once: the base of the participation rate."""
    consultation = find_consultation(session, consultation_id)
    viewer = caller.sender(sender)
    if viewer:
        mark_viewed(session, consultation_id, viewer)
    return consultation


@router.post("/suggestions", status_code=201, response_model=CaseReceipt, responses=CHANNEL_REFUSED)
def create_suggestion(
    body: SuggestionCreate, caller: ResidentCallerDep, runtime: RuntimeDep, session: SessionDep
) -> CaseReceipt:
    return receipt(file_suggestion(session, runtime, caller.body(body)))


@router.post("/suggestions/{number}/likes")
def like_suggestion(number: str, body: LikeCreate, caller: ResidentCallerDep, runtime: RuntimeDep) -> dict[str, object]:
    number, likes = like(runtime.sessions, number, caller.body(body).sender)
    return {"number": number, "likes": likes}


@router.get("/consultations/{consultation_id}/suggestions/top", response_model=list[SuggestionPublic])
def top(
    consultation_id: RowId, session: SessionDep, n: Annotated[int, Query(ge=1, le=50)] = 5
) -> list[SuggestionPublic]:
    find_consultation(session, consultation_id)
    return top_suggestions(session, consultation_id, n)


@router.get("/consultations/{consultation_id}/report", response_model=ConsultationReport)
def report(
    consultation_id: RowId, session: SessionDep, n: Annotated[int, Query(ge=1, le=50)] = 10
) -> ConsultationReport:
    return consultation_report(session, consultation_id, n)
