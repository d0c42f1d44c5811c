"""Per-department case access (api/case_access.py): an agent of 市住房和城乡建设局 cannot list, read or change a
市交通运输局 case through any kind of route (404 as for a number that does not exist, the attempt audited); the
centre's own agents and supervisors can; an agent may hand its own case to another department."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.case_access import visible
from api.db import make_engine, make_session_factory, transaction
from api.deps import Staff
from api.models import Case, StaffUser
from api.security import Role, hash_password
from api.services.similar_cases import similar_cases
from api.settings import Settings
from knowledge.embedders import HashingEmbedder
from tests.gateway.conftest import PASSWORD, auth

HOUSING = "市住房和城乡建设局"
TRANSPORT = "市交通运输局"
SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}
MISSING = "TS2026010199999"  # a well-formed number no case has

Headers = dict[str, str]


@pytest.fixture
def login(client: TestClient, settings: Settings) -> Callable[[str, str, str | None], Headers]:
    """A staff account of this role and department, and its bearer header."""
    sessions = make_session_factory(make_engine(settings.database_url))

    def headers(username: str, role: str, department: str | None = None) -> Headers:
        with transaction(sessions) as session:
            session.add(
                StaffUser(
                    username=username,
                    display_name=username,
                    role=role,
                    department=department,
                    password_hash=hash_password(PASSWORD),
                )
            )
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return auth(response.json()["access_token"])

    return headers


class Desk:
    """The staff accounts and the cases of each department."""

    def __init__(self, client: TestClient, login: Callable[[str, str, str | None], Headers]) -> None:
        self.client = client
        self.housing = login("housing1", "agent", HOUSING)
        self.centre = login("centre1", "agent", None)
        self.supervisor = login("chief1", "supervisor", None)
        self.admin = login("admin1", "admin", None)
        self.transport_complaint = self.file("/api/complaints", description="公交站台的顶棚漏雨", department=TRANSPORT)
        self.housing_complaint = self.file("/api/complaints", description="小区电梯经常停运", department=HOUSING)
        self.transport_ticket = self.file(
            "/api/tickets", summary="出租车拒载", department=TRANSPORT, sender="web-transport", channel="web"
        )
        self.housing_ticket = self.file("/api/tickets", summary="公租房申请进度", department=HOUSING)
        self.centre_ticket = self.file("/api/tickets", summary="不知道找哪个部门")  # not dispatched: 待分拨

    def file(self, path: str, **body: Any) -> str:
        response = self.client.post(path, json=body, headers=SERVICE)
        assert response.status_code == 201, response.text
        return str(response.json()["number"])

    def audit(self, number: str) -> list[dict[str, Any]]:
        response = self.client.get("/api/staff/audit", params={"target": number}, headers=self.admin)
        assert response.status_code == 200, response.text
        return list(response.json())


@pytest.fixture
def desk(client: TestClient, login: Callable[[str, str, str | None], Headers]) -> Iterator[Desk]:
    yield Desk(client, login)


def numbers(page: dict[str, Any]) -> set[str]:
    return {item["number"] for item in page["items"]}


def test_lists_show_an_agent_only_its_departments_cases(desk: Desk) -> None:
    client = desk.client
    housing = client.get("/api/staff/cases", headers=desk.housing).json()
    assert numbers(housing) == {desk.housing_complaint, desk.housing_ticket} and housing["total"] == 2
    # Asking for the other department by name finds nothing either.
    other = client.get("/api/staff/cases", params={"department": TRANSPORT}, headers=desk.housing).json()
    assert other == {"total": 0, "items": []}
    everything = {
        desk.transport_complaint,
        desk.housing_complaint,
        desk.transport_ticket,
        desk.housing_ticket,
        desk.centre_ticket,
    }
    for headers in (desk.centre, desk.supervisor):
        assert numbers(client.get("/api/staff/cases", headers=headers).json()) == everything

    # 待分拨 is the centre's: none for the department's agent.
    assert client.get("/api/staff/triage", headers=desk.housing).json()["total"] == 0
    assert desk.centre_ticket in numbers(client.get("/api/staff/triage", headers=desk.centre).json())

    # The console's open tickets and the handed-off conversations.
    queue = client.get("/api/staff/handoff/queue", headers=desk.housing).json()
    assert {t["number"] for t in queue["tickets"]} == {desk.housing_ticket}
    assert queue["conversations"] == []
    queue = client.get("/api/staff/handoff/queue", headers=desk.centre).json()
    assert {t["number"] for t in queue["tickets"]} == {desk.transport_ticket, desk.housing_ticket, desk.centre_ticket}
    assert [c["ticket"] for c in queue["conversations"]] == [desk.transport_ticket]

    # The statistics count the department's cases only.
    stats = client.get("/api/staff/stats", headers=desk.housing).json()
    assert sum(n for by_status in stats["cases"].values() for n in by_status.values()) == 2
    stats = client.get("/api/staff/stats", headers=desk.supervisor).json()
    assert sum(n for by_status in stats["cases"].values() for n in by_status.values()) == 5


def test_another_departments_case_is_not_found_for_reads_and_changes_and_audited(desk: Desk) -> None:
    client = desk.client
    number = desk.transport_complaint
    missing = client.get(f"/api/staff/cases/{MISSING}", headers=desk.housing)
    attempts = {
        "read": client.get(f"/api/staff/cases/{number}", headers=desk.housing),
        "similar": client.get(f"/api/staff/cases/{number}/similar", headers=desk.housing),
        "status": client.post(f"/api/staff/cases/{number}/status", json={"status": "resolved"}, headers=desk.housing),
        "assign": client.post(f"/api/staff/cases/{number}/assign", json={"department": HOUSING}, headers=desk.housing),
        "dispatch": client.post(
            f"/api/staff/handoff/tickets/{desk.transport_ticket}/dispatch",
            json={"category": "城乡建设", "subcategory": "住房保障", "department": HOUSING},
            headers=desk.housing,
        ),
        # Not dispatched yet: the centre's, so not the department's to take either.
        "take": client.post(
            f"/api/staff/cases/{desk.centre_ticket}/assign", json={"department": HOUSING}, headers=desk.housing
        ),
    }
    for attempt, response in attempts.items():
        # Exactly the answer for a number that does not exist: it does not tell the case is there.
        assert response.status_code == 404, (attempt, response.text)
        assert response.json() == missing.json(), attempt

    case = client.get(f"/api/staff/cases/{number}", headers=desk.supervisor).json()
    assert (case["status"], case["department"]) == ("pending", TRANSPORT)
    ticket = client.get(f"/api/staff/cases/{desk.transport_ticket}", headers=desk.centre).json()
    assert (ticket["status"], ticket["department"]) == ("open", TRANSPORT)
    centre_ticket = client.get(f"/api/staff/cases/{desk.centre_ticket}", headers=desk.centre).json()
    assert centre_ticket["department"] is None

    refused = [e for e in desk.audit(number) if e["action"] == "case_refused"]
    assert sorted(e["detail"]["attempted"] for e in refused) == ["assign", "read", "similar", "status"]
    assert {(e["actor"], e["role"], e["detail"]["department"]) for e in refused} == {("housing1", "agent", HOUSING)}
    assert [e["detail"]["attempted"] for e in desk.audit(desk.transport_ticket) if e["action"] == "case_refused"] == [
        "dispatch"
    ]


def test_the_centre_and_a_supervisor_work_any_departments_case(desk: Desk) -> None:
    client = desk.client
    for headers in (desk.centre, desk.supervisor):
        assert client.get(f"/api/staff/cases/{desk.transport_complaint}", headers=headers).status_code == 200
    moved = client.post(
        f"/api/staff/cases/{desk.transport_complaint}/status", json={"status": "processing"}, headers=desk.centre
    )
    assert moved.status_code == 200, moved.text
    dispatched = client.post(
        f"/api/staff/handoff/tickets/{desk.centre_ticket}/dispatch",
        json={"category": "交通运输", "subcategory": "公交出行"},
        headers=desk.supervisor,
    )
    assert dispatched.status_code == 200 and dispatched.json()["department"] == TRANSPORT
    assert not any(e["action"] == "case_refused" for e in desk.audit(desk.transport_complaint))


def test_an_agent_hands_its_case_to_another_department_and_then_no_longer_sees_it(desk: Desk) -> None:
    client = desk.client
    dispatched = client.post(
        f"/api/staff/handoff/tickets/{desk.housing_ticket}/dispatch",
        json={"category": "交通运输", "subcategory": "公交出行", "department": TRANSPORT},
        headers=desk.housing,
    )
    assert dispatched.status_code == 200, dispatched.text
    assert (dispatched.json()["department"], dispatched.json()["routed_by"]) == (TRANSPORT, "housing1")
    assigned = client.post(
        f"/api/staff/cases/{desk.housing_complaint}/assign", json={"department": TRANSPORT}, headers=desk.housing
    )
    assert assigned.status_code == 200 and assigned.json()["department"] == TRANSPORT
    assert client.get("/api/staff/cases", headers=desk.housing).json()["total"] == 0
    assert client.get(f"/api/staff/cases/{desk.housing_ticket}", headers=desk.housing).status_code == 404
    assert client.get(f"/api/staff/cases/{desk.housing_ticket}", headers=desk.centre).status_code == 200


def test_a_conversation_on_another_departments_ticket_is_not_in_the_agents_queue(desk: Desk) -> None:
    client = desk.client
    path = "/api/staff/handoff/conversations/web-transport"
    for attempt in (
        client.get(path, headers=desk.housing),
        client.post(path + "/reply", json={"text": "您好，我来处理"}, headers=desk.housing),
        client.post(path + "/resolve", headers=desk.housing),
        client.post(path + "/release", headers=desk.housing),
    ):
        assert attempt.status_code == 404, attempt.text
        assert attempt.json()["detail"] == "conversation_not_found"
    conversation = client.get(path, headers=desk.centre).json()
    assert conversation["lines"] == [] and conversation["conversation"]["state"] == "waiting"  # nothing was sent
    refused = [e["detail"]["attempted"] for e in desk.audit(desk.transport_ticket) if e["action"] == "case_refused"]
    assert sorted(refused) == ["handoff_release", "handoff_reply", "handoff_resolve", "read"]
    assert client.post(path + "/reply", json={"text": "您好，我来处理"}, headers=desk.centre).status_code == 200


def test_similar_cases_are_only_those_the_agent_may_see(desk: Desk, settings: Settings) -> None:
    client = desk.client
    own = desk.file("/api/complaints", description="公交站台的顶棚又漏雨了", department=HOUSING)
    sessions = make_session_factory(make_engine(settings.database_url))
    housing = Staff("housing1", Role.AGENT, "housing1", HOUSING)
    centre = Staff("centre1", Role.AGENT, "centre1")
    with transaction(sessions) as session:
        case = session.scalars(select(Case).where(Case.number == own)).one()
        seen = {row["number"] for row in similar_cases(session, HashingEmbedder(), case, visible(housing))}
        every = {row["number"] for row in similar_cases(session, HashingEmbedder(), case, visible(centre))}
    assert seen == {desk.housing_complaint, desk.housing_ticket}
    assert desk.transport_complaint in every and desk.transport_complaint not in seen
    assert client.get(f"/api/staff/cases/{own}/similar", headers=desk.housing).status_code == 503  # no embedder here
