"""Resident endpoints: file applications, complaints, evaluations, commendations; look up a case's status;
case kinds."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import audit
from api.case_views import kind_view, public_status, receipt, resident_text
from api.cases import find_case
from api.db import transaction
from api.deps import ResidentLimit, RuntimeDep, ServiceTokenDep, SessionDep
from api.errors import ApiError
from api.handoff import AGENTS_TOPIC, HandoffHub
from api.models import Case, Evaluation, Service, utcnow
from api.runtime import Runtime
from api.schemas import (
    ApplicationCreate,
    CaseCaller,
    CaseFollowUp,
    CaseKindPublic,
    CaseSupplement,
    CommendationCreate,
    CommendationCreated,
    ComplaintCreate,
    EvaluationCreate,
    ServicePublic,
)
from api.senders import CHANNEL_REFUSED, ResidentCallerDep
from api.services.commendations import commend
from api.services.filing import file_application, file_complaint
from api.services.reopening import reopen
from api.services.supervision import FollowUp
from api.services.supplements import supplement
from api.services.urges import urge
from contract.case_kinds import CASE_KINDS
from contract.receipts import CaseReceipt, CaseStatus, OwnCase, ReopenReceipt, SupplementReceipt, UrgeReceipt

router = APIRouter(prefix="/api", tags=["residents"], dependencies=[ResidentLimit])


@router.get("/services", response_model=list[ServicePublic])
def list_services(session: SessionDep) -> list[Service]:
    return list(session.scalars(select(Service).order_by(Service.department, Service.name)))


@router.get("/case-kinds", response_model=list[CaseKindPublic])
def case_kinds() -> list[CaseKindPublic]:
    """Every case kind with its statuses as residents read them (contract/case_kinds.py)."""
    return [kind_view(spec) for spec in CASE_KINDS.values()]


@router.post("/applications", status_code=201, response_model=CaseReceipt, responses=CHANNEL_REFUSED)
def create_application(
    body: ApplicationCreate, caller: ResidentCallerDep, runtime: RuntimeDep, session: SessionDep
) -> CaseReceipt:
    return receipt(file_application(session, runtime, caller.body(body)))


@router.post(
    "/complaints",
    status_code=201,
    response_model=CaseReceipt,
    responses={
        200: {"model": CaseReceipt, "description": "已受理：同一 sender 刚提交过相同内容，返回原编号"},
        **CHANNEL_REFUSED,
    },
)
def create_complaint(
    body: ComplaintCreate, caller: ResidentCallerDep, runtime: RuntimeDep, session: SessionDep, response: Response
) -> CaseReceipt:
    """201 and a new case; 200 and the existing case's receipt when the same sender filed the same text
    (whitespace collapsed) within FILING_DEDUPE_MINUTES (a retry or a double click)."""
    filed = file_complaint(session, runtime, caller.body(body))
    if not filed.created:
        response.status_code = 200
    return receipt(filed.complaint, earlier=filed.earlier)


@router.post(
    "/evaluations",
    status_code=201,
    responses={
        404: {"description": "该编号不是这位 sender 办理的事项（或不存在：两者答复相同）"},
        409: {"description": "这位 sender 已评价过该事项"},
    },
)
def create_evaluation(body: EvaluationCreate, caller: ResidentCallerDep, session: SessionDep) -> dict[str, object]:
    """A rating of a service, or of a case by the resident who filed it (its `sender`), once per case."""
    body = caller.body(body)
    service = body.service
    if body.case_number:
        case = _own_case(session, body.case_number, body.sender)
        rated = select(Evaluation.id).where(Evaluation.case_number == case.number, Evaluation.sender == body.sender)
        if session.scalars(rated).first() is not None:
            raise ApiError(409, "already_evaluated", "您已评价过这件事项，感谢您的反馈")
        service = service or case.service
    evaluation = Evaluation(
        case_number=body.case_number, service=service, stars=body.stars, comment=body.comment, sender=body.sender
    )
    session.add(evaluation)
    session.flush()
    audit.record(session, body.sender or audit.RESIDENT, audit.RESIDENT, "evaluate", body.case_number, stars=body.stars)
    return {"id": evaluation.id, "stars": evaluation.stars, "service": service, "case_number": body.case_number}


def _not_yours() -> ApiError:
    return ApiError(404, "case_not_found", "没有找到您办理的这件事项，请核对编号")


def _filed_by(session: Session, number: str, sender: str | None) -> Case | None:
    """The case if `sender` filed it, else None (an unknown number alike)."""
    try:
        case = find_case(session, number)
    except ApiError:
        return None
    return case if sender and case.sender == sender else None


def _own_case(session: Session, number: str, sender: str | None) -> Case:
    """The case if `sender` filed it; one answer for an unknown number and another's case, so that ratings
    cannot probe which numbers exist."""
    case = _filed_by(session, number, sender)
    if case is None:
        raise _not_yours()
    return case


@router.post("/commendations", status_code=201, response_model=CommendationCreated, responses=CHANNEL_REFUSED)
def create_commendation(
    body: CommendationCreate, caller: ResidentCallerDep, session: SessionDep
) -> CommendationCreated:
    """Praise (表扬): stored for the department, never filed as a complaint."""
    commendation = commend(session, caller.body(body))
    return CommendationCreated(id=commendation.id, department=commendation.department)


OWN_CASES = 5
OWN_CASES_DAYS = 180
OWN_CASE_TEXT_CHARS = 24


@router.get("/cases", response_model=list[OwnCase], dependencies=[ServiceTokenDep])
def own_cases(
    runtime: RuntimeDep, session: SessionDep, sender: Annotated[str, Query(min_length=1, max_length=128)]
) -> list[OwnCase]:
    """For the assistant: the sender's own cases of the last 180 days, newest first (at most 5), so that a
    resident asking about "我的投诉" can pick it instead of looking for its number. Only numbers, kinds, dates and
    the start of the masked text: the status itself is still shown only for the phone's last 4 digits."""
    since = utcnow() - timedelta(days=OWN_CASES_DAYS)
    cases = session.scalars(
        select(Case)
        .where(Case.sender == sender, Case.created_at >= since)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(OWN_CASES)
    )
    return [
        OwnCase(
            number=case.number,
            kind_text=case.SPEC.name,
            filed_on=case.created_at.astimezone(runtime.calendar.tz).date().isoformat(),
            text=(resident_text(case) or case.service or "")[:OWN_CASE_TEXT_CHARS],
        )
        for case in cases
    ]


