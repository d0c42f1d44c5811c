"""Request and response bodies of participatory budgeting (api/routes/budget.py, api/routes/budget_staff.py).

The round summary is the contract's `contract.budget.BudgetRound`; the round page adds what only the web page
shows (descriptions, review reasons, progress), which the action server's `from_json` ignores.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.schemas import Channel, Phone, PlaceText, Short, Strict

# A city's yearly budget for one street fits well below this; it stops typos of a few extra zeros.
MAX_YUAN = 1_000_000_000
Yuan = Annotated[int, Field(ge=1, le=MAX_YUAN)]
Remark = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ProjectTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
ProjectText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)]
ProjectNumber = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[Yy][Ss]\d{8,}$")]
# contract.budget.PHASES as a type (tests/gateway/test_budget.py checks that they agree).
Phase = Literal["proposals", "review", "voting", "results"]


class RoundCreate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
    area: Short
    budget_yuan: Yuan
    max_choices: int = Field(ge=1, le=20)
    proposals_until: date
    review_until: date
    voting_until: date

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if not self.proposals_until <= self.review_until <= self.voting_until:
            raise ValueError("日期顺序不对：应为征集截止 ≤ 评审截止 ≤ 投票截止")
        return self


class PhaseChange(Strict):
    phase: Phase


class ProposalCreate(Strict):
    title: ProjectTitle
    description: ProjectText
    cost_yuan: Yuan
    place: PlaceText
    # Required from the page (status checks and notices go by it); from the chat the resident's sender suffices.
    phone: Phone | None = None
    channel: Channel = "web"


class ReviewDecision(Strict):
    decision: Literal["accept", "reject"]
    reason: Remark  # public: residents read it next to the project
    cost_estimate_yuan: Yuan | None = None

    @model_validator(mode="after")
    def _accepted_with_cost(self) -> Self:
        if self.decision == "accept" and self.cost_estimate_yuan is None:
            raise ValueError("通过评审的项目需要填写评审估算费用")
        return self


class ProgressCreate(Strict):
    note: Remark
    status: Literal["in_progress", "completed"] = "in_progress"


class BallotCast(Strict):
    choices: list[ProjectNumber] = Field(max_length=50)
    # From the action server: the channel of X-Resident-Sender; only a WeChat openid is a verified identity.
    channel: Channel | None = None


class PhoneCodeRequest(Strict):
    phone: Phone


class PhoneCodeCheck(Strict):
    phone: Phone
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


class PhoneCodeSent(BaseModel):
    expires_in_seconds: int
    resend_after_seconds: int


class VoterToken(BaseModel):
    voter_token: str
    expires_at: datetime


class BallotChoices(BaseModel):
    round_id: int
    choices: list[str]  # YS numbers; empty: no ballot yet


class ProgressPublic(BaseModel):
    at: datetime
    note: str
    status: str


class ProjectPublic(BaseModel):
    number: str
    title: str
    cost_yuan: int
    place: str
    status: str
    status_text: str
    votes: int | None
    description: str
    review_reason: str | None
    progress: list[ProgressPublic]


class RoundPage(BaseModel):
    """`contract.budget.BudgetRoundDetail` and what the page adds."""

    id: int
    title: str
    area: str
    phase: Phase
    phase_text: str
    budget_yuan: int
    max_choices: int
    proposals_until: date
    review_until: date
    voting_until: date
    page_url: str
    sample: bool
    funding_rule: str
    proposals_received: int
    budget_used_yuan: int | None  # once the results are published
    projects: list[ProjectPublic]


class ProposalStaffView(ProjectPublic):
    """A proposal as the review panel sees it: the proposer's contact masked."""

    round_id: int
    rough_cost_yuan: int
    cost_estimate_yuan: int | None
    contact_phone: str | None
    channel: str
    reviewed_by: str | None
    created_at: datetime
