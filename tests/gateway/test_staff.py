"""Staff endpoints: authentication, roles, masking, audited reads, status pipeline, assignment, stats."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.gateway.conftest import auth
from tests.gateway.test_residents import ID_NUMBER, complaint

Token = Callable[[str], str]


def test_staff_endpoints_need_a_valid_token(client: TestClient) -> None:
    assert client.get("/api/staff/cases").status_code == 401
    bad = client.get("/api/staff/cases", headers=auth("not-a-token"))
    assert bad.status_code == 401 and bad.json()["message"] == "登录已失效，请重新登录"


def test_wrong_password_is_refused_and_audited(client: TestClient, staff_token: Token) -> None:
    admin = staff_token("admin")
    response = client.post("/api/auth/login", json={"username": "admin1", "password": "wrong-password"})
    assert response.status_code == 401 and response.json()["message"] == "用户名或密码错误"
    log = client.get("/api/staff/audit", headers=auth(admin)).json()
    assert any(e["action"] == "login_failed" and e["actor"] == "admin1" for e in log)


def test_roles_are_checked(client: TestClient, staff_token: Token) -> None:
    agent = staff_token("agent")
    assert client.get("/api/staff/audit", headers=auth(agent)).status_code == 403
    new_user = {"username": "x1", "display_name": "某", "role": "agent", "password": "long-enough-pw"}
    assert client.post("/api/staff/users", json=new_user, headers=auth(agent)).status_code == 403
    consultation = {"title": "测试征集", "summary": "内容"}
    assert client.post("/api/staff/consultations", json=consultation, headers=auth(agent)).status_code == 403


def test_lists_and_reads_are_masked_and_audited(client: TestClient, staff_token: Token) -> None:
    body = {"service": "社会保障卡申领", "applicant_name": "赵六", "id_number": ID_NUMBER, "phone": "13812345678"}
    number = client.post("/api/applications", json=body).json()["number"]
    agent, supervisor, admin = staff_token("agent"), staff_token("supervisor"), staff_token("admin")

    listing = client.get("/api/staff/cases", params={"kind": "application"}, headers=auth(agent)).json()
    row = next(r for r in listing["items"] if r["number"] == number)
    assert row["contact_name"] == "赵*" and row["contact_phone"] == "138****5678"

    masked = client.get(f"/api/staff/cases/{number}", headers=auth(agent)).json()
    assert masked["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert client.get(f"/api/staff/cases/{number}?reveal=true", headers=auth(agent)).status_code == 403

    revealed = client.get(f"/api/staff/cases/{number}?reveal=true", headers=auth(supervisor)).json()
    assert revealed["id_number"] == ID_NUMBER and revealed["contact_phone"] == "13812345678"

    log = client.get("/api/staff/audit", params={"target": number}, headers=auth(admin)).json()
    actions = [(e["actor"], e["action"]) for e in log]
    assert ("agent1", "read") in actions and ("supervisor1", "read_pii") in actions
    assert ("resident", "create") in actions


def test_status_pipeline(client: TestClient, staff_token: Token) -> None:
    agent = staff_token("agent")
    number = client.post("/api/complaints", json=complaint()).json()["number"]
    skip = client.post(f"/api/staff/cases/{number}/status", json={"status": "done"}, headers=auth(agent))
    assert skip.status_code == 409 and set(skip.json()["allowed"]) == {"processing", "resolved"}
    step = client.post(f"/api/staff/cases/{number}/status", json={"status": "processing"}, headers=auth(agent))
    assert step.status_code == 200 and step.json()["status"] == "processing"
    done = client.post(f"/api/staff/cases/{number}/status", json={"status": "resolved"}, headers=auth(agent))
    assert done.json()["allowed_status"] == [] and done.json()["card"] == "none"
    status = client.get(f"/api/status/{number}", params={"phone_last4": "5678"}).json()
    assert status["status"] == "resolved"


def test_assignment(client: TestClient, staff_token: Token) -> None:
    agent = staff_token("agent")
    number = client.post("/api/complaints", json=complaint()).json()["number"]
    assert client.post(f"/api/staff/cases/{number}/assign", json={}, headers=auth(agent)).status_code == 422
    unknown = client.post(f"/api/staff/cases/{number}/assign", json={"agent": "nobody"}, headers=auth(agent))
    assert unknown.status_code == 422
    body = {"department": "市人力资源和社会保障局", "category": "劳动和社会保障", "agent": "agent1"}
    data = client.post(f"/api/staff/cases/{number}/assign", json=body, headers=auth(agent)).json()
    assert (data["department"], data["category"], data["assigned_to"]) == tuple(body.values())
    mine = client.get("/api/staff/cases", params={"assigned_to": "agent1"}, headers=auth(agent)).json()
    assert [r["number"] for r in mine["items"]] == [number]


def test_agent_ticket_and_stats(client: TestClient, staff_token: Token) -> None:
    agent = staff_token("agent")
    ticket = client.post(
        "/api/staff/tickets",
        json={"summary": "来电反映小区路灯不亮", "phone": "13612345678", "category": "城乡建设"},
        headers=auth(agent),
    )
    assert ticket.status_code == 201 and ticket.json()["number"].startswith("GD")
    client.post("/api/evaluations", json={"stars": 5, "service": "住房公积金提取"})
    client.post("/api/evaluations", json={"stars": 2, "service": "住房公积金提取"})
    stats = client.get("/api/staff/stats", headers=auth(agent)).json()
    admin = staff_token("admin")
    evaluations = [e for e in client.get("/api/staff/audit", headers=auth(admin)).json() if e["action"] == "evaluate"]
    assert sorted(e["detail"]["stars"] for e in evaluations) == [2, 5]
    assert stats["cases"]["ticket"]["open"] == 1
    assert stats["top_categories"][0] == {"category": "城乡建设", "count": 1}
    gjj = next(s for s in stats["satisfaction"] if s["service"] == "住房公积金提取")
    assert gjj == {"service": "住房公积金提取", "count": 2, "average": 3.5, "share_4_5": 0.5}


def test_escalation_endpoint_needs_the_service_token(client: TestClient) -> None:
    body = {
        "summary": "居民要求人工",
        "sender": "web-1",
        "channel": "web",
        "transcript": [{"role": "resident", "text": "转人工"}],
    }
    assert client.post("/api/tickets", json=body).status_code == 401
    made = client.post("/api/tickets", json=body, headers={"X-Service-Token": "test-service-token-0123456789abcdef"})
    assert made.status_code == 201 and made.json()["number"].startswith("GD")
    about_a_service = {**body, "sender": "web-2", "service": "住房公积金提取"}  # same text, other sender
    routed = client.post(
        "/api/tickets", json=about_a_service, headers={"X-Service-Token": "test-service-token-0123456789abcdef"}
    )
    assert routed.json()["department"] == "市住房公积金管理中心"


def test_admin_creates_users(client: TestClient, staff_token: Token) -> None:
    admin = staff_token("admin")
    body = {"username": "zhang.san", "display_name": "张坐席", "role": "agent", "password": "a-long-password"}
    assert client.post("/api/staff/users", json=body, headers=auth(admin)).status_code == 201
    assert client.post("/api/staff/users", json=body, headers=auth(admin)).status_code == 409
    login = client.post("/api/auth/login", json={"username": "zhang.san", "password": "a-long-password"})
    assert login.status_code == 200 and login.json()["role"] == "agent"
    short = {**body, "username": "li.si", "password": "short"}
    assert client.post("/api/staff/users", json=short, headers=auth(admin)).status_code == 422
