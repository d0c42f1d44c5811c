"""The unanswered-question inbox (未解答问题): staff read it, administrators attach a group's questions to a
service (they become its sample questions, and the knowledge base reloads) or set it aside as out of scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from api import audit
from api.db import transaction
from api.deps import AdminDep, AgentDep, Offset, RowId, RuntimeDep, SessionDep
from api.errors import ApiError
from api.models import UnansweredGroup
from api.routes.staff import reload_knowledge
from api.runtime import Runtime
from api.services import unanswered
from api.unanswered_schemas import (
    AttachRequest,
    AttachResult,
    UnansweredGroupDetail,
    UnansweredGroupPublic,
    UnansweredQuestionPublic,
)

router = APIRouter(prefix="/api/staff/unanswered", tags=["staff"])


def _group(session: Session, group_id: int) -> UnansweredGroup:
    group = session.get(UnansweredGroup, group_id)
    if group is None:
        raise ApiError(404, "group_not_found", f"没有编号为{group_id}的未解答问题分组")
    return group


def _detail(runtime: Runtime, session: Session, group: UnansweredGroup) -> UnansweredGroupDetail:
    """The group with its questions, and whether the knowledge base answers each of them now."""
    questions = unanswered.questions_of(session, group.id)
    now = (
        unanswered.answerability(runtime.knowledge, [q.text for q in questions])
        if runtime.knowledge is not None and questions
        else None
    )
    return UnansweredGroupDetail(
        **UnansweredGroupPublic.model_validate(group, from_attributes=True).model_dump(),
        questions=[
            UnansweredQuestionPublic(
                text=q.text,
                count=q.count,
                last_seen=q.last_seen,
                answered_now=now[i].answered if now else None,
                best_service=now[i].service if now else None,
            )
            for i, q in enumerate(questions)
        ],
    )


@router.get("", response_model=list[UnansweredGroupPublic])
def list_groups(
    staff: AgentDep,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(unanswered.STATUSES) + ")$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[UnansweredGroupPublic]:
    """Most asked first. `status`: open (the default view of the console), attached or out_of_scope."""
    return [
        UnansweredGroupPublic.model_validate(group, from_attributes=True)
        for group in unanswered.groups(session, status, limit, offset)
    ]


@router.get("/{group_id}", response_model=UnansweredGroupDetail)
def group_detail(group_id: RowId, staff: AgentDep, runtime: RuntimeDep, session: SessionDep) -> UnansweredGroupDetail:
    return _detail(runtime, session, _group(session, group_id))


@router.post("/{group_id}/attach", response_model=AttachResult)
def attach(group_id: RowId, body: AttachRequest, staff: AdminDep, runtime: RuntimeDep) -> AttachResult:
    """Add the group's questions to the service's sample questions, rebuild the index (the gateway's and,
    through the index manifest, the Rasa server's), and show which questions are answered now.

    No transaction stays open while the files are written and the index rebuilt: the reload writes the
    service catalogue in its own, which an open one would block on SQLite.
    """
    if runtime.knowledge is None:
        raise ApiError(409, "knowledge_disabled", "知识库检索未启用，无法添加示例问题")
    with transaction(runtime.sessions) as session:
        texts = [q.text for q in unanswered.questions_of(session, _group(session, group_id).id)]
    chosen = body.questions if body.questions is not None else texts
    strangers = [q for q in chosen if q not in texts]
    if strangers:
        raise ApiError(422, "not_in_group", f"这些问题不在该分组中：{'；'.join(strangers[:3])}")
    try:
        added = unanswered.add_sample_questions(runtime.knowledge, body.service, chosen)
    except unanswered.AttachError as error:
        raise ApiError(422, "attach_failed", str(error)) from None
    with transaction(runtime.sessions) as session:
        reload_knowledge(staff, runtime, session)
        group = _group(session, group_id)
        unanswered.resolve(group, unanswered.ATTACHED, staff.username, body.service)
        audit.record(
            session,
            staff.username,
            staff.role,
            "unanswered_attach",
            f"unanswered:{group_id}",
            service=body.service,
            added=added,
        )
        session.flush()
        return AttachResult(**_detail(runtime, session, group).model_dump(), added=added)


@router.post("/{group_id}/out-of-scope", response_model=UnansweredGroupPublic)
def out_of_scope(group_id: RowId, staff: AdminDep, session: SessionDep) -> UnansweredGroupPublic:
    """Not the assistant's business (weather, jokes, other cities): leaves the open list."""
    group = _group(session, group_id)
    unanswered.resolve(group, unanswered.OUT_OF_SCOPE, staff.username, None)
    audit.record(session, staff.username, staff.role, "unanswered_out_of_scope", f"unanswered:{group.id}")
    session.flush()
    return UnansweredGroupPublic.model_validate(group, from_attributes=True)
