"""Resident endpoints on SQLite and PostgreSQL: filing, validation messages, status lookup."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.db import make_engine
from api.settings import Settings
from tests.gateway.test_personal_data import with_check_digit
from tests.senders import issued_sender

ID_NUMBER = with_check_digit("34150219900101123")
NUMBER = re.compile(r"^(LA|TS|JY|GD)\d{8,}$")


def complaint(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {"description": "社保窗口排队两个小时没人管", "phone": "13812345678", "name": "张三"}
    body.update(overrides)
    return body


def test_complaint_gets_a_number_and_a_three_working_day_deadline(client: TestClient) -> None:
    response = client.post("/api/complaints", json=complaint(service="社会保障卡申领"))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["number"].startswith("TS") and NUMBER.match(data["number"])
    assert data["status"] == "pending"
    assert data["department"] == "市人力资源和社会保障局"  # from the service catalogue
    assert data["deadline"] is not None


def test_application_online_service(client: TestClient) -> None:
    body = {"service": "社会保障卡申领", "applicant_name": "李四", "id_number": ID_NUMBER, "phone": "13912345678"}
    response = client.post("/api/applications", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["number"].startswith("LA") and data["status"] == "submitted"
    assert data["expected_completion"] >= data["number"][2:6]  # a real date string, not empty


def test_application_for_offline_only_service_is_refused_with_the_place(client: TestClient) -> None:
    body = {"service": "结婚登记", "applicant_name": "李四", "id_number": ID_NUMBER, "phone": "13912345678"}
    response = client.post("/api/applications", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == "not_online"
    assert "现场办理" in response.json()["message"]


def test_unknown_service(client: TestClient) -> None:
    body = {"service": "登月许可", "applicant_name": "李四", "id_number": ID_NUMBER, "phone": "13912345678"}
    response = client.post("/api/applications", json=body)
    assert response.status_code == 422 and response.json()["detail"] == "unknown_service"


def test_every_invalid_field_is_named_in_chinese(client: TestClient) -> None:
    bad_id = ID_NUMBER[:-1] + ("1" if ID_NUMBER[-1] != "1" else "2")
    body = {"service": "社会保障卡申领", "applicant_name": "李", "id_number": bad_id, "phone": "12345"}
    response = client.post("/api/applications", json=body)
    assert response.status_code == 422
    data = response.json()
    assert {tuple(e["loc"])[-1] for e in data["detail"]} == {"applicant_name", "id_number", "phone"}
    for label in ("申请人姓名", "身份证号", "手机号码"):
        assert label in data["message"]


def test_missing_fields_and_unknown_fields(client: TestClient) -> None:
    response = client.post("/api/complaints", json={"phone": "13812345678", "extra": 1})
    assert response.status_code == 422
    assert "投诉内容：必填项未填写" in response.json()["message"]


def test_a_complaint_may_be_a_problem_in_a_few_characters(client: TestClient) -> None:
    filed = client.post("/api/complaints", json={"description": "路灯坏了", "phone": "13812345678"})
    assert filed.status_code == 201, filed.text
    too_short = client.post("/api/complaints", json={"description": "坏了", "phone": "13812345678"})
    assert too_short.status_code == 422 and "投诉内容：内容过短，至少3个字" in too_short.json()["message"]


def test_malformed_json_is_a_422_not_a_500(client: TestClient) -> None:
    response = client.post("/api/complaints", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_status_lookup_needs_the_matching_phone(client: TestClient) -> None:
    number = client.post("/api/complaints", json=complaint()).json()["number"]
    ok = client.get(f"/api/status/{number}", params={"phone_last4": "5678"})
    assert ok.status_code == 200
    assert ok.json()["kind"] == "complaint" and ok.json()["kind_text"] == "投诉"
    # The complaint's own text (contract/case_kinds.py), not a table shared with the other kinds.
    assert ok.json()["status_text"] == "已受理，等待处理" and ok.json()["closed"] is False
    wrong_phone = client.get(f"/api/status/{number}", params={"phone_last4": "0000"})
    unknown = client.get("/api/status/TS2099010100001", params={"phone_last4": "5678"})
    garbage = client.get("/api/status/hello", params={"phone_last4": "5678"})
    assert wrong_phone.status_code == unknown.status_code == garbage.status_code == 404
    # The same answer whichever was wrong, so case numbers cannot be probed.
    assert wrong_phone.json() == unknown.json() == garbage.json()
    assert client.get(f"/api/status/{number}", params={"phone_last4": "56"}).status_code == 422
    assert client.get(f"/api/status/{number.lower()}", params={"phone_last4": "5678"}).status_code == 200


def test_personal_data_is_encrypted_at_rest(client: TestClient, settings: Settings) -> None:
    body = {"service": "社会保障卡申领", "applicant_name": "王五", "id_number": ID_NUMBER, "phone": "13712345678"}
    number = client.post("/api/applications", json=body).json()["number"]
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.contact_phone, c.contact_name, a.id_number FROM cases c "
                "JOIN applications a ON a.id = c.id WHERE c.number = :n"
            ),
            {"n": number},
        ).one()
    engine.dispose()
    stored = " ".join(row)
    assert "13712345678" not in stored and "王五" not in stored and ID_NUMBER not in stored


def test_evaluation_of_a_case_counts_for_its_service(client: TestClient) -> None:
    number = client.post("/api/complaints", json=complaint(service="住房公积金提取", sender="web:r1")).json()["number"]
    rating = {"stars": 4, "comment": "处理及时", "case_number": number, "sender": "web:r1"}
    response = client.post("/api/evaluations", json=rating)
    assert response.status_code == 201
    assert response.json()["service"] == "住房公积金提取"
    assert client.post("/api/evaluations", json={"stars": 6}).status_code == 422
    assert client.post("/api/evaluations", json={"stars": 3, "case_number": "TS2099010100001"}).status_code == 404


def test_service_catalogue_is_loaded_from_the_knowledge_files(client: TestClient) -> None:
    services = {s["name"]: s for s in client.get("/api/services").json()}
    assert {"社会保障卡申领", "住房公积金提取", "个人所得税年度汇算"} <= services.keys()
    marriage = services["结婚登记"]
    assert marriage["online"] is False and marriage["offline_steps"] and marriage["materials"]


def test_chat_accepts_text_plain_and_answers_politely_when_rasa_is_down(client: TestClient) -> None:
    body = json.dumps({"sender": issued_sender(client), "message": "你好"})
    response = client.post("/api/chat", content=body.encode(), headers={"content-type": "text/plain"})
    assert response.status_code == 200
    assert "12345" in response.json()["messages"][0]["text"]
    missing_sender = client.post("/api/chat", json={"message": "你好"})
    assert missing_sender.status_code == 422 and "sender" in missing_sender.json()["message"]
    broken = client.post("/api/chat", content=b'{"sender": "r1", "message": ', headers={"content-type": "text/plain"})
    assert broken.status_code == 422 and broken.json()["detail"] == "invalid_json"


def test_health_reports_each_dependency(client: TestClient) -> None:
    data = client.get("/health").json()
    assert data["checks"]["database"]["ok"] is True
    assert data["checks"]["rasa"]["ok"] is False
    assert data["status"] == "degraded"
