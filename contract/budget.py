"""Participatory budgeting (预算项目提议, YS numbers) as the gateway answers it and the action server reads it.

A round runs through four phases in order: residents propose projects, a review panel accepts or rejects
them, residents vote, the results are published. The gateway builds these from its models
(`GET /api/budget/rounds`, `GET /api/budget/rounds/{id}`, `PUT /api/budget/rounds/{id}/ballot`); the action
server reads them back with `from_json`. Dates travel as ISO 8601 strings, money as whole yuan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

from contract.receipts import _FromJson

PROPOSALS, REVIEW, VOTING, RESULTS = "proposals", "review", "voting", "results"
# The phases in the order a round goes through them; staff move a round one step forward at a time.
PHASES: tuple[str, ...] = (PROPOSALS, REVIEW, VOTING, RESULTS)
PHASE_TEXTS = {
    PROPOSALS: "征集项目提议中",
    REVIEW: "提议评审中",
    VOTING: "投票中",
    RESULTS: "结果已公布",
}

# The rule as residents read it on the page and in the chat (docs/community.md says the same).
FUNDING_RULE = (
    "按得票从多到少依次入选，直到预算用完；排到某个项目时如果剩余预算不够，就跳过它，看下一个能否放得下。"
    "得票相同时，造价低的在前；造价也相同时，提议编号在前的在前。"
)


@dataclass(frozen=True)
class BudgetRound(_FromJson):
    """A round as listed: what it is about, where it stands and until when residents can take part."""

    id: int
    title: str
    area: str  # the street or community whose budget it is
    phase: str  # one of PHASES
    budget_yuan: int
    max_choices: int  # how many projects one ballot may choose
    proposals_until: str  # ISO date: last day to propose
    voting_until: str  # ISO date: last day to vote
    page_url: str  # the public budget page of this round (path, e.g. "/budget?round=3")

    @property
    def phase_text(self) -> str:
        return PHASE_TEXTS[self.phase]


@dataclass(frozen=True)
class BudgetProject(_FromJson):
    """A proposal as the public sees it."""

    number: str  # YS…
    title: str
    cost_yuan: int  # the review panel's estimate once reviewed, the proposer's rough cost before
    place: str
    status: str  # contract.case_kinds.PROPOSAL's statuses
    votes: int | None = None  # None until the results are published


@dataclass(frozen=True)
class BudgetRoundDetail(BudgetRound):
    """A round with its projects (`GET /api/budget/rounds/{id}`): accepted ones while voting, all once reviewed."""

    projects: tuple[BudgetProject, ...] = field(default=())

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Self:
        projects = tuple(BudgetProject.from_json(p) for p in body.get("projects", ()))
        return super().from_json({**body, "projects": projects})


@dataclass(frozen=True)
class BallotReceipt(_FromJson):
    """The answer to a ballot: the projects it now chooses, and whether it replaced an earlier one."""

    round_id: int
    choices: tuple[str, ...]
    replaced: bool
    voting_until: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Self:
        return super().from_json({**body, "choices": tuple(body.get("choices", ()))})
