"""`GET /api/routing?text=`: the category, level-2 category and department a request goes to (docs/routing.md);
for the console, the agents' corrections as training data and the cases similar to a case.

For 12345 staff (bearer token) and the internal services (`X-Service-Token`). The router reads a bounded
part of the text, so a letter longer than `MAX_LETTER_CHARS` is routed too (it is refused where residents
file it, not here).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field, StringConstraints

from api import audit, case_access
from api.case_views import receipt
from api.deps import AgentDep, RuntimeDep, SessionDep, SupervisorDep, _bearer, current_staff, require_service_token
from api.errors import ApiError
from api.runtime import Runtime
from api.security import Role
from api.services import rerouting
from api.services.case_routing import place_in
from api.services.repeat_reports import earlier_report
from api.services.routing_corrections import export_tsv
from api.services.similar_cases import similar_cases
from contract.receipts import CaseReceipt

router = APIRouter(prefix="/api", tags=["routing"])


class RoutingAlternative(BaseModel):
    category: str
    subcategory: str | None
    department: str | None
    score: float


class RoutingAnswer(BaseModel):
    category: str
    subcategory: str | None
    department: str | None
    confidence: float
    alternatives: list[RoutingAlternative]
    place: str | None = Field(
        None, description="诉求中写到的地点（县区、乡镇街道、小区、道路）；再次反映时为该居民上次办件的地点"
    )
    needs_place: bool = Field(False, description="该类诉求需要地点而原文没有写：智能助手会询问")


def staff_or_service(
    request: Request,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bool:
    """The internal service token (True), or the bearer token of a 12345 agent or a higher role (False)."""
    token = request.headers.get("x-service-token")
    if token is not None and hmac.compare_digest(token, runtime.settings.service_token):
        return True
    if credentials is None and token is not None:
        raise ApiError(401, "invalid_service_token", "无权调用该接口")
    staff = current_staff(runtime, credentials)
    if not staff.role.allows(Role.AGENT):
        raise ApiError(403, "forbidden", "您的账号没有此操作的权限")
    return False


class RoutingRequest(BaseModel):
    text: str
    # The assistant's conversation: a request that reports an earlier one again ("上次反映的路灯还没修") takes
    # that case's place. Only the service may name a sender (a resident's cases are theirs).
    sender: Annotated[str | None, StringConstraints(min_length=1, max_length=128)] = None


@router.get("/routing", response_model=RoutingAnswer, dependencies=[Depends(staff_or_service)])
def route_request(
    runtime: RuntimeDep, text: Annotated[str, Query(description="居民诉求原文（微信消息或来信全文）")]
) -> RoutingAnswer:
    """Category with calibrated confidence (0..1) and the three best level-1 alternatives, best first.

    A plain `def`: routing is CPU work (a few milliseconds), so FastAPI runs it in its thread pool.
    """
    return route_text(runtime, text)


@router.post("/routing", response_model=RoutingAnswer)
def route_posted_request(
    runtime: RuntimeDep,
    session: SessionDep,
    body: RoutingRequest,
    service: Annotated[bool, Depends(staff_or_service)],
) -> RoutingAnswer:
    """The same answer for a text sent as JSON `{"text": ...}`: a whole letter does not fit every client's
    URL (httpx refuses a query over 65,536 characters, about 7,000 Chinese characters once encoded). With the
    assistant's `sender`, a text that reports an earlier case again and names no place gets that case's place."""
    if body.sender is not None and not service:
        raise ApiError(403, "sender_for_service_only", "sender：只有智能助手可以代居民查询")
    answer = route_text(runtime, body.text)
    earlier = earlier_report(session, body.sender, body.text, answer.category) if answer.place is None else None
    if earlier is not None and earlier.place:
        return answer.model_copy(update={"place": earlier.place, "needs_place": False})
    return answer


def route_text(runtime: Runtime, text: str) -> RoutingAnswer:
    if not text.strip():
        raise ApiError(422, "empty_text", "诉求内容：请输入要分类的诉求内容")
    if runtime.router is None:
        raise ApiError(503, "routing_unavailable", "智能分类暂不可用，请人工选择分类或稍后再试")
    routed = runtime.router.route(text)
    place = place_in(text)
    category = runtime.categories.get(routed.category)
    return RoutingAnswer(
        category=routed.category,
        subcategory=routed.subcategory,
        department=routed.department,
        confidence=routed.confidence,
        place=place,
        needs_place=place is None and category is not None and category.needs_place(routed.subcategory),
        alternatives=[
            RoutingAlternative(category=a.category, subcategory=a.subcategory, department=a.department, score=a.score)
            for a in routed.alternatives
        ],
    )


class SimilarCase(BaseModel):
    number: str
    kind: str
    category: str | None
    subcategory: str | None
    department: str | None
    status: str
    status_text: str
    created_at: str
    text: str
    score: float


@router.get("/staff/cases/{number}/similar", response_model=list[SimilarCase], tags=["staff"])
def similar(
    number: Annotated[str, Path(max_length=24)], staff: AgentDep, runtime: RuntimeDep, session: SessionDep
) -> list[dict[str, object]]:
    """The 5 earlier complaints and tickets closest in meaning to this case (masked texts), best first; both
    the case and those shown are ones the staff member may see (api/case_access.py)."""
    case = case_access.find_case_for(session, staff, number, "similar")
    if runtime.knowledge is None:
        raise ApiError(503, "embedder_unavailable", "相似工单暂不可用：知识库未加载")
    return similar_cases(session, runtime.knowledge.embedder, case, case_access.visible(staff))


@router.get(
    "/staff/routing/corrections.tsv",
    response_class=Response,
    tags=["staff"],
    responses={200: {"content": {"text/tab-separated-values": {"schema": {"type": "string"}}}}},
)
def corrections(staff: SupervisorDep, session: SessionDep) -> Response:
    """Agents' corrections of the router in the format of knowledge/routing/examples.tsv (texts masked)."""
    audit.record(session, staff.username, staff.role, "export_routing_corrections", None)
    return Response(
        export_tsv(session),
        media_type="text/tab-separated-values; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="routing-corrections.tsv"'},
    )


