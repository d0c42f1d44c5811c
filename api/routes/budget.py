"""参与式预算 for residents: rounds and their projects, proposals, the phone check and ballots.

Proposals and ballots come from the budget page (a phone; a voter token from a confirmed phone) or from the
action server (service token and X-Resident-Sender; a ballot only for a WeChat resident, whose sender is
their openid). docs/community.md describes the whole flow.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.budget_schemas import (
    BallotCast,
    BallotChoices,
    Phase,
    PhoneCodeCheck,
    PhoneCodeRequest,
    PhoneCodeSent,
    ProposalCreate,
    RoundPage,
    VoterToken,
)
from api.case_views import receipt
from api.db import transaction
from api.deps import ResidentLimit, RowId, RuntimeDep, SessionDep, client_ip, named_resident
from api.errors import ApiError
from api.models import utcnow
from api.senders import CHANNEL_REFUSED, ResidentCallerDep
from api.services import ballots, budget
from api.services.phone_codes import VOTE, check_code, phone_key, send_code
from api.voters import current_voter, issue_voter_token, voter_key
from contract.budget import BallotReceipt
from contract.budget import BudgetRound as RoundSummary
from contract.receipts import CaseReceipt

router = APIRouter(prefix="/api/budget", tags=["budget"], dependencies=[ResidentLimit])


@router.get("/rounds", response_model=list[RoundSummary])
def list_rounds(session: SessionDep, phase: Annotated[Phase | None, Query()] = None) -> list[RoundSummary]:
    """Rounds residents can take part in first (proposals, review, voting), then those with results."""
    return [budget.summary(r) for r in budget.list_rounds(session, phase)]


@router.get("/rounds/{round_id}", response_model=RoundPage)
def round_page(round_id: RowId, session: SessionDep) -> dict[str, Any]:
    """A round with its reviewed projects; vote counts stay null until the results are published."""
    return budget.round_page(session, budget.find_round(session, round_id))


@router.post("/rounds/{round_id}/proposals", status_code=201, response_model=CaseReceipt, responses=CHANNEL_REFUSED)
def propose(
    round_id: RowId,
    body: ProposalCreate,
    request: Request,
    caller: ResidentCallerDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> CaseReceipt:
    """A project for a round taking proposals (409 `not_accepting_proposals` otherwise). From the page a phone
    is required (the status check and the notices go by it); from the action server, the resident's sender."""
    body = caller.body(body)
    sender = None
    if caller.vouched:
        sender = named_resident(request)
        if not sender:
            raise ApiError(422, "sender_required", "缺少居民标识（X-Resident-Sender）")
    elif body.phone is None:
        raise ApiError(422, "phone_required", "请留一个手机号，方便您查询评审进度。")
    return receipt(budget.file_proposal(session, runtime, round_id, body, sender, utcnow()))


@router.post("/phone-codes", status_code=202, response_model=PhoneCodeSent)
def request_code(body: PhoneCodeRequest, request: Request, runtime: RuntimeDep, session: SessionDep) -> PhoneCodeSent:
    """Text a one-time code to the phone (429 when asked for too often)."""
    send_code(session, runtime, body.phone, client_ip(request, runtime), utcnow(), purpose=VOTE)
    settings = runtime.settings
    return PhoneCodeSent(
        expires_in_seconds=settings.sms_code_minutes * 60, resend_after_seconds=settings.sms_resend_seconds
    )


@router.post("/phone-codes/verify", response_model=VoterToken)
def confirm_code(body: PhoneCodeCheck, runtime: RuntimeDep) -> VoterToken:
    """The code texted to the phone -> a voter token for `X-Voter-Token`; a wrong code counts as a try."""
    now = utcnow()
    with transaction(runtime.sessions) as session:  # committed before an error answer: the try counts
        outcome = check_code(session, runtime, phone_key(runtime, body.phone), body.code, now)
    if outcome.error is not None:
        raise outcome.error
    token, expires = issue_voter_token(runtime, voter_key(runtime, "phone", body.phone), now)
    return VoterToken(voter_token=token, expires_at=expires)


@router.get("/rounds/{round_id}/ballot", response_model=BallotChoices)
def my_ballot(
    round_id: RowId,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    channel: Annotated[str | None, Query(max_length=16)] = None,
) -> BallotChoices:
    """The choices of the verified voter's ballot in the round (empty: not voted yet)."""
    voter = current_voter(request, runtime, channel)
    return BallotChoices(round_id=round_id, choices=ballots.current(session, round_id, voter))


@router.put("/rounds/{round_id}/ballot", response_model=BallotReceipt)
def vote(
    round_id: RowId, body: BallotCast, request: Request, runtime: RuntimeDep, session: SessionDep
) -> BallotReceipt:
    """Cast or replace the voter's ballot: `choices` are YS numbers of accepted projects, at most the round's
    `max_choices`, each once; only while the round is voting."""
    voter = current_voter(request, runtime, body.channel)
    return ballots.cast(session, runtime, round_id, voter, body.choices, utcnow())
