"""Case kinds as the contract defines them: served by `GET /api/case-kinds`, and every status of every kind
read back through `GET /api/status/{number}` with the kind's own Chinese text (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.db import make_engine, make_session_factory, transaction
from api.models import CASE_KINDS, BudgetRound, Case, Community
from api.settings import Settings
from contract.case_kinds import CASE_KINDS as SPECS
from contract.case_kinds import CaseKind
from tests.gateway.conftest import auth
from tests.gateway.test_personal_data import with_check_digit

PHONE = "13812345678"
LATIN = re.compile(r"[A-Za-z]")


def file(client: TestClient, kind: str, agent_token: str) -> str:
    """A fresh case of the kind, through its filing endpoint; returns its number."""
    bodies: dict[str, tuple[str, dict[str, object], dict[str, str]]] = {
        "application": (
            "/api/applications",
            {
                "service": "社会保障卡申领",
                "applicant_name": "王五",
                "id_number": with_check_digit("34150219900101123"),
                "phone": PHONE,
            },
            {},
        ),
        "complaint": ("/api/complaints", {"description": "社保窗口排队两个小时没人管", "phone": PHONE}, {}),
        "suggestion": (
            "/api/suggestions",
            {"content": "建议公交站增加遮阳棚", "topic": "公共交通", "phone": PHONE, "sender": "s1"},
            {},
        ),
        "ticket": ("/api/staff/tickets", {"summary": "路灯不亮", "phone": PHONE}, auth(agent_token)),
        "incident": (
            "/api/incidents",
            {"kind": "报修", "community": "样例·测试社区", "description": "楼道灯坏了好几天"}
            | {"phone": PHONE, "sender": "s1"},
            {},
        ),
    }
    if kind == "incident":
        # A community without grids: the incident is filed and waits, unassigned, as `reported`.
        with transaction(client.app.state.runtime.sessions) as session:  # type: ignore[attr-defined]
            session.add(Community(name="样例·测试社区", sample=True))
    if kind == "proposal":
        with transaction(client.app.state.runtime.sessions) as session:  # type: ignore[attr-defined]
            far = date(2099, 12, 31)
            budget_round = BudgetRound(title="样例轮次", area="样例街道", budget_yuan=1_000_000, max_choices=1)
            budget_round.phase, budget_round.opened_by, budget_round.sample = "proposals", "test", True
            budget_round.proposals_until = budget_round.review_until = budget_round.voting_until = far
            session.add(budget_round)
            session.flush()
            path = f"/api/budget/rounds/{budget_round.id}/proposals"
        proposal = {"title": "加装电梯", "description": "老楼加装电梯方便老人", "cost_yuan": 100, "place": "样例社区"}
        bodies["proposal"] = (path, proposal | {"phone": PHONE}, {})
    path, body, headers = bodies[kind]
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["kind"] == kind and receipt["status"] == SPECS[kind].initial_status
    return str(receipt["number"])


def test_every_kind_has_a_model_in_the_contract_order() -> None:
    assert list(CASE_KINDS) == list(SPECS)
    assert all(model.SPEC is SPECS[kind] for kind, model in CASE_KINDS.items())


def test_case_kinds_are_served_from_the_contract(client: TestClient) -> None:
    response = client.get("/api/case-kinds")
    assert response.status_code == 200
    served = {entry["kind"]: entry for entry in response.json()}
    assert list(served) == list(SPECS)
    for kind, spec in SPECS.items():
        entry = served[kind]
        assert (entry["prefix"], entry["name"]) == (spec.prefix, spec.name)
        assert entry["statuses"] == [{"status": s, "text": t} for s, t in spec.statuses.items()]
        assert entry["transitions"] == {s: sorted(ts) for s, ts in spec.transitions.items()}
        assert entry["has_deadline"] == (spec.deadline_setting is not None)


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_every_status_reads_the_kinds_chinese_text(
    client: TestClient, settings: Settings, staff_token: Callable[[str], str], spec: CaseKind
) -> None:
    """A resident who looks a case up reads the kind's text for each status, never a status code."""
    number = file(client, spec.kind, staff_token("agent"))
    sessions = make_session_factory(make_engine(settings.database_url))
    for status, text in spec.statuses.items():
        with transaction(sessions) as session:
            session.execute(update(Case).where(Case.number == number).values(status=status))
        response = client.get(f"/api/status/{number}", params={"phone_last4": PHONE[-4:]})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["status_text"]) == (status, text)
        assert (body["kind"], body["kind_text"]) == (spec.kind, spec.name)
        assert not LATIN.search(body["status_text"] + body["kind_text"]), body
        assert body["closed"] is spec.is_closed(status)
        assert body["updated_at"] and body["number"] == number


def test_a_resolved_complaint_reads_as_done(client: TestClient, staff_token: Callable[[str], str]) -> None:
    """The old bug: the actions printed "当前状态：resolved". The gateway now sends the text to print."""
    agent = staff_token("agent")
    number = file(client, "complaint", agent)
    moved = client.post(f"/api/staff/cases/{number}/status", json={"status": "resolved"}, headers=auth(agent))
    assert moved.status_code == 200 and moved.json()["status_text"] == "已办结"
    assert "description" in moved.json() and "id_number" not in moved.json()  # its own kind's columns only
    body = client.get(f"/api/status/{number}", params={"phone_last4": PHONE[-4:]}).json()
    assert (body["kind_text"], body["status_text"], body["closed"]) == ("投诉", "已办结", True)
