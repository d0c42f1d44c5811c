"""Staff endpoints (agents, supervisors, admins): case lists, details, status, assignment, statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response

from api import audit, case_access, replies
from api.case_views import receipt, staff_view
from api.cases import change_status
from api.catalogue import sync_catalogue
from api.deps import AdminDep, AgentDep, Offset, RowId, RuntimeDep, SessionDep, SupervisorDep
from api.errors import ApiError
from api.models import CASE_KINDS, Application, Consultation, utcnow
from api.resident_notices import tell_outcome
from api.schemas import (
    Assignment,
    AuditEntryPublic,
    CaseList,
    CommendationList,
    ConsultationCreate,
    ConsultationPublic,
    KnowledgeReloaded,
    StaffCaseView,
    StaffCreate,
    StaffMe,
    StaffStats,
    StatusChange,
    TicketCreate,
    TriageList,
    UserCreated,
)
from api.security import Role
from api.services import commendations, moderation
from api.services import staff as staff_service
from api.services.consultations import find_consultation
from api.services.filing import file_ticket
from api.services.supervision import history
from contract.personal_data import mask_text
from contract.receipts import CaseReceipt
from knowledge.schema import KnowledgeFormatError

router = APIRouter(prefix="/api/staff", tags=["staff"])

KindQuery = Annotated[str | None, Query(pattern="^(" + "|".join(CASE_KINDS) + ")$")]


@router.get("/me", response_model=StaffMe)
def me(staff: AgentDep) -> StaffMe:
    return StaffMe(
        username=staff.username, role=staff.role.value, display_name=staff.display_name, department=staff.department
    )


@router.get("/cases", response_model=CaseList)
def list_cases(
    staff: AgentDep,
    runtime: RuntimeDep,
    session: SessionDep,
    kind: KindQuery = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    assigned_to: Annotated[str | None, Query(max_length=64)] = None,
    card: Annotated[str | None, Query(pattern="^(yellow|red)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> CaseList:
    """Newest first, the cases the staff member may see (api/case_access.py); `card` keeps only open cases near
    (yellow) or past (red) their deadline."""
    wanted = staff_service.CaseFilter(kind, status, department, assigned_to, card)
    page = staff_service.list_cases(session, runtime.calendar, wanted, limit, offset, case_access.visible(staff))
    audit.record(session, staff.username, staff.role, "list", None, kind=kind, status=status, count=len(page.items))
    return page


@router.get("/cases/{number}", response_model=StaffCaseView, response_model_exclude_unset=True)
def read_case(
    number: str, staff: AgentDep, runtime: RuntimeDep, session: SessionDep, reveal: bool = False
) -> dict[str, Any]:
    """Personal data is masked; supervisors may reveal it, and every read is audited. `supervision` is the
    case's 督办 history (cards, notes, deadline extensions), oldest first."""
    if reveal and not staff.role.allows(Role.SUPERVISOR):
        raise ApiError(403, "forbidden", "查看完整个人信息需要主管及以上权限")
    action = "read_pii" if reveal else "read"
    case = case_access.find_case_for(session, staff, number, action)
    audit.record(session, staff.username, staff.role, action, case.number)
    return {**staff_view(case, runtime.calendar, utcnow(), reveal=reveal), "supervision": history(session, case)}


@router.post("/cases/{number}/status", response_model=StaffCaseView, response_model_exclude_unset=True)
def set_status(
    number: str,
    body: StatusChange,
    staff: AgentDep,
    runtime: RuntimeDep,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
) -> dict[str, Any]:
    case = case_access.find_case_for(session, staff, number, "status", for_update=True)
    if case.status == moderation.PENDING:  # decided only through the review, which keeps note and reviewer
        raise ApiError(409, "under_review", "这条建议正在审核，请在“待审核建议”中处理")
    change_status(session, case, body.status, staff.username, staff.role, body.note)
    if isinstance(case, Application) and case.status == "rejected":
        case.decision_note = mask_text(body.note or "")
    if case.is_closed and case.sender:
        # Told once the change has committed (after the response); a resolution as after a department's report,
        # with 回访 where the kind can be redone.
        spec, department = case.SPEC, case.department or replies.HOTLINE
        if case.status == spec.report_statuses.get("resolved"):
            text = replies.department_report(spec.name, case.number, department, "resolved", body.note, spec.reopenable)
        else:
            text = replies.case_decided(spec.name, case.number, department, spec.status_text(case.status), body.note)
        background.add_task(tell_outcome, request.app, case.sender, case.channel, case.number, text, spec.reopenable)
    return staff_view(case, runtime.calendar, utcnow())


