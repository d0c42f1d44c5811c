"""Residents' text as it really comes: empty or very long chat messages, long letters, complaints with a
landline or without any phone (a query code then stands in for the phone's last 4 digits)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Complaint, Ticket
from api.replies import NOTHING_RECEIVED, too_long
from api.settings import Settings
from contract.limits import MAX_LETTER_CHARS
from tests.gateway.test_residents import complaint
from tests.senders import issued_sender


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
def test_an_empty_chat_message_is_answered_in_chinese(client: TestClient, message: str) -> None:
    response = client.post("/api/chat", json={"sender": issued_sender(client), "message": message})
    assert response.status_code == 200
    assert response.json() == {"messages": [{"text": NOTHING_RECEIVED}]}


def test_a_chat_message_over_the_limit_goes_on_cut_and_says_so(client: TestClient) -> None:
    letter = "我家楼下的路灯坏了很久。" * (MAX_LETTER_CHARS // 10)
    response = client.post("/api/chat", json={"sender": issued_sender(client), "message": letter})
    assert response.status_code == 200
    note, *answer = response.json()["messages"]
    assert note["text"] == too_long(MAX_LETTER_CHARS) and str(MAX_LETTER_CHARS) in note["text"]
    assert "路灯" not in note["text"]
    # The first MAX_LETTER_CHARS characters went on to the assistant (here: down, so they became a ticket).
    assert answer and "12345" in answer[0]["text"]
    at_limit_body = {"sender": issued_sender(client), "message": "灯" * MAX_LETTER_CHARS}
    at_limit = client.post("/api/chat", json=at_limit_body).json()
    assert at_limit["messages"][0]["text"] != note["text"] and "12345" in at_limit["messages"][0]["text"]


def test_a_complaint_with_a_landline_is_checked_with_its_last_four_digits(client: TestClient) -> None:
    response = client.post("/api/complaints", json=complaint(phone="(0564) 337-2301"))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["query_code"] is None
    status = client.get(f"/api/status/{data['number']}", params={"phone_last4": "2301"})
    assert status.status_code == 200 and status.json()["kind"] == "complaint"


def test_a_complaint_without_a_phone_gets_a_query_code(client: TestClient, settings: Settings) -> None:
    body = complaint()
    del body["phone"]
    codes = set()
    for _ in range(3):
        response = client.post("/api/complaints", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        code = data["query_code"]
        assert isinstance(code, str) and len(code) == 4 and code.isdigit()
        codes.add(code)
        assert client.get(f"/api/status/{data['number']}", params={"phone_last4": code}).status_code == 200
        wrong = f"{(int(code) + 1) % 10_000:04d}"
        refused = client.get(f"/api/status/{data['number']}", params={"phone_last4": wrong})
        assert refused.status_code == 404 and "查询码" in refused.json()["message"]
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        stored = session.scalars(select(Complaint).where(Complaint.phone_last4.in_(codes))).all()
        assert stored and all(c.contact_phone is None for c in stored)


def test_a_wrong_phone_is_named_as_a_contact_phone(client: TestClient) -> None:
    response = client.post("/api/complaints", json=complaint(phone="3372301"))
    assert response.status_code == 422
    assert "联系电话" in response.json()["message"] and "0564-3372301" in response.json()["message"]


def test_long_letters_are_accepted_up_to_the_limit(client: TestClient) -> None:
    letter = "字" * MAX_LETTER_CHARS
    assert client.post("/api/complaints", json=complaint(description=letter)).status_code == 201
    too_long_letter = client.post("/api/complaints", json=complaint(description=letter + "字"))
    assert too_long_letter.status_code == 422 and str(MAX_LETTER_CHARS) in too_long_letter.json()["message"]
    suggestion = {"content": letter, "topic": "城市建设", "sender": "r-letter"}
    assert client.post("/api/suggestions", json=suggestion).status_code == 201


def test_a_ticket_accepts_a_landline_and_a_long_summary(client: TestClient, settings: Settings) -> None:
    body = {"summary": "居" * MAX_LETTER_CHARS, "phone": "0564-3372301", "channel": "hotline"}
    response = client.post("/api/tickets", json=body, headers={"X-Service-Token": settings.service_token})
    assert response.status_code == 201, response.text
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == response.json()["number"])).one()
        assert (ticket.contact_phone, ticket.phone_last4) == ("0564-3372301", "2301")


def test_a_danger_is_answered_first_with_whom_to_call(client: TestClient) -> None:
    # Whoever answers the rest (here the assistant is down, so the message is kept for an agent), the resident
    # first reads the number to call now.
    sender = issued_sender(client)
    response = client.post("/api/chat", json={"sender": sender, "message": "楼道里好大一股煤气味"})
    assert response.status_code == 200
    advice, *rest = response.json()["messages"]
    assert advice["text"].startswith("【紧急提醒】") and "119" in advice["text"]
    assert rest and "【紧急提醒】" not in rest[0]["text"]
    ordinary = client.post("/api/chat", json={"sender": sender, "message": "社保卡丢了怎么补办"}).json()
    assert all("【紧急提醒】" not in message["text"] for message in ordinary["messages"])
