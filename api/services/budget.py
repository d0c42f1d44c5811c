"""Participatory budgeting (docs/community.md): rounds and their phases, residents' proposals (YS cases), the
review panel's decisions, the results and the implementation progress of funded projects.

Phase checks read the round `FOR SHARE` and phase moves lock it `FOR UPDATE` (PostgreSQL; SQLite serialises
every write transaction): a proposal or ballot that is being stored when staff close the phase is either in
before the move or refused after it, never lost or counted late.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.budget_schemas import ProgressCreate, ProposalCreate, ReviewDecision, RoundCreate
from api.cases import change_status, file_case, find_case
from api.errors import ApiError
from api.models import Ballot, BallotChoice, BudgetRound, Proposal, ProposalProgress
from api.runtime import Runtime
from api.services.filing import query_code
from contract.budget import FUNDING_RULE, PHASE_TEXTS, PHASES, PROPOSALS, RESULTS, REVIEW, VOTING
from contract.budget import BudgetRound as RoundSummary
from contract.personal_data import mask_text


@dataclass(frozen=True)
class Notice:
    """A message for a proposal's author, sent (api.resident_notices) once the change has committed."""

    sender: str | None
    channel: str
    text: str


def page_url(round_id: int) -> str:
    return f"/budget?round={round_id}"


def summary(budget_round: BudgetRound) -> RoundSummary:
    return RoundSummary(
        id=budget_round.id,
        title=budget_round.title,
        area=budget_round.area,
        phase=budget_round.phase,
        budget_yuan=budget_round.budget_yuan,
        max_choices=budget_round.max_choices,
        proposals_until=budget_round.proposals_until.isoformat(),
        voting_until=budget_round.voting_until.isoformat(),
        page_url=page_url(budget_round.id),
    )


def list_rounds(session: Session, phase: str | None) -> list[BudgetRound]:
    """Rounds in their phase order (the ones residents can take part in first), newest first within a phase."""
    query = select(BudgetRound)
    if phase is not None:
        query = query.where(BudgetRound.phase == phase)
    rounds = session.scalars(query.order_by(BudgetRound.id.desc()))
    return sorted(rounds, key=lambda r: PHASES.index(r.phase) if r.phase != RESULTS else len(PHASES))


def find_round(session: Session, round_id: int, *, lock: str | None = None) -> BudgetRound:
    """The round, locked `share` (proposing, voting) or `update` (moving its phase) until the transaction ends."""
    query = select(BudgetRound).where(BudgetRound.id == round_id)
    if lock is not None:
        query = query.with_for_update(read=lock == "share")
    budget_round = session.scalars(query).first()
    if budget_round is None:
        raise ApiError(404, "round_not_found", "没有找到这一轮预算项目征集，请核对后再试。")
    return budget_round


def open_round(session: Session, body: RoundCreate, actor: str, role: str) -> BudgetRound:
    budget_round = BudgetRound(**body.model_dump(), phase=PROPOSALS, opened_by=actor, sample=False)
    session.add(budget_round)
    session.flush()
    audit.record(session, actor, role, "budget_round", str(budget_round.id), title=body.title, budget=body.budget_yuan)
    return budget_round


def proposals_of(session: Session, round_id: int) -> list[Proposal]:
    return list(session.scalars(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.number)))


def progress_of(session: Session, proposals: Iterable[Proposal]) -> dict[int, list[ProposalProgress]]:
    ids = [p.id for p in proposals]
    by_proposal: dict[int, list[ProposalProgress]] = {i: [] for i in ids}
    if ids:
        rows = select(ProposalProgress).where(ProposalProgress.proposal_id.in_(ids)).order_by(ProposalProgress.at)
        for row in session.scalars(rows):
            by_proposal[row.proposal_id].append(row)
    return by_proposal


def project_view(proposal: Proposal, progress: Sequence[ProposalProgress]) -> dict[str, object]:
    return {
        "number": proposal.number,
        "title": proposal.title,
        "cost_yuan": proposal.cost_yuan,
        "place": proposal.place or "",
        "status": proposal.status,
        "status_text": proposal.status_text,
        "votes": proposal.votes,
        "description": proposal.description,
        "review_reason": proposal.review_reason,
        "progress": [{"at": p.at, "note": p.note, "status": p.status} for p in progress],
    }