StatusNumber = Annotated[str, Path(max_length=24)]


def _case_by_phone(runtime: Runtime, session: Session, number: str, phone_last4: str) -> Case:
    """The case for whoever knows its number and phone ending (or query code). After STATUS_MAX_FAILURES wrong
    tries a number answers 429 for STATUS_LOCKOUT_MINUTES: 10⁴ endings cannot be walked through. Unknown numbers
    count the same, so the lockout tells nothing about which exist."""
    settings = runtime.settings
    attempts = f"status:{number.strip().upper()}"
    if runtime.limiter.failures(attempts) >= settings.status_max_failures:
        raise ApiError(
            429,
            "status_locked",
            f"该编号查询错误次数过多，请{settings.status_lockout_minutes}分钟后再试，或拨打12345热线查询",
        )
    not_found = ApiError(404, "case_not_found", "编号与手机号后四位（或查询码）不匹配，请核对后重试")
    try:
        case = find_case(session, number)
    except ApiError:
        case = None
    # Same answer for a wrong number and a wrong phone, so numbers cannot be probed. A case filed without a
    # phone holds its query code here (api/services/filing.py).
    if case is None or not case.phone_last4 or not hmac.compare_digest(case.phone_last4, phone_last4):
        runtime.limiter.fail(attempts, settings.status_lockout_minutes * 60)
        raise not_found
    return case


