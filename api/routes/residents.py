"""Resident endpoints: file applications, complaints, evaluations, commendations; look up a case's status;
case kinds."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from api import audit
from api.case_views import kind_view, public_status, receipt
from api.cases import find_case
from api.deps import ResidentLimit, RuntimeDep, SessionDep
from api.errors import ApiError
from api.models import Evaluation, Service
from api.schemas import (
    ApplicationCreate,
    CaseKindPublic,
    CommendationCreate,
    CommendationCreated,
    ComplaintCreate,
    EvaluationCreate,
    ServicePublic,
)
from api.services.commendations import commend
from api.services.filing import file_application, file_complaint
from contract.case_kinds import CASE_KINDS
from contract.receipts import CaseReceipt, CaseStatus

router = APIRouter(prefix="/api", tags=["residents"], dependencies=[ResidentLimit])


@router.get("/services", response_model=list[ServicePublic])
def list_services(session: SessionDep) -> list[Service]:
    return list(session.scalars(select(Service).order_by(Service.department, Service.name)))


@router.get("/case-kinds", response_model=list[CaseKindPublic])
def case_kinds() -> list[CaseKindPublic]:
    """Every case kind with its statuses as residents read them (contract/case_kinds.py)."""
    return [kind_view(spec) for spec in CASE_KINDS.values()]


@router.post("/applications", status_code=201, response_model=CaseReceipt)
def create_application(body: ApplicationCreate, runtime: RuntimeDep, session: SessionDep) -> CaseReceipt:
    return receipt(file_application(session, runtime, body))


@router.post(
    "/complaints",
    status_code=201,
    response_model=CaseReceipt,
    responses={200: {"model": CaseReceipt, "description": "已受理：同一 sender 刚提交过相同内容，返回原编号"}},
)
def create_complaint(
    body: ComplaintCreate, runtime: RuntimeDep, session: SessionDep, response: Response
) -> CaseReceipt:
    """201 and a new case; 200 and the existing case's receipt when the same sender filed the same text
    (whitespace collapsed) within FILING_DEDUPE_MINUTES (a retry or a double click)."""
    complaint, created = file_complaint(session, runtime, body)
    if not created:
        response.status_code = 200
    return receipt(complaint)


@router.post("/evaluations", status_code=201)
def create_evaluation(body: EvaluationCreate, session: SessionDep) -> dict[str, object]:
    service = body.service
    if body.case_number:
        case = find_case(session, body.case_number)
        service = service or case.service
    evaluation = Evaluation(
        case_number=body.case_number, service=service, stars=body.stars, comment=body.comment, sender=body.sender
    )
    session.add(evaluation)
    session.flush()
    audit.record(session, body.sender or audit.RESIDENT, audit.RESIDENT, "evaluate", body.case_number, stars=body.stars)
    return {"id": evaluation.id, "stars": evaluation.stars, "service": service, "case_number": body.case_number}


@router.post("/commendations", status_code=201, response_model=CommendationCreated)
def create_commendation(body: CommendationCreate, session: SessionDep) -> CommendationCreated:
    """Praise (表扬): stored for the department, never filed as a complaint."""
    commendation = commend(session, body)
    return CommendationCreated(id=commendation.id, department=commendation.department)


@router.get("/status/{number}", response_model=CaseStatus)
def case_status(
    session: SessionDep,
    number: Annotated[str, Path(max_length=24)],
    phone_last4: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> CaseStatus:
    not_found = ApiError(404, "case_not_found", "编号与手机号后四位（或查询码）不匹配，请核对后重试")
    try:
        case = find_case(session, number)
    except ApiError:
        raise not_found from None
    # Same answer for a wrong number and a wrong phone, so numbers cannot be probed. A case filed without a
    # phone holds its query code here (api/services/filing.py).
    if not case.phone_last4 or not hmac.compare_digest(case.phone_last4, phone_last4):
        raise not_found
    return public_status(case)
