"""Department systems (docs/departments.md): administrators register a department's endpoint, rotate its
credential and retry dead deliveries; a department reports back on its cases with its credential; staff and the
action server look a property up across departments, the action server for a resident confirmed as its owner."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api import audit
from api.db import transaction
from api.department_lookup import DepartmentLookup, LookupTarget, Unavailable
from api.department_schemas import (
    CaseContact,
    DeliveryPage,
    DeliveryView,
    DepartmentReport,
    EndpointRegistration,
    EndpointSecrets,
    EndpointView,
    OwnerCheckRequest,
    OwnerCodeCheck,
    OwnerGrant,
    ReportReceipt,
)
from api.deps import (
    AdminDep,
    Offset,
    ResidentLimit,
    RowId,
    RuntimeDep,
    SessionDep,
    current_staff,
    is_service_call,
    named_resident,
)
from api.errors import ApiError
from api.models import utcnow
from api.resident_notices import tell_outcome
from api.runtime import Runtime
from api.security import Role
from api.services import department_reports, departments, property_access
from contract.property_lookup import CertificateError, OwnerCodeSent, PropertyLookup, normalize_certificate

router = APIRouter(tags=["departments"])

DepartmentName = Annotated[str, Path(min_length=1, max_length=64)]
CaseNumberPath = Annotated[str, Path(max_length=24)]
_bearer = HTTPBearer(auto_error=False)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


# ---- administrators -----------------------------------------------------------------------------------


@router.get("/api/staff/departments", response_model=list[EndpointView])
def list_endpoints(staff: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every registered department system, with its deliveries still to send and dead ones."""
    return departments.endpoint_views(session)


