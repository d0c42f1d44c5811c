"""An agent closing an application in the console tells the applicant who filed it from a conversation: done with
the result, or not accepted with the reason, which is required and which the status check then shows (masked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.gateway.conftest import auth
from tests.gateway.test_residents import ID_NUMBER
from tests.senders import internal_sender, issued_sender

Token = Callable[[str], str]
SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


def applied(client: TestClient) -> tuple[str, str]:
    """An application filed from a web conversation: (the resident's issued sender, the case number)."""
    resident = issued_sender(client)
    body = {
        "service": "社会保障卡申领",
        "applicant_name": "李四",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "sender": internal_sender(resident),
        "channel": "web",
    }
    filed = client.post("/api/applications", json=body, headers=SERVICE)
    assert filed.status_code == 201, filed.text
    return resident, filed.json()["number"]


def stream(client: TestClient, resident: str) -> list[dict[str, Any]]:
    return list(client.get("/api/handoff/messages", params={"sender": resident}).json()["lines"])


def set_status(client: TestClient, number: str, token: str, status: str, note: str | None = None) -> Any:
    body = {"status": status} if note is None else {"status": status, "note": note}
    return client.post(f"/api/staff/cases/{number}/status", json=body, headers=auth(token))


def test_a_rejection_needs_a_reason_which_the_applicant_is_told(client: TestClient, staff_token: Token) -> None:
    resident, number = applied(client)
    agent = staff_token("agent")
    for note in (None, "   "):
        refused = set_status(client, number, agent, "rejected", note)
        assert (refused.status_code, refused.json()["detail"]) == (422, "note_required")
        assert refused.json()["message"] == "改为“未予受理”需要填写说明，办事人会收到这条说明"
    assert stream(client, resident) == []
    reason = "身份证复印件不清晰，请联系13812345678重新提交"
    assert set_status(client, number, agent, "rejected", reason).status_code == 200
    [line] = stream(client, resident)
    assert line["text"].startswith(f"您的办事申请{number}未予受理（")
    assert f"说明：{reason}\n如有疑问，可以随时问我。" in line["text"]
    assert not line.get("buttons")  # a decision is not rated or redone here
    status = client.get(f"/api/status/{number}", params={"phone_last4": "5678"}).json()
    # Kept masked: the staff member's note may carry a phone number.
    assert status["status_text"] == "未予受理，原因：身份证复印件不清晰，请联系138****5678重新提交"


def test_an_application_done_tells_the_result_and_steps_on_the_way_tell_nothing(
    client: TestClient, staff_token: Token
) -> None:
    resident, number = applied(client)
    agent = staff_token("agent")
    for status in ("accepted", "processing"):
        assert set_status(client, number, agent, status).status_code == 200
    assert stream(client, resident) == []
    assert set_status(client, number, agent, "done", "新卡已制好，请到市民中心3号窗口领取").status_code == 200
    [line] = stream(client, resident)
    assert line["text"].startswith(f"您的办事申请{number}已办结（")
    assert line["text"].endswith("处理结果：新卡已制好，请到市民中心3号窗口领取\n如有疑问，可以随时问我。")
    status = client.get(f"/api/status/{number}", params={"phone_last4": "5678"}).json()
    assert status["status_text"] == "已办结"


def test_a_suggestion_adopted_in_the_console_is_told_its_decision(client: TestClient, staff_token: Token) -> None:
    resident = issued_sender(client)
    body = {
        "sender": internal_sender(resident),
        "topic": "停车",
        "content": "建议老城区夜间开放机关停车场",
        "channel": "web",
    }
    number = client.post("/api/suggestions", json=body, headers=SERVICE).json()["number"]
    assert (
        set_status(client, number, staff_token("agent"), "adopted", "已转市公安局交警支队研究试行").status_code == 200
    )
    [line] = stream(client, resident)
    assert line["text"].startswith(f"您的建议{number}已采纳（")
    assert "说明：已转市公安局交警支队研究试行\n如有疑问，可以随时问我。" in line["text"]
