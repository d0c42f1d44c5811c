"""Budget ballots: one per verified voter (api/voters.py) and round, replaced when the voter changes it, only
while the round is voting.

Concurrency: the ballot row is upserted (INSERT … ON CONFLICT DO UPDATE on the round and voter), which on
PostgreSQL holds its lock until the transaction ends, so two changes of one voter run one after the other and
the later one's choices are the ballot; different voters never wait for each other. The round is read
`FOR SHARE`, so closing the vote (FOR UPDATE, api/services/budget.py) waits for ballots being stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.models import Ballot, BallotChoice, BudgetRound, Proposal
from api.runtime import Runtime
from api.services.budget import day_text, find_round, today
from contract.budget import RESULTS, VOTING, BallotReceipt


def _voting_round(session: Session, runtime: Runtime, round_id: int, now: datetime) -> BudgetRound:
    budget_round = find_round(session, round_id, lock="share")
    if budget_round.phase == RESULTS or (
        budget_round.phase == VOTING and today(runtime, now) > budget_round.voting_until
    ):
        closed = f"“{budget_round.title}”的投票已于{day_text(budget_round.voting_until)}截止，感谢关注。"
        raise ApiError(409, "voting_closed", closed)
    if budget_round.phase != VOTING:
        raise ApiError(409, "voting_not_started", f"“{budget_round.title}”还没有开始投票，项目评审结束后再来投票吧。")
    return budget_round


def _chosen(session: Session, budget_round: BudgetRound, choices: list[str]) -> list[Proposal]:
    """The projects of the choices, or 422 with the first problem: none, duplicates, too many, unknown or
    not on the ballot."""
    if not choices:
        raise ApiError(422, "no_choice", "请至少选择一个项目再投票。")
    repeated = sorted({number for number in choices if choices.count(number) > 1})
    if repeated:
        raise ApiError(422, "duplicate_choice", f"同一个项目只能选一次：{'、'.join(repeated)}。", numbers=repeated)
    if len(choices) > budget_round.max_choices:
        raise ApiError(
            422,
            "too_many_choices",
            f"每张选票最多选{budget_round.max_choices}个项目，您选了{len(choices)}个，请减少后再投。",
            max_choices=budget_round.max_choices,
        )
    found = {
        p.number: p
        for p in session.scalars(
            select(Proposal).where(Proposal.round_id == budget_round.id, Proposal.number.in_(choices))
        )
    }
    unknown = [number for number in choices if number not in found]
    if unknown:
        raise ApiError(422, "unknown_project", f"本轮没有这个项目：{'、'.join(unknown)}，请核对编号。", numbers=unknown)
    off_ballot = [number for number in choices if found[number].status != "accepted"]
    if off_ballot:
        raise ApiError(
            422,
            "not_on_ballot",
            f"项目{'、'.join(off_ballot)}没有通过评审，不能投票，请从通过评审的项目中选择。",
            numbers=off_ballot,
        )
    return [found[number] for number in choices]


def cast(
    session: Session, runtime: Runtime, round_id: int, voter: str, choices: list[str], now: datetime
) -> BallotReceipt:
    budget_round = _voting_round(session, runtime, round_id, now)
    projects = _chosen(session, budget_round, choices)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = (
        insert(Ballot)
        .values(round_id=round_id, voter=voter, cast_at=now, changed_at=now)
        .on_conflict_do_update(index_elements=[Ballot.round_id, Ballot.voter], set_={"changed_at": now})
        .returning(Ballot.id, Ballot.cast_at)
    )
    ballot_id, cast_at = session.execute(upsert).one()
    session.execute(delete(BallotChoice).where(BallotChoice.ballot_id == ballot_id))
    session.add_all(BallotChoice(ballot_id=ballot_id, proposal_id=p.id) for p in projects)
    session.flush()
    return BallotReceipt(
        round_id=round_id,
        choices=tuple(p.number for p in projects),
        # An upsert that found the voter's ballot kept its first cast_at.
        replaced=cast_at != now,
        voting_until=budget_round.voting_until.isoformat(),
    )


def current(session: Session, round_id: int, voter: str) -> list[str]:
    """The projects the voter's ballot chooses (empty: no ballot)."""
    rows = session.scalars(
        select(Proposal.number)
        .join(BallotChoice, BallotChoice.proposal_id == Proposal.id)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.round_id == round_id, Ballot.voter == voter)
        .order_by(Proposal.number)
    )
    return list(rows)
