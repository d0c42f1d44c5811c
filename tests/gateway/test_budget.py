"""Participatory budgeting through the API (SQLite and PostgreSQL): phases, proposals, review, the phone
check, ballots and their refusals, the funding rule, notices to proposers, and many voters at once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any, get_args
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.budget_schemas import Phase
from api.db import make_engine
from api.main import create_app
from api.models import Ballot, BallotChoice
from api.senders import WEB_PREFIX, wechat_sender
from api.services.budget import Candidate, choose_funded
from api.settings import Settings
from contract.budget import PHASES, BallotReceipt, BudgetRound, BudgetRoundDetail
from contract.receipts import CaseReceipt
from tests.gateway.conftest import auth
from tests.gateway.server import serve

SERVICE_TOKEN = "test-service-token-0123456789abcdef"
Token = Callable[[str], str]


def for_resident(sender: str) -> dict[str, str]:
    """The action server calling for a resident, the sender percent-encoded as actions/case_api.py sends it."""
    return {"X-Service-Token": SERVICE_TOKEN, "X-Resident-Sender": quote(sender, safe="")}


def wechat(openid: str) -> dict[str, str]:
    """The action server calling for a WeChat resident (`wx:<openid>`, whose openid is a verified voter)."""
    return for_resident(wechat_sender(openid))


def open_round(client: TestClient, staff_token: Token, budget: int = 3_000_000, max_choices: int = 2) -> int:
    soon = date.today() + timedelta(days=30)
    body = {
        "title": "样例街道2027年度民生项目",
        "area": "样例街道",
        "budget_yuan": budget,
        "max_choices": max_choices,
        "proposals_until": soon.isoformat(),
        "review_until": (soon + timedelta(days=10)).isoformat(),
        "voting_until": (soon + timedelta(days=20)).isoformat(),
    }
    response = client.post("/api/staff/budget/rounds", json=body, headers=auth(staff_token("supervisor")))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def propose(client: TestClient, round_id: int, title: str, cost: int, phone: str = "13812345678") -> str:
    body = {"title": title, "description": f"{title}：样例提议，方便居民生活。", "cost_yuan": cost, "place": "样例社区"}
    response = client.post(f"/api/budget/rounds/{round_id}/proposals", json={**body, "phone": phone})
    assert response.status_code == 201, response.text
    return CaseReceipt.from_json(response.json()).number


def decide(client: TestClient, staff_token: Token, number: str, accept: bool, cost: int | None = None) -> Any:
    body: dict[str, Any] = {"decision": "accept" if accept else "reject", "reason": "样例评审意见"}
    if cost is not None:
        body["cost_estimate_yuan"] = cost
    return client.post(f"/api/staff/budget/proposals/{number}/review", json=body, headers=auth(staff_token("agent")))


def move(client: TestClient, staff_token: Token, round_id: int, phase: str) -> Any:
    return client.post(
        f"/api/staff/budget/rounds/{round_id}/phase", json={"phase": phase}, headers=auth(staff_token("supervisor"))
    )


def voting_round(
    client: TestClient, staff_token: Token, costs: dict[str, int], budget: int = 3_000_000
) -> tuple[int, dict[str, str]]:
    """A round in the voting phase whose projects (title -> reviewed cost) were all accepted."""
    round_id = open_round(client, staff_token, budget, max_choices=len(costs))
    numbers = {title: propose(client, round_id, title, cost) for title, cost in costs.items()}
    assert move(client, staff_token, round_id, "review").status_code == 200
    for title, number in numbers.items():
        assert decide(client, staff_token, number, True, costs[title]).status_code == 200
    assert move(client, staff_token, round_id, "voting").status_code == 200
    return round_id, numbers


def vote(client: TestClient, round_id: int, openid: str, choices: list[str]) -> httpx.Response:
    return client.put(
        f"/api/budget/rounds/{round_id}/ballot", json={"choices": choices, "channel": "wechat"}, headers=wechat(openid)
    )


def test_the_phase_type_is_the_contracts_list() -> None:
    assert get_args(Phase) == PHASES


def test_a_round_goes_through_its_phases_one_step_at_a_time(client: TestClient, staff_token: Token) -> None:
    soon = (date.today() + timedelta(days=5)).isoformat()
    body = {"title": "样例轮次", "area": "样例社区", "budget_yuan": 100, "max_choices": 1}
    dates = {"proposals_until": soon, "review_until": soon, "voting_until": soon}
    refused = client.post("/api/staff/budget/rounds", json={**body, **dates}, headers=auth(staff_token("agent")))
    assert refused.status_code == 403
    backwards = {**dates, "voting_until": date.today().isoformat()}
    bad_dates = client.post(
        "/api/staff/budget/rounds", json={**body, **backwards}, headers=auth(staff_token("supervisor"))
    )
    assert bad_dates.status_code == 422 and "日期顺序" in bad_dates.json()["message"]

    round_id = open_round(client, staff_token)
    listed = [BudgetRound.from_json(r) for r in client.get("/api/budget/rounds", params={"phase": "proposals"}).json()]
    assert [r.id for r in listed] == [round_id] and listed[0].page_url == f"/budget?round={round_id}"
    assert client.get("/api/budget/rounds", params={"phase": "voting"}).json() == []
    assert client.get("/api/budget/rounds", params={"phase": "later"}).status_code == 422

    skipped = move(client, staff_token, round_id, "voting")
    assert skipped.status_code == 409 and skipped.json()["detail"] == "invalid_phase_change"
    assert skipped.json()["allowed"] == ["review"]

    number = propose(client, round_id, "加装电梯", 800_000)
    assert move(client, staff_token, round_id, "review").status_code == 200
    late = client.post(
        f"/api/budget/rounds/{round_id}/proposals",
        json={
            "title": "晚到的提议",
            "description": "征集结束后才提交的提议",
            "cost_yuan": 1,
            "place": "某处",
            "phone": "13812345678",
        },
    )
    assert late.status_code == 409 and late.json()["detail"] == "not_accepting_proposals"
    waiting = move(client, staff_token, round_id, "voting")
    assert waiting.status_code == 409 and waiting.json()["detail"] == "unreviewed_proposals"
    assert waiting.json()["numbers"] == [number]


def test_a_proposal_from_the_page_needs_a_phone_and_its_status_is_checked_by_it(
    client: TestClient, staff_token: Token
) -> None:
    round_id = open_round(client, staff_token)
    body = {
        "title": "社区食堂",
        "description": "为老年人开办社区食堂，电话13912345678",
        "cost_yuan": 600_000,
        "place": "样例社区",
    }
    no_phone = client.post(f"/api/budget/rounds/{round_id}/proposals", json=body)
    assert no_phone.status_code == 422 and no_phone.json()["detail"] == "phone_required"
    bad_phone = client.post(f"/api/budget/rounds/{round_id}/proposals", json={**body, "phone": "123"})
    assert bad_phone.status_code == 422 and "手机号" in bad_phone.json()["message"]
    no_round = client.post("/api/budget/rounds/999/proposals", json={**body, "phone": "13812345678"})
    assert no_round.status_code == 404 and no_round.json()["detail"] == "round_not_found"

    created = client.post(f"/api/budget/rounds/{round_id}/proposals", json={**body, "phone": "13812345678"})
    receipt = CaseReceipt.from_json(created.json())
    assert re.fullmatch(r"YS\d{13}", receipt.number) and receipt.kind == "proposal" and receipt.status == "submitted"

    status = client.get(f"/api/status/{receipt.number}", params={"phone_last4": "5678"})
    assert status.status_code == 200 and status.json()["status_text"] == "已提交，等待评审"
    assert client.get(f"/api/status/{receipt.number}", params={"phone_last4": "0000"}).status_code == 404

    # Not published before the review; once reviewed, with the phone in the text masked.
    page = client.get(f"/api/budget/rounds/{round_id}").json()
    assert page["projects"] == [] and page["proposals_received"] == 1
    move(client, staff_token, round_id, "review")
    no_cost = decide(client, staff_token, receipt.number, True)
    assert no_cost.status_code == 422 and "评审估算费用" in no_cost.json()["message"]
    assert decide(client, staff_token, receipt.number, True, 650_000).status_code == 200
    again = decide(client, staff_token, receipt.number, False)
    assert again.status_code == 409 and again.json()["detail"] == "invalid_transition"
    page = BudgetRoundDetail.from_json(client.get(f"/api/budget/rounds/{round_id}").json())
    (project,) = page.projects
    assert project.cost_yuan == 650_000 and project.votes is None and project.status == "accepted"
    assert "13912345678" not in client.get(f"/api/budget/rounds/{round_id}").text

    staff_view = client.get(f"/api/staff/budget/rounds/{round_id}/proposals", headers=auth(staff_token("agent")))
    assert staff_view.json()[0]["contact_phone"] == "138****5678"
    assert client.get(f"/api/staff/budget/rounds/{round_id}/proposals").status_code == 401


def test_the_action_server_proposes_for_its_resident_who_is_told_of_the_review(
    client: TestClient, staff_token: Token
) -> None:
    round_id = open_round(client, staff_token)
    body = {
        "title": "口袋公园",
        "description": "把闲置空地改成口袋公园",
        "cost_yuan": 300_000,
        "place": "样例社区3栋旁",
        "channel": "web",
    }
    unnamed = client.post(
        f"/api/budget/rounds/{round_id}/proposals", json=body, headers={"X-Service-Token": SERVICE_TOKEN}
    )
    assert unnamed.status_code == 422 and unnamed.json()["detail"] == "sender_required"
    sender = f"{WEB_PREFIX}resident-1"
    created = client.post(f"/api/budget/rounds/{round_id}/proposals", json=body, headers=for_resident(sender))
    receipt = CaseReceipt.from_json(created.json())
    assert created.status_code == 201 and receipt.query_code is not None  # no phone: a query code stands in

    decide(client, staff_token, receipt.number, False)
    hub = client.app.state.handoff  # type: ignore[attr-defined]
    lines = client.portal.call(hub.lines, sender)  # type: ignore[union-attr]
    assert [line.text for line in lines] == [
        f"您提议的项目“口袋公园”（{receipt.number}）这次没有通过评审。原因：样例评审意见。感谢您的参与！"
    ]
    status = client.get(f"/api/status/{receipt.number}", params={"phone_last4": receipt.query_code}).json()
    assert status["status_text"] == "未通过评审，原因：样例评审意见" and status["closed"] is True


def test_ballots_are_refused_with_reasons(client: TestClient, staff_token: Token) -> None:
    round_id = open_round(client, staff_token, max_choices=2)
    numbers = [propose(client, round_id, title, 100_000) for title in ("加装电梯", "社区食堂", "口袋公园", "停车棚")]
    early = vote(client, round_id, "openid-1", numbers[:1])
    assert early.status_code == 409 and early.json()["detail"] == "voting_not_started"
    move(client, staff_token, round_id, "review")
    for number in numbers[:3]:
        decide(client, staff_token, number, True, 100_000)
    decide(client, staff_token, numbers[3], False)
    move(client, staff_token, round_id, "voting")

    def refused(choices: list[str], openid: str = "openid-1") -> tuple[int, str, str]:
        response = vote(client, round_id, openid, choices)
        return response.status_code, response.json()["detail"], response.json()["message"]

    assert refused([])[:2] == (422, "no_choice")
    assert refused([numbers[0], numbers[0].lower()])[:2] == (422, "duplicate_choice")
    status, detail, message = refused(numbers[:3])
    assert (status, detail) == (422, "too_many_choices") and "最多选2个" in message
    assert refused([numbers[0], "YS2020010100001"])[:2] == (422, "unknown_project")
    status, detail, message = refused([numbers[3]])
    assert (status, detail) == (422, "not_on_ballot") and numbers[3] in message and "没有通过评审" in message
    web_sender = client.put(
        f"/api/budget/rounds/{round_id}/ballot", json={"choices": numbers[:1], "channel": "web"}, headers=wechat("w1")
    )
    assert web_sender.status_code == 401 and web_sender.json()["detail"] == "voter_not_verified"
    anonymous = client.put(f"/api/budget/rounds/{round_id}/ballot", json={"choices": numbers[:1]})
    assert anonymous.status_code == 401
    forged = client.put(
        f"/api/budget/rounds/{round_id}/ballot",
        json={"choices": numbers[:1], "channel": "wechat"},
        headers={"X-Service-Token": "wrong-token-0123456789abcdefghijkl", "X-Resident-Sender": "openid-1"},
    )
    assert forged.status_code == 401

    first = BallotReceipt.from_json(vote(client, round_id, "openid-1", numbers[:2]).json())
    assert first.choices == tuple(numbers[:2]) and not first.replaced
    changed = BallotReceipt.from_json(vote(client, round_id, "openid-1", [numbers[2]]).json())
    assert changed.replaced and changed.choices == (numbers[2],)
    mine = client.get(f"/api/budget/rounds/{round_id}/ballot", params={"channel": "wechat"}, headers=wechat("openid-1"))
    assert mine.json()["choices"] == [numbers[2]]
    page = client.get(f"/api/budget/rounds/{round_id}").json()
    assert all(p["votes"] is None for p in page["projects"])  # hidden until the results

    move(client, staff_token, round_id, "results")
    closed = refused([numbers[0]])
    assert closed[:2] == (409, "voting_closed")


@pytest.mark.parametrize(
    ("candidates", "budget", "funded"),
    [
        # The second does not fit in what is left: skipped, the cheaper third still funded.
        ([("YS1", 2_000_000, 9), ("YS2", 1_500_000, 7), ("YS3", 900_000, 5)], 3_000_000, ["YS1", "YS3"]),
        # Equal votes: the cheaper first, then the earlier number.
        ([("YS2", 500, 3), ("YS1", 500, 3), ("YS3", 400, 3)], 900, ["YS3", "YS1"]),
        # Nothing fits.
        ([("YS1", 5_000, 1)], 4_999, []),
        # Exactly the budget.
        ([("YS1", 1_000, 2), ("YS2", 2_000, 1)], 3_000, ["YS1", "YS2"]),
    ],
)
def test_the_funding_rule(candidates: list[tuple[str, int, int]], budget: int, funded: list[str]) -> None:
    assert choose_funded([Candidate(*c) for c in candidates], budget) == funded


def test_results_fund_by_votes_within_the_budget_and_tell_the_proposers(client: TestClient, staff_token: Token) -> None:
    costs = {"加装电梯": 2_000_000, "社区食堂": 1_500_000, "口袋公园": 900_000}
    round_id, numbers = voting_round(client, staff_token, costs)
    elevator, canteen, park = numbers["加装电梯"], numbers["社区食堂"], numbers["口袋公园"]
    ballots = [[elevator, canteen, park]] * 3 + [[elevator, canteen]] * 2 + [[elevator]]
    for i, choices in enumerate(ballots):
        assert vote(client, round_id, f"openid-{i}", choices).status_code == 200

    page = move(client, staff_token, round_id, "results").json()
    by_number = {p["number"]: p for p in page["projects"]}
    assert {n: by_number[n]["votes"] for n in numbers.values()} == {elevator: 6, canteen: 5, park: 3}
    assert {n: by_number[n]["status"] for n in numbers.values()} == {
        elevator: "funded",
        canteen: "not_funded",  # 5 votes, but 1,500,000 no longer fits after 2,000,000
        park: "funded",
    }
    assert page["budget_used_yuan"] == 2_900_000 and "跳过" in page["funding_rule"]

    progress = client.post(
        f"/api/staff/budget/proposals/{park}/progress",
        json={"note": "样例：已完成设计招标", "status": "in_progress"},
        headers=auth(staff_token("agent")),
    )
    assert progress.status_code == 201 and progress.json()["status"] == "in_progress"
    not_funded = client.post(
        f"/api/staff/budget/proposals/{canteen}/progress", json={"note": "开工"}, headers=auth(staff_token("agent"))
    )
    assert not_funded.status_code == 409
    shown = {p["number"]: p for p in client.get(f"/api/budget/rounds/{round_id}").json()["projects"]}
    assert [u["note"] for u in shown[park]["progress"]] == ["样例：已完成设计招标"]


def _code(client: TestClient, phone: str) -> str:
    text = client.app.state.runtime.sms.last_to(phone)  # type: ignore[attr-defined]
    match = re.search(r"\d{6}", text or "")
    assert match, text
    return match.group(0)


def test_a_phone_confirmed_by_its_code_votes_once(client: TestClient, staff_token: Token) -> None:
    round_id, numbers = voting_round(client, staff_token, {"加装电梯": 1_000_000, "社区食堂": 600_000})
    phone = "13900001111"
    assert client.post("/api/budget/phone-codes", json={"phone": "1390000"}).status_code == 422
    sent = client.post("/api/budget/phone-codes", json={"phone": phone})
    assert sent.status_code == 202 and sent.json()["expires_in_seconds"] == 300
    again = client.post("/api/budget/phone-codes", json={"phone": phone})
    assert again.status_code == 429 and again.json()["detail"] == "code_recently_sent"
    code = _code(client, phone)
    wrong = "000000" if code != "000000" else "111111"
    miss = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": wrong})
    assert miss.status_code == 400 and miss.json()["attempts_left"] == 4 and "还可以再试4次" in miss.json()["message"]
    token = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": code}).json()["voter_token"]
    used = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": code})
    assert used.status_code == 400 and used.json()["detail"] == "code_expired"

    headers = {"X-Voter-Token": token}
    first = client.put(
        f"/api/budget/rounds/{round_id}/ballot", json={"choices": [numbers["加装电梯"]]}, headers=headers
    )
    assert first.status_code == 200 and not first.json()["replaced"]
    second = client.put(
        f"/api/budget/rounds/{round_id}/ballot", json={"choices": [numbers["社区食堂"]]}, headers=headers
    )
    assert second.json()["replaced"]
    bad = client.put(
        f"/api/budget/rounds/{round_id}/ballot",
        json={"choices": [numbers["社区食堂"]]},
        headers={"X-Voter-Token": "x.y.z"},
    )
    assert bad.status_code == 401 and bad.json()["detail"] == "voter_token_expired"
    # A staff token is no voter token.
    staff = client.put(
        f"/api/budget/rounds/{round_id}/ballot",
        json={"choices": [numbers["社区食堂"]]},
        headers={"X-Voter-Token": staff_token("agent")},
    )
    assert staff.status_code == 401

    engine = make_engine(client.app.state.runtime.settings.database_url)  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Ballot.__table__)) == 1
        voters = conn.scalars(select(Ballot.voter)).all()
    engine.dispose()
    assert phone not in voters[0]


def test_a_code_expires_and_allows_only_so_many_tries(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.models import utcnow

    phone = "13900002222"
    client.post("/api/budget/phone-codes", json={"phone": phone})
    code = _code(client, phone)
    later = utcnow() + timedelta(minutes=6)
    with monkeypatch.context() as patched:
        patched.setattr("api.routes.budget.utcnow", lambda: later)
        expired = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": code})
        assert expired.status_code == 400 and expired.json()["detail"] == "code_expired"
        # Past the resend wait: a new code, the old one no longer works.
        assert client.post("/api/budget/phone-codes", json={"phone": phone}).status_code == 202
        new_code = _code(client, phone)
        wrong = next(c for c in ("000000", "111111", "222222") if c not in (new_code,))
        for left in (4, 3, 2, 1, 0):
            miss = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": wrong})
            assert miss.status_code == 400 and miss.json()["attempts_left"] == left
        locked = client.post("/api/budget/phone-codes/verify", json={"phone": phone, "code": new_code})
        assert locked.status_code == 429 and locked.json()["detail"] == "too_many_attempts"


def test_texts_per_phone_and_address_are_limited(settings: Settings) -> None:
    tight = settings.model_copy(update={"sms_resend_seconds": 1, "sms_per_phone_hour": 2, "sms_per_address_minute": 3})
    with TestClient(create_app(tight)) as client:
        import api.routes.budget as routes
        from api.models import utcnow

        start = utcnow()
        answers = []
        for i in range(3):
            routes_now = start + timedelta(seconds=2 * i)
            original = routes.utcnow
            routes.utcnow = lambda at=routes_now: at  # type: ignore[assignment]
            try:
                answers.append(
                    client.post("/api/budget/phone-codes", json={"phone": "13900003333"}).json().get("detail")
                )
            finally:
                routes.utcnow = original
        assert answers == [None, None, "too_many_codes"]
        other = client.post("/api/budget/phone-codes", json={"phone": "13900004444"})
        assert other.status_code == 429 and other.json()["detail"] == "too_many_codes"  # the address's 4th


def test_many_voters_at_once_lose_nothing(client: TestClient, staff_token: Token, settings: Settings) -> None:
    """50 WeChat voters at once, 25 of them sending two different ballots at the same moment: one ballot per
    voter, each exactly one of what that voter sent, and the published counts are those of the ballots."""
    round_id, numbers = voting_round(client, staff_token, {"加装电梯": 1, "社区食堂": 1, "口袋公园": 1})
    projects = sorted(numbers.values())

    def choices(i: int, second: bool) -> list[str]:
        return [projects[(i + 1) % 3]] if second else [projects[i % 3], projects[(i + 2) % 3]]

    tasks = [(i, False) for i in range(50)] + [(i, True) for i in range(25)]
    with serve(create_app(settings)) as base_url:

        def cast(task: tuple[int, bool]) -> int:
            i, second = task
            with httpx.Client(base_url=base_url, timeout=60) as http:
                body = {"choices": choices(i, second), "channel": "wechat"}
                return http.put(
                    f"/api/budget/rounds/{round_id}/ballot", json=body, headers=wechat(f"oid-{i}")
                ).status_code

        with ThreadPoolExecutor(max_workers=25) as pool:
            codes = list(pool.map(cast, sorted(tasks, key=lambda t: (t[0] % 25, t[1]))))
    assert codes == [200] * len(tasks)

    url = f"/api/budget/rounds/{round_id}/ballot"
    final = {
        i: client.get(url, params={"channel": "wechat"}, headers=wechat(f"oid-{i}")).json()["choices"]
        for i in range(50)
    }
    for i, chosen in final.items():
        assert chosen in ([sorted(choices(i, False))] + ([choices(i, True)] if i < 25 else [])), (i, chosen)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Ballot.__table__)) == 50
        assert conn.scalar(select(func.count()).select_from(BallotChoice.__table__)) == sum(map(len, final.values()))
    engine.dispose()

    page = move(client, staff_token, round_id, "results").json()
    expected = Counter(number for chosen in final.values() for number in chosen)
    assert {p["number"]: p["votes"] for p in page["projects"]} == {n: expected[n] for n in projects}
