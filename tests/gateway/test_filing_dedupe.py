"""A retry or a double click never files the same request twice (FILING_DEDUPE_MINUTES), also when the two
posts arrive at once; and the receipt says where the request goes (category, subcategory, department)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db import make_engine
from api.main import create_app
from api.migrate import alembic_config, upgrade
from api.models import Case, Complaint, Ticket
from api.settings import Settings
from contract.receipts import CaseReceipt
from tests.gateway.conftest import auth, make_settings
from tests.gateway.server import serve

SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}
LEAK = "小区物业不管事，楼上水管漏水，天花板一直滴水，物业费白交了"


def count(settings: Settings, model: type[Case]) -> int:
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(model.__table__))
    engine.dispose()
    return int(stored or 0)


def test_the_same_complaint_twice_gets_the_first_receipt(client: TestClient, settings: Settings) -> None:
    body = {"description": "路灯不亮了\n已经三天", "sender": "web-dedupe", "phone": "13612345678"}
    first = client.post("/api/complaints", json=body)
    assert first.status_code == 201, first.text
    # Same text with other whitespace: a retry.
    again = client.post("/api/complaints", json={**body, "description": "  路灯不亮了  已经三天 "})
    assert again.status_code == 200, again.text
    # The same receipt; the deadline is the same instant (written back from the database in UTC).
    first_body, again_body = first.json(), again.json()
    assert datetime.fromisoformat(first_body.pop("deadline")) == datetime.fromisoformat(again_body.pop("deadline"))
    assert again_body == first_body
    assert count(settings, Complaint) == 1


def test_other_senders_texts_or_no_sender_file_separately(client: TestClient, settings: Settings) -> None:
    numbers = set()
    for body in (
        {"description": "路灯不亮了", "sender": "web-a"},
        {"description": "路灯不亮了", "sender": "web-b"},
        {"description": "路灯还是不亮", "sender": "web-a"},
        {"description": "路灯不亮了"},
        {"description": "路灯不亮了"},
    ):
        response = client.post("/api/complaints", json=body)
        assert response.status_code == 201, response.text
        numbers.add(response.json()["number"])
    assert len(numbers) == 5 and count(settings, Complaint) == 5


def test_a_complaint_and_a_ticket_of_the_same_text_are_two_cases(client: TestClient) -> None:
    complaint = client.post("/api/complaints", json={"description": "路灯不亮了", "sender": "web-k"})
    ticket = client.post("/api/tickets", json={"summary": "路灯不亮了", "sender": "web-k"}, headers=SERVICE)
    assert complaint.status_code == ticket.status_code == 201


def test_after_the_window_the_same_text_files_a_new_case(database_url: str) -> None:
    upgrade(database_url)
    with TestClient(create_app(make_settings(database_url, filing_dedupe_minutes=10))) as client:
        body = {"description": "路灯不亮了", "sender": "web-late"}
        first = client.post("/api/complaints", json=body).json()["number"]
        engine = make_engine(database_url)
        with engine.begin() as conn:
            old = conn.scalar(select(Case.created_at).where(Case.number == first))
            conn.execute(sa.update(Case).where(Case.number == first).values(created_at=old - timedelta(minutes=11)))
        engine.dispose()
        second = client.post("/api/complaints", json=body)
        assert second.status_code == 201 and second.json()["number"] != first


def test_a_repeated_escalation_keeps_the_ticket_and_the_handoff(
    client: TestClient, settings: Settings, staff_token: Callable[[str], str]
) -> None:
    body = {"summary": "要求人工处理：噪音扰民", "sender": "web-twice", "channel": "web"}
    first = client.post("/api/tickets", json=body, headers=SERVICE)
    assert first.status_code == 201, first.text
    token = staff_token("agent")
    reply = client.post(
        "/api/staff/handoff/conversations/web-twice/reply", json={"text": "您好，我是客服"}, headers=auth(token)
    )
    assert reply.status_code == 200, reply.text
    again = client.post("/api/tickets", json=body, headers=SERVICE)
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert count(settings, Ticket) == 1
    conversation = client.get("/api/staff/handoff/conversations/web-twice", headers=auth(token)).json()
    assert conversation["conversation"]["state"] == "agent"  # the agent's conversation was not restarted


def test_two_identical_posts_at_once_file_one_case(settings: Settings) -> None:
    """Threads post the same complaint (and the same ticket) together, across a real server: one case each."""
    with serve(create_app(settings)) as base_url:
        start = threading.Barrier(6)
        answers: list[httpx.Response] = []

        def post(path: str, body: dict[str, str]) -> None:
            with httpx.Client(base_url=base_url, timeout=60, headers=SERVICE) as http:
                start.wait()
                answers.append(http.post(path, json=body))

        threads = [
            threading.Thread(
                target=post, args=("/api/complaints", {"description": "井盖丢了很危险", "sender": "web-c"})
            )
            for _ in range(3)
        ] + [
            threading.Thread(target=post, args=("/api/tickets", {"summary": "井盖丢了很危险", "sender": "web-c"}))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201, 201], [a.text for a in answers]
    assert len({a.json()["number"] for a in answers}) == 2
    assert count(settings, Complaint) == 1 and count(settings, Ticket) == 1


def test_the_receipt_says_where_the_request_goes(routed_client: TestClient) -> None:
    response = routed_client.post("/api/complaints", json={"description": LEAK, "phone": "13612345678"})
    assert response.status_code == 201, response.text
    receipt = CaseReceipt.from_json(response.json())
    assert (receipt.category, receipt.subcategory, receipt.department) == (
        "城乡建设",
        "物业与小区管理",
        "市住房和城乡建设局",
    )
    ticket = routed_client.post("/api/tickets", json={"summary": "老板拖欠工资三个月不给"}, headers=SERVICE)
    assert CaseReceipt.from_json(ticket.json()).category == "劳动和社会保障"


def test_a_receipt_without_routing_has_no_category(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    settings = make_settings(database_url, routing_model_dir=tmp_path / "nothing-here")
    with TestClient(create_app(settings)) as client:
        body = client.post("/api/complaints", json={"description": "路灯不亮了"}).json()
    assert body["category"] is None and body["subcategory"] is None


def test_an_older_receipt_without_the_new_fields_still_reads() -> None:
    receipt = CaseReceipt.from_json({"number": "TS2026010100001", "kind": "complaint", "status": "submitted"})
    assert receipt.category is None and receipt.subcategory is None


def test_migration_0005_up_and_down(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    engine = sa.create_engine(database_url)
    inspector = sa.inspect(engine)
    assert "text_hash" in {c["name"] for c in inspector.get_columns("cases")}
    assert "ix_cases_sender_text_hash" in {i["name"] for i in inspector.get_indexes("cases")}
    assert "filing_locks" in inspector.get_table_names()
    command.downgrade(config, "0004")
    inspector = sa.inspect(engine)
    assert "text_hash" not in {c["name"] for c in sa.inspect(engine).get_columns("cases")}
    assert "filing_locks" not in inspector.get_table_names()
    engine.dispose()
    command.upgrade(config, "head")