def round_page(session: Session, budget_round: BudgetRound) -> dict[str, object]:
    """What the public reads about a round: reviewed projects only (an unreviewed text is not published), vote
    counts only once the results are out (they are stored only then)."""
    proposals = proposals_of(session, budget_round.id)
    shown = [p for p in proposals if p.status != "submitted"]
    progress = progress_of(session, shown)
    funded = [p for p in shown if p.status in ("funded", "in_progress", "completed")]
    return {
        **summary(budget_round).__dict__,
        "phase_text": PHASE_TEXTS[budget_round.phase],
        "review_until": budget_round.review_until,
        "proposals_until": budget_round.proposals_until,
        "voting_until": budget_round.voting_until,
        "sample": budget_round.sample,
        "funding_rule": FUNDING_RULE,
        "proposals_received": len(proposals),
        "budget_used_yuan": sum(p.cost_yuan for p in funded) if budget_round.phase == RESULTS else None,
        "projects": [project_view(p, progress[p.id]) for p in _ballot_order(shown)],
    }


def _ballot_order(proposals: list[Proposal]) -> list[Proposal]:
    """Accepted projects first (by votes once counted, else by number), then the rejected ones."""
    return sorted(proposals, key=lambda p: (p.status == "rejected", -(p.votes or 0), p.number))


def today(runtime: Runtime, now: datetime) -> date:
    return now.astimezone(runtime.calendar.tz).date()


def file_proposal(
    session: Session,
    runtime: Runtime,
    round_id: int,
    body: ProposalCreate,
    sender: str | None,
    now: datetime,
) -> Proposal:
    """A resident's project while the round takes proposals; title and description are published, so phone
    and ID numbers in them are masked."""
    budget_round = find_round(session, round_id, lock="share")
    if budget_round.phase != PROPOSALS or today(runtime, now) > budget_round.proposals_until:
        raise ApiError(
            409,
            "not_accepting_proposals",
            f"“{budget_round.title}”已经不再征集项目提议了（征集截止到{day_text(budget_round.proposals_until)}）。",
        )
    proposal = Proposal(
        round_id=budget_round.id,
        title=mask_text(body.title, names=True),
        description=mask_text(body.description, names=True),
        rough_cost_yuan=body.cost_yuan,
        place=body.place,
        contact_phone=body.phone,
        sender=sender,
        channel=body.channel,
        phone_last4=None if body.phone else query_code(),
    )
    return file_case(session, proposal, runtime.settings, runtime.calendar, now=now)  # type: ignore[return-value]


def day_text(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _yours(proposal: Proposal) -> str:
    return f"您提议的项目“{proposal.title}”（{proposal.number}）"


def find_proposal(session: Session, number: str, *, for_update: bool = False) -> Proposal:
    case = find_case(session, number, for_update=for_update)
    if not isinstance(case, Proposal):
        raise ApiError(404, "proposal_not_found", "没有找到这个预算项目提议，请核对编号。")
    return case


def review(session: Session, number: str, body: ReviewDecision, actor: str, role: str, now: datetime) -> Notice:
    """The review panel's decision, while the round takes or reviews proposals; public reason and cost."""
    proposal = find_proposal(session, number, for_update=True)
    budget_round = find_round(session, proposal.round_id, lock="share")
    if budget_round.phase not in (PROPOSALS, REVIEW):
        raise ApiError(409, "review_closed", "这一轮已经进入投票或公布结果阶段，不能再评审项目了。")
    target = "accepted" if body.decision == "accept" else "rejected"
    change_status(session, proposal, target, actor, role, body.reason)
    proposal.review_reason = body.reason
    proposal.cost_estimate_yuan = body.cost_estimate_yuan
    proposal.reviewed_by = actor
    proposal.reviewed_at = now
    if target == "accepted":
        text = (
            f"{_yours(proposal)}已通过评审，评审估算费用{proposal.cost_yuan:,}元，"
            f"将参加{day_text(budget_round.voting_until)}截止的居民投票。评审意见：{body.reason}"
        )
    else:
        text = f"{_yours(proposal)}这次没有通过评审。原因：{body.reason}。感谢您的参与！"
    return Notice(proposal.sender, proposal.channel, text)


def move_phase(
    session: Session, round_id: int, target: str, actor: str, role: str, now: datetime
) -> tuple[BudgetRound, list[Notice]]:
    """One step forward; into voting only when every proposal is reviewed; into results counts the votes."""
    budget_round = find_round(session, round_id, lock="update")
    current = PHASES.index(budget_round.phase)
    if PHASES.index(target) != current + 1:
        raise ApiError(
            409,
            "invalid_phase_change",
            f"当前阶段是“{PHASE_TEXTS[budget_round.phase]}”，只能进入下一阶段。",
            allowed=list(PHASES[current + 1 : current + 2]),
        )
    proposals = proposals_of(session, round_id)
    notices: list[Notice] = []
    if target == VOTING:
        waiting = [p.number for p in proposals if p.status == "submitted"]
        if waiting:
            message = f"还有{len(waiting)}个提议没有评审，不能开始投票。"
            raise ApiError(409, "unreviewed_proposals", message, numbers=waiting)
    if target == RESULTS:
        notices = publish_results(session, budget_round, proposals, actor, role, now)
    audit.record(session, actor, role, "budget_phase", str(round_id), before=budget_round.phase, after=target)
    budget_round.phase = target
    return budget_round, notices


def vote_counts(session: Session, round_id: int) -> dict[int, int]:
    rows = session.execute(
        select(BallotChoice.proposal_id, func.count())
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.round_id == round_id)
        .group_by(BallotChoice.proposal_id)
    )
    return {int(proposal_id): int(count) for proposal_id, count in rows.all()}