class DepartmentChoice(BaseModel):
    category: str
    subcategory: str | None
    department: str


class DepartmentChoices(BaseModel):
    number: str
    category: str | None
    department: str | None
    choices: list[DepartmentChoice]


class DepartmentChange(BaseModel):
    sender: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    department: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


@router.get(
    "/cases/{number}/departments",
    response_model=DepartmentChoices,
    dependencies=[Depends(require_service_token)],
    tags=["residents"],
)
def department_choices(
    number: Annotated[str, Path(max_length=24)],
    sender: Annotated[str, Query(min_length=1, max_length=128)],
    runtime: RuntimeDep,
    session: SessionDep,
) -> DepartmentChoices:
    """For the assistant, when the resident who filed a request says "部门不对": the other departments it may go to."""
    case, found = rerouting.choices(session, runtime.categories, number, sender)
    return DepartmentChoices(
        number=case.number,
        category=case.category,
        department=case.department,
        choices=[
            DepartmentChoice(category=c.category, subcategory=c.subcategory, department=c.department) for c in found
        ],
    )


@router.post(
    "/cases/{number}/department",
    response_model=CaseReceipt,
    dependencies=[Depends(require_service_token)],
    tags=["residents"],
)
def change_department(
    number: Annotated[str, Path(max_length=24)], body: DepartmentChange, runtime: RuntimeDep, session: SessionDep
) -> CaseReceipt:
    """The resident picked another of the request's departments (only while nobody has started on it)."""
    return receipt(rerouting.move(session, runtime.categories, number, body.sender, body.department))