@router.post("/cases/{number}/assign", response_model=StaffCaseView, response_model_exclude_unset=True)
def assign(number: str, body: Assignment, staff: AgentDep, runtime: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    """An agent of a department may hand its case to another department, not take one (api/case_access.py)."""
    case = staff_service.assign(session, number, body, staff, runtime.categories)
    return staff_view(case, runtime.calendar, utcnow())


@router.get("/triage", response_model=TriageList)
def triage_queue(
    staff: AgentDep,
    runtime: RuntimeDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> TriageList:
    """待分拨: open complaints and tickets without a department, oldest first, with the router's suggested
    category and its best alternatives. `POST /cases/{number}/assign` (or the ticket dispatch) ends it."""
    threshold = runtime.settings.routing_confidence_threshold
    page = staff_service.triage(session, runtime.calendar, threshold, limit, offset, case_access.visible(staff))
    audit.record(session, staff.username, staff.role, "list", None, kind="triage", count=len(page.items))
    return page


@router.post("/tickets", status_code=201, response_model=CaseReceipt)
def create_ticket(
    body: TicketCreate, staff: AgentDep, runtime: RuntimeDep, session: SessionDep, response: Response
) -> CaseReceipt:
    """A ticket taken on the phone by an agent (200 and the same ticket when it repeats one of the same
    sender's, as POST /api/tickets)."""
    ticket, created = file_ticket(session, runtime, body, origin="agent", actor=staff.username, role=staff.role)
    if not created:
        response.status_code = 200
    return receipt(ticket)


@router.post("/consultations", status_code=201, response_model=ConsultationPublic)
def open_consultation(body: ConsultationCreate, staff: SupervisorDep, session: SessionDep) -> Consultation:
    consultation = Consultation(**body.model_dump(), status="open")
    session.add(consultation)
    session.flush()
    audit.record(session, staff.username, staff.role, "create_consultation", str(consultation.id))
    return consultation


@router.post("/consultations/{consultation_id}/close", response_model=ConsultationPublic)
def close_consultation(consultation_id: RowId, staff: SupervisorDep, session: SessionDep) -> Consultation:
    consultation = find_consultation(session, consultation_id)
    consultation.status = "closed"
    audit.record(session, staff.username, staff.role, "close_consultation", str(consultation_id))
    return consultation


@router.get("/commendations", response_model=CommendationList)
def list_commendations(
    staff: AgentDep,
    session: SessionDep,
    department: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> CommendationList:
    """Residents' praise, newest first (phone and ID numbers in it masked); every read is audited."""
    page = commendations.list_commendations(session, department, limit, offset)
    audit.record(
        session,
        staff.username,
        staff.role,
        "list",
        None,
        kind="commendation",
        department=department,
        count=len(page.items),
    )
    return page


@router.get("/stats", response_model=StaffStats)
def stats(staff: AgentDep, runtime: RuntimeDep, session: SessionDep) -> StaffStats:
    """Counts by kind and status, open cases by card, top categories, satisfaction per service and
    commendations per department; of the cases the staff member may see, for an agent of a department."""
    return staff_service.stats(session, runtime.calendar, staff)


@router.post("/users", status_code=201, response_model=UserCreated)
def create_user(body: StaffCreate, staff: AdminDep, runtime: RuntimeDep) -> UserCreated:
    staff_service.create_user(runtime.sessions, body, staff.username, staff.role)
    return UserCreated(username=body.username, role=body.role)


@router.post("/knowledge/reload", response_model=KnowledgeReloaded)
def reload_knowledge(staff: AdminDep, runtime: RuntimeDep, session: SessionDep) -> KnowledgeReloaded:
    """Re-import the service files (and the categories) after an edit: new answers at once, no retraining,
    no restart. Other gateway workers and the Rasa component notice the rebuilt index on their next search.
    """
    if runtime.knowledge is None:
        raise ApiError(409, "knowledge_disabled", "知识库检索未启用")
    try:
        count = runtime.knowledge.reload()
    except KnowledgeFormatError as error:
        raise ApiError(422, "knowledge_format", f"知识库文件有误，未生效：{error}") from None
    runtime.reload_categories()
    sync_catalogue(runtime.sessions, runtime.knowledge.services)
    audit.record(session, staff.username, staff.role, "knowledge_reload", None, services=count)
    return KnowledgeReloaded(services=count)


@router.get("/audit", response_model=list[AuditEntryPublic])
def audit_log(
    staff: AdminDep,
    session: SessionDep,
    target: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryPublic]:
    return staff_service.audit_entries(session, target, limit)