@dataclass(frozen=True)
class Candidate:
    number: str
    cost_yuan: int
    votes: int


def choose_funded(candidates: Iterable[Candidate], budget_yuan: int) -> list[str]:
    """The funding rule (contract.budget.FUNDING_RULE): by votes, most first (ties: lower cost, then the earlier
    number); each project that still fits in what is left is funded, one that does not is skipped and the next
    is tried."""
    funded: list[str] = []
    left = budget_yuan
    for candidate in sorted(candidates, key=lambda c: (-c.votes, c.cost_yuan, c.number)):
        if candidate.cost_yuan <= left:
            funded.append(candidate.number)
            left -= candidate.cost_yuan
    return funded


def publish_results(
    session: Session, budget_round: BudgetRound, proposals: list[Proposal], actor: str, role: str, now: datetime
) -> list[Notice]:
    counts = vote_counts(session, budget_round.id)
    accepted = [p for p in proposals if p.status == "accepted"]
    for proposal in accepted:
        proposal.votes = counts.get(proposal.id, 0)
    funded = set(
        choose_funded(
            (Candidate(p.number, p.cost_yuan, p.votes or 0) for p in accepted),
            budget_round.budget_yuan,
        )
    )
    notices = []
    for proposal in accepted:
        chosen = proposal.number in funded
        change_status(session, proposal, "funded" if chosen else "not_funded", actor, role, f"{proposal.votes}票")
        if chosen:
            text = f"好消息！{_yours(proposal)}获得{proposal.votes}票，已入选本轮预算，实施进展会在预算页面公布。"
        else:
            text = f"{_yours(proposal)}获得{proposal.votes}票，这次没有入选本轮预算。感谢您的参与！"
        notices.append(Notice(proposal.sender, proposal.channel, text))
    budget_round.results_at = now
    return notices


def add_progress(
    session: Session, number: str, body: ProgressCreate, actor: str, role: str, now: datetime
) -> tuple[ProposalProgress, Notice]:
    """An implementation update of a funded project; `completed` ends it."""
    proposal = find_proposal(session, number, for_update=True)
    if proposal.status not in ("funded", "in_progress"):
        raise ApiError(409, "not_funded", "只有入选预算、正在实施的项目才能更新实施进展。")
    if body.status != proposal.status:
        if proposal.status == "funded" and body.status == "completed":
            change_status(session, proposal, "in_progress", actor, role, body.note)
        change_status(session, proposal, body.status, actor, role, body.note)
    update = ProposalProgress(proposal_id=proposal.id, at=now, by=actor, note=body.note, status=body.status)
    session.add(update)
    session.flush()
    text = f"{_yours(proposal)}有新的实施进展：{body.note}（{proposal.status_text}）"
    return update, Notice(proposal.sender, proposal.channel, text)
