"""Resident endpoints: file applications, complaints, evaluations; look up a case's status."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from api import audit
from api.cases import STATUS_TEXT, file_case, find_case
from api.db import transaction
from api.deps import ResidentLimit, RuntimeDep
from api.errors import ApiError
from api.models import Application, Complaint, Evaluation, Service, utcnow
from api.schemas import (
    ApplicationCreate,
    CaseCreated,
    CaseStatusPublic,
    ComplaintCreate,
    EvaluationCreate,
    ServicePublic,
)

router = APIRouter(prefix="/api", tags=["residents"], dependencies=[ResidentLimit])


@router.get("/services", response_model=list[ServicePublic])
def list_services(runtime: RuntimeDep) -> list[Service]:
    with transaction(runtime.sessions) as session:
        return list(session.scalars(select(Service).order_by(Service.department, Service.name)))


@router.post("/applications", status_code=201, response_model=CaseCreated)
def create_application(body: ApplicationCreate, runtime: RuntimeDep) -> CaseCreated:
    with transaction(runtime.sessions) as session:
        service = session.get(Service, body.service)
        if service is None:
            raise ApiError(422, "unknown_service", f"没有找到“{body.service}”这项服务，请核对事项名称")
        if not service.online:
            raise ApiError(
                422,
                "not_online",
                f"“{service.name}”暂不支持在线申请，请携带材料到{service.place}现场办理",
                place=service.place,
            )
        now = utcnow()
        today = now.astimezone(runtime.calendar.tz).date()
        application = Application(
            service=service.name,
            department=service.department,
            category=service.category,
            contact_name=body.applicant_name,
            contact_phone=body.phone,
            id_number=body.id_number,
            address=body.address,
            notes=body.notes,
            sender=body.sender,
            channel=body.channel,
            expected_completion=runtime.calendar.add_workdays(today, service.process_days),
        )
        file_case(session, application, runtime.settings, runtime.calendar, now=now)
        return CaseCreated.of(application)


@router.post("/complaints", status_code=201, response_model=CaseCreated)
def create_complaint(body: ComplaintCreate, runtime: RuntimeDep) -> CaseCreated:
    with transaction(runtime.sessions) as session:
        complaint = Complaint(
            description=body.description,
            service=body.service,
            department=body.department,
            contact_phone=body.phone,
            contact_name=body.name,
            sender=body.sender,
            channel=body.channel,
        )
        file_case(session, complaint, runtime.settings, runtime.calendar)
        return CaseCreated.of(complaint)


@router.post("/evaluations", status_code=201)
def create_evaluation(body: EvaluationCreate, runtime: RuntimeDep) -> dict[str, object]:
    with transaction(runtime.sessions) as session:
        service = body.service
        if body.case_number:
            case = find_case(session, body.case_number)
            service = service or case.service
        evaluation = Evaluation(
            case_number=body.case_number, service=service, stars=body.stars, comment=body.comment, sender=body.sender
        )
        session.add(evaluation)
        session.flush()
        audit.record(
            session, body.sender or audit.RESIDENT, audit.RESIDENT, "evaluate", body.case_number, stars=body.stars
        )
        return {"id": evaluation.id, "stars": evaluation.stars, "service": service, "case_number": body.case_number}


@router.get("/status/{number}", response_model=CaseStatusPublic)
def case_status(
    runtime: RuntimeDep,
    number: Annotated[str, Path(max_length=24)],
    phone_last4: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> CaseStatusPublic:
    not_found = ApiError(404, "case_not_found", "编号或手机号后四位不匹配，请核对后重试")
    with transaction(runtime.sessions) as session:
        try:
            case = find_case(session, number)
        except ApiError:
            raise not_found from None
        # Same answer for a wrong number and a wrong phone, so numbers cannot be probed.
        if not case.phone_last4 or not hmac.compare_digest(case.phone_last4, phone_last4):
            raise not_found
        deadline: datetime | None = case.deadline
        return CaseStatusPublic(
            number=case.number,
            kind=case.kind,
            status=case.status,
            status_text=STATUS_TEXT.get(case.status, case.status),
            deadline=deadline,
            department=case.department,
            expected_completion=getattr(case, "expected_completion", None),
            updated_at=case.updated_at,
        )