@router.put("/api/staff/departments/{department}", response_model=EndpointSecrets, response_model_exclude_none=True)
def register_endpoint(
    department: DepartmentName, body: EndpointRegistration, staff: AdminDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Register a department's system (its credential and signing secret are in this answer only), or change
    its URLs, lookup timeout or signing secret (the credential stays; rotate it with `.../credential`)."""
    endpoint, shown = departments.register(
        session, runtime.categories, department, body.model_dump(), staff.username, staff.role
    )
    return {**departments.endpoint_view(endpoint), **shown}


@router.post(
    "/api/staff/departments/{department}/credential", response_model=EndpointSecrets, response_model_exclude_none=True
)
def rotate_credential(department: DepartmentName, staff: AdminDep, session: SessionDep) -> dict[str, Any]:
    """A new credential for the department, shown this once; the old one stops working at once."""
    endpoint, credential = departments.rotate_credential(session, department, staff.username, staff.role)
    return {**departments.endpoint_view(endpoint), "credential": credential}


@router.get("/api/staff/department-deliveries/dead", response_model=DeliveryPage)
def dead_letters(
    staff: AdminDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Deliveries given up on after the last retry, newest first."""
    return departments.dead_letters(session, limit, offset)


@router.post("/api/staff/department-deliveries/{delivery_id}/retry", response_model=DeliveryView)
def retry_delivery(delivery_id: RowId, staff: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Send a dead delivery again: back in the queue, due now, with a fresh count of attempts."""
    return departments.retry(session, delivery_id, staff.username, staff.role, utcnow())


# ---- departments report back --------------------------------------------------------------------------


def department_of(runtime: RuntimeDep, credentials: Bearer) -> str:
    """The department whose credential the request carries (Authorization: Bearer dep_...)."""
    if credentials is None:
        raise ApiError(401, "not_authenticated", "缺少部门接口凭证（Authorization: Bearer ...）")
    with transaction(runtime.sessions) as session:
        department = departments.department_of(session, credentials.credentials)
    if department is None:
        raise ApiError(401, "invalid_credential", "部门接口凭证无效或已更换")
    return department


def _report(runtime: Runtime, department: str, number: str, body: DepartmentReport) -> department_reports.Reported:
    with transaction(runtime.sessions) as session:
        return department_reports.report(session, department, number, body.type, body.note, body.result)


@router.post("/api/departments/cases/{number}/reports", status_code=201, response_model=ReportReceipt)
async def report(
    request: Request,
    number: CaseNumberPath,
    body: DepartmentReport,
    department: Annotated[str, Depends(department_of)],
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """A department's report on one of its cases (404 for any other case): accepted, a progress note, or
    resolved with its result. The case's status follows, the report is audited, and the resident is told."""
    reported = await run_in_threadpool(_report, runtime, department, number, body)
    case = reported.case
    redo = body.type == "resolved" and case.SPEC.reopenable
    told = await tell_outcome(request.app, case.sender, case.channel, case.number, reported.notice, redo)
    notice = "stream" if told is None else "pushed" if told else "not_delivered"
    return {"number": case.number, "status": case.status, "status_text": case.status_text, "notice": notice}


def _contact(runtime: Runtime, department: str, number: str) -> CaseContact:
    with transaction(runtime.sessions) as session:
        case = department_reports.contact(session, department, number)
        return CaseContact(number=case.number, name=case.contact_name, phone=case.contact_phone)


@router.get("/api/departments/cases/{number}/contact", response_model=CaseContact)
async def case_contact(
    number: CaseNumberPath, department: Annotated[str, Depends(department_of)], runtime: RuntimeDep
) -> CaseContact:
    """The resident's name and phone on one of the department's open cases (404 for any other case, 409 once it
    is closed), for the handler who calls the resident back; every reading is audited."""
    return await run_in_threadpool(_contact, runtime, department, number)


# ---- lookups across departments -------------------------------------------------------------------------


def staff_or_service(request: Request, runtime: RuntimeDep, credentials: Bearer) -> tuple[str, str]:
    """(actor, role) of an agent or above (bearer token), or of the action server (X-Service-Token)."""
    if is_service_call(request, runtime):
        return "action_server", "service"
    staff = current_staff(runtime, credentials)
    if not staff.role.allows(Role.AGENT):
        raise ApiError(403, "forbidden", "您的账号没有此操作的权限")
    return staff.username, staff.role


def _targets(runtime: Runtime, certificate: str, actor: str, role: str, sender: str | None) -> list[LookupTarget]:
    """Where each source is looked up; the lookup itself is audited (whose records were asked for). The action
    server asks for a resident, who must have confirmed being an owner of the property (property_access)."""
    with transaction(runtime.sessions) as session:
        if role == "service":
            property_access.require_grant(session, runtime, sender, certificate, utcnow())
        audit.record(session, actor, role, "property_lookup", certificate, **({"sender": sender} if sender else {}))
        return property_access.lookup_targets(session, runtime)


def _canonical(certificate: str) -> str:
    try:
        return normalize_certificate(certificate)
    except CertificateError as exc:
        raise ApiError(422, "invalid_certificate", str(exc)) from None


CertificatePath = Annotated[str, Path(max_length=64)]


@router.get("/api/property/{certificate}", response_model=PropertyLookup)
async def property_lookup(
    request: Request,
    certificate: CertificatePath,
    caller: Annotated[tuple[str, str], Depends(staff_or_service)],
    runtime: RuntimeDep,
) -> PropertyLookup:
    """One property's land, tax and housing records (不动产权证号 "皖(2026)六安市不动产权第0012345号" or its 7-digit
    serial): what each department answered, or why its part is missing; never longer than the lookup budget.
    For the action server only with the named resident's owner grant (403 `owner_not_verified`, or
    `owner_verification_expired`); staff look any property up."""
    canonical = _canonical(certificate)
    sender = named_resident(request) if caller[1] == "service" else None
    targets = await run_in_threadpool(_targets, runtime, canonical, *caller, sender)
    lookup: DepartmentLookup = request.app.state.department_lookup
    return await lookup.property(canonical, targets)


def resident_of(request: Request, runtime: RuntimeDep) -> str:
    """The resident the action server asks for (X-Service-Token and X-Resident-Sender)."""
    if not is_service_call(request, runtime):
        raise ApiError(401, "invalid_service_token", "无权调用该接口")
    sender = named_resident(request)
    if not sender:
        raise ApiError(422, "sender_required", "缺少居民标识（X-Resident-Sender）")
    return sender


Resident = Annotated[str, Depends(resident_of)]


@router.post(
    "/api/property/{certificate}/owner-check",
    status_code=202,
    response_model=OwnerCodeSent,
    dependencies=[ResidentLimit],
)
async def owner_check(
    request: Request, certificate: CertificatePath, body: OwnerCheckRequest, sender: Resident, runtime: RuntimeDep
) -> OwnerCodeSent:
    """A resident names the owner's ID number: when the land registry has it as an owner's, a code is texted to the
    phone on record (202, its last 4 digits); otherwise 403 `not_owner`, saying nothing of the owner. 429
    `too_many_owner_checks` after too many refused ID numbers for the resident or the certificate; 503
    `owner_check_unavailable` when the land registry cannot answer."""
    canonical = _canonical(certificate)
    await run_in_threadpool(property_access.refuse_when_locked, runtime, sender, canonical)
    target = await run_in_threadpool(property_access.land_target, runtime)
    lookup: DepartmentLookup = request.app.state.department_lookup
    try:
        check = await lookup.owner(target, canonical, body.id_number)
    except Unavailable:
        raise property_access.unavailable() from None
    return await run_in_threadpool(
        property_access.after_owner_check, runtime, sender, canonical, body.id_number, check, utcnow()
    )


@router.get("/api/property/{certificate}/owner-check", response_model=OwnerGrant, dependencies=[ResidentLimit])
async def owner_grant(certificate: CertificatePath, sender: Resident, runtime: RuntimeDep) -> OwnerGrant:
    """The resident's grant for this property while it lasts: having confirmed being its owner a few minutes ago,
    they look it up again without a new ID check and code. 403 `owner_not_verified` without one,
    `owner_verification_expired` once it has run out."""
    canonical = _canonical(certificate)
    until = await run_in_threadpool(property_access.current_grant, runtime, sender, canonical, utcnow())
    return OwnerGrant(granted_until=until)


@router.post("/api/property/{certificate}/owner-check/verify", response_model=OwnerGrant, dependencies=[ResidentLimit])
async def owner_code(
    certificate: CertificatePath, body: OwnerCodeCheck, sender: Resident, runtime: RuntimeDep
) -> OwnerGrant:
    """The code texted to the owner's phone: the resident may look the property up until `granted_until`. A wrong
    code is 400 `wrong_code` with `attempts_left`; an expired one (or none sent) 400 `code_expired`; 429
    `too_many_attempts`."""
    canonical = _canonical(certificate)
    until = await run_in_threadpool(property_access.confirm_owner_code, runtime, sender, canonical, body.code, utcnow())
    return OwnerGrant(granted_until=until)
