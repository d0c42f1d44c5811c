"""参与式预算 for staff: supervisors open rounds and move their phases; the review panel (agents and up)
reviews proposals and reports the implementation progress of funded projects. Every change is audited and
its proposer told (api.resident_notices) once it has committed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import audit
from api.budget_schemas import (
    PhaseChange,
    ProgressCreate,
    ProposalStaffView,
    ReviewDecision,
    RoundCreate,
    RoundPage,
)
from api.db import transaction
from api.deps import AgentDep, RowId, RuntimeDep, SessionDep, SupervisorDep
from api.models import Proposal, ProposalProgress, utcnow
from api.resident_notices import tell_resident
from api.services import budget
from contract.personal_data import mask_phone

router = APIRouter(prefix="/api/staff/budget", tags=["budget"])

ProposalNumber = Annotated[str, Path(max_length=24)]


async def _tell(request: Request, notices: list[budget.Notice]) -> None:
    for notice in notices:
        await tell_resident(request.app, notice.sender, notice.channel, notice.text)


@router.post("/rounds", status_code=201, response_model=RoundPage)
def open_round(body: RoundCreate, staff: SupervisorDep, session: SessionDep) -> dict[str, Any]:
    """A new round, taking proposals at once."""
    budget_round = budget.open_round(session, body, staff.username, staff.role)
    return budget.round_page(session, budget_round)


@router.get("/rounds/{round_id}/proposals", response_model=list[ProposalStaffView])
def proposals(round_id: RowId, staff: AgentDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every proposal of the round, unreviewed ones too, with the proposer's phone masked (audited)."""
    budget.find_round(session, round_id)
    rows = budget.proposals_of(session, round_id)
    progress = budget.progress_of(session, rows)
    audit.record(session, staff.username, staff.role, "list", str(round_id), kind="proposals", count=len(rows))
    return [_staff_view(p, progress[p.id]) for p in rows]


def _staff_view(proposal: Proposal, progress: list[ProposalProgress]) -> dict[str, Any]:
    return {
        **budget.project_view(proposal, progress),
        "round_id": proposal.round_id,
        "rough_cost_yuan": proposal.rough_cost_yuan,
        "cost_estimate_yuan": proposal.cost_estimate_yuan,
        "contact_phone": mask_phone(proposal.contact_phone),
        "channel": proposal.channel,
        "reviewed_by": proposal.reviewed_by,
        "created_at": proposal.created_at,
    }


def _view_of(session: Session, number: str) -> dict[str, Any]:
    proposal = budget.find_proposal(session, number)
    return _staff_view(proposal, budget.progress_of(session, [proposal])[proposal.id])


@router.post("/rounds/{round_id}/phase", response_model=RoundPage)
async def move_phase(
    request: Request, round_id: RowId, body: PhaseChange, staff: SupervisorDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The next phase (409 `invalid_phase_change` for any other; `unreviewed_proposals` before voting while a
    proposal waits). Into `results`: votes counted, projects funded by the rule, proposers told."""

    def move() -> tuple[dict[str, Any], list[budget.Notice]]:
        with transaction(runtime.sessions) as session:
            budget_round, notices = budget.move_phase(
                session, round_id, body.phase, staff.username, staff.role, utcnow()
            )
            return budget.round_page(session, budget_round), notices

    page, notices = await run_in_threadpool(move)
    await _tell(request, notices)
    return page


@router.post("/proposals/{number}/review", response_model=ProposalStaffView)
async def review(
    request: Request, number: ProposalNumber, body: ReviewDecision, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Accept (with the panel's cost estimate) or reject a proposal, with a public reason; the proposer is told."""

    def decide() -> tuple[dict[str, Any], budget.Notice]:
        with transaction(runtime.sessions) as session:
            notice = budget.review(session, number, body, staff.username, staff.role, utcnow())
            return _view_of(session, number), notice

    view, notice = await run_in_threadpool(decide)
    await _tell(request, [notice])
    return view


@router.post("/proposals/{number}/progress", status_code=201, response_model=ProposalStaffView)
async def add_progress(
    request: Request, number: ProposalNumber, body: ProgressCreate, staff: AgentDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """An implementation update of a funded project (public on the budget page); the proposer is told."""

    def report() -> tuple[dict[str, Any], budget.Notice]:
        with transaction(runtime.sessions) as session:
            _, notice = budget.add_progress(session, number, body, staff.username, staff.role, utcnow())
            return _view_of(session, number), notice

    view, notice = await run_in_threadpool(report)
    await _tell(request, [notice])
    return view