@router.get("/status/{number}", response_model=CaseStatus)
def case_status(
    runtime: RuntimeDep,
    session: SessionDep,
    number: StatusNumber,
    phone_last4: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> CaseStatus:
    """A case's status for whoever knows its number and phone ending (or query code), within the lockout."""
    return public_status(_case_by_phone(runtime, session, number, phone_last4))


def _residents_case(runtime: Runtime, session: Session, number: str, body: CaseCaller) -> Case:
    """The case for the sender who filed it, or for whoever gives its phone ending (within the lockout), locked:
    two follow-ups at once are one after the other."""
    if (own := _filed_by(session, number, body.sender)) is not None:
        case = own
    elif body.phone_last4:
        case = _case_by_phone(runtime, session, number, body.phone_last4)
    else:
        raise _not_yours()
    session.refresh(case, with_for_update=True)
    return case


def _follow_up(
    runtime: Runtime, number: str, body: CaseCaller, act: Callable[[Session, Case, str], FollowUp]
) -> tuple[dict[str, Any], FollowUp]:
    """Record a resident's follow-up on their case; the receipt's fields every follow-up has, and what came of it."""
    with transaction(runtime.sessions) as session:
        case = _residents_case(runtime, session, number, body)
        done = act(session, case, body.sender or audit.RESIDENT)
        return {
            "number": case.number,
            "kind_text": case.SPEC.name,
            "status_text": case.status_text,
            "new": done.event is not None,
            "department": case.department,
            "deadline": case.deadline.isoformat() if case.deadline else None,
        }, done


# What a follow-up on a case (催办, 重办) answers a caller who may not follow it up.
_NOT_THEIRS: dict[int | str, dict[str, Any]] = {
    404: {"description": "`case_not_found`：不是这位 sender 办理的事项，手机号后四位也不匹配（或编号不存在）"},
    429: {"description": "`status_locked`：该编号手机号后四位错误次数过多"},
}


async def _followed_up(
    request: Request,
    response: Response,
    runtime: Runtime,
    number: str,
    body: CaseCaller,
    act: Callable[[Session, Case, str], FollowUp],
) -> tuple[dict[str, Any], str]:
    """Record the follow-up (`_follow_up`): a new one (201) goes to the consoles, a repeat answers 200 and recorded
    nothing. The receipt's common fields, and when the follow-up that stands was recorded (ISO)."""
    fields, done = await run_in_threadpool(_follow_up, runtime, number, body, act)
    if done.event is None:
        response.status_code = 200
    else:
        hub: HandoffHub = request.app.state.handoff
        await hub.bus.publish(AGENTS_TOPIC, done.event)
    return fields, done.at.isoformat()


@router.post(
    "/cases/{number}/urges",
    status_code=201,
    response_model=UrgeReceipt,
    responses={
        200: {"model": UrgeReceipt, "description": "一天内已催办过：那次催办仍有效，未重复记录（`new` 为 false）"},
        **_NOT_THEIRS,
        409: {"description": "`case_closed`：事项已办结或已关闭，无需催办"},
    },
)
async def urge_case(
    request: Request,
    number: StatusNumber,
    body: CaseFollowUp,
    caller: ResidentCallerDep,
    runtime: RuntimeDep,
    response: Response,
) -> UrgeReceipt:
    """催办: a resident asks for an open case to be dealt with sooner. Allowed to the sender who filed it, or to whoever
    knows its phone ending (as for the status, within the same lockout). Recorded as a 群众催办 supervision event
    with the resident's words and pushed to the consoles; at most one a day per case."""
    body = caller.body(body)

    def act(session: Session, case: Case, actor: str) -> FollowUp:
        return urge(session, case, body.note, actor, utcnow())

    fields, at = await _followed_up(request, response, runtime, number, body, act)
    return UrgeReceipt(**fields, urged_at=at)


@router.post(
    "/cases/{number}/reopen",
    status_code=201,
    response_model=ReopenReceipt,
    responses={
        200: {"model": ReopenReceipt, "description": "已按不满意重办退回（重试）：未重复记录（`new` 为 false）"},
        **_NOT_THEIRS,
        409: {
            "description": "`case_open`：仍在办理中（可催办）；`already_reopened`：已重办过一次；"
            "`reopen_expired`：办结已超过30天；`not_reopenable`：该类事项不适用重办"
        },
    },
)
async def reopen_case(
    request: Request,
    number: StatusNumber,
    body: CaseFollowUp,
    caller: ResidentCallerDep,
    runtime: RuntimeDep,
    response: Response,
) -> ReopenReceipt:
    """不满意重办: the resident who filed a resolved complaint or hotline ticket (or whoever knows its phone ending)
    is not satisfied with the resolution: the case goes back to be done again with a new deadline and the resident's
    words as a 不满意重办 supervision event pushed to the consoles. Once per case, within 30 days of its resolution."""
    body = caller.body(body)

    def act(session: Session, case: Case, actor: str) -> FollowUp:
        return reopen(session, case, body.note, actor, runtime.settings, runtime.calendar, utcnow())

    fields, at = await _followed_up(request, response, runtime, number, body, act)
    return ReopenReceipt(**fields, reopened_at=at)


@router.post(
    "/cases/{number}/supplements",
    status_code=201,
    response_model=SupplementReceipt,
    responses={
        200: {
            "model": SupplementReceipt,
            "description": "同样的补充内容已记录过（重试）：未重复记录（`new` 为 false）",
        },
        **_NOT_THEIRS,
        409: {"description": "`case_closed`：事项已办结或已关闭；`too_many_supplements`：补充次数已达上限"},
    },
)
async def supplement_case(
    request: Request,
    number: StatusNumber,
    body: CaseSupplement,
    caller: ResidentCallerDep,
    runtime: RuntimeDep,
    response: Response,
) -> SupplementReceipt:
    """补充说明: the resident who filed an open case (or whoever knows its phone ending) adds to or corrects what it
    says. The description stays as filed; the supplement is a 群众补充说明 supervision event with their words, pushed
    to the consoles of whoever may see the case."""
    body = caller.body(body)

    def act(session: Session, case: Case, actor: str) -> FollowUp:
        return supplement(session, case, body.supplement, actor, utcnow())

    fields, at = await _followed_up(request, response, runtime, number, body, act)
    return SupplementReceipt(**fields, supplemented_at=at)
