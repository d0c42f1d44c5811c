"""The console's intake tools: agents' routing corrections exported as training data, and the 相似工单 panel
(api/services/routing_corrections.py, api/services/similar_cases.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, true

from api.db import make_engine, make_session_factory, transaction
from api.models import Case, CaseEmbedding
from api.services.similar_cases import similar_cases
from knowledge.embedders import HashingEmbedder
from knowledge.routing.data import HEADER
from tests.gateway.conftest import auth
from tests.gateway.test_case_routing import LEAK, complain, read

WAGES = "老板拖欠我们工资三个月了，电话13912345678也不接"


def export(client: TestClient, token: str) -> list[list[str]]:
    response = client.get("/api/staff/routing/corrections.tsv", headers=auth(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    return list(csv.reader(io.StringIO(response.text), delimiter="\t"))


def test_an_agents_correction_is_exported_as_a_training_example(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    number = complain(routed_client, LEAK + "，联系我13812345678")
    agent = staff_token("agent")
    assert read(routed_client, agent, number)["category"] == "城乡建设"
    response = routed_client.post(
        f"/api/staff/cases/{number}/assign",
        json={"category": "环境保护", "subcategory": "水污染"},
        headers=auth(agent),
    )
    assert response.status_code == 200, response.text
    lines = export(routed_client, staff_token("supervisor"))
    assert tuple(lines[0]) == HEADER
    assert lines[1][0].startswith("# ") and "城乡建设" in lines[1][0] and "agent1" in lines[1][0]
    level1, level2, style, text = lines[2]
    assert (level1, level2, style) == ("环境保护", "水污染", "chat")
    assert "13812345678" not in text and text.startswith(LEAK)


def test_confirming_the_routers_category_is_no_correction(
    routed_client: TestClient, staff_token: Callable[[str], str]
) -> None:
    number = complain(routed_client, LEAK)
    agent = staff_token("agent")
    case = read(routed_client, agent, number)
    response = routed_client.post(
        f"/api/staff/cases/{number}/assign",
        json={"category": case["category"], "subcategory": case["subcategory"], "department": "市城市管理局"},
        headers=auth(agent),
    )
    assert response.status_code == 200, response.text
    assert len(export(routed_client, staff_token("supervisor"))) == 1  # the header only


def test_only_supervisors_export_corrections(routed_client: TestClient, staff_token: Callable[[str], str]) -> None:
    response = routed_client.get("/api/staff/routing/corrections.tsv", headers=auth(staff_token("agent")))
    assert response.status_code == 403
    assert response.json()["message"]


def test_similar_cases_rank_by_meaning_and_show_masked_texts(
    routed_client: TestClient, database_url: str, staff_token: Callable[[str], str]
) -> None:
    earlier_leak = complain(routed_client, "楼上住户的水管漏水，我家天花板一直在滴水")
    earlier_wages = complain(routed_client, WAGES)
    complain(routed_client, "小区门口的路灯坏了好几天")
    number = complain(routed_client, LEAK)
    later = complain(routed_client, "楼上水管漏水，天花板滴水")  # filed after: not an earlier case
    sessions = make_session_factory(make_engine(database_url))
    embedder = HashingEmbedder()
    with transaction(sessions) as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        found = similar_cases(session, embedder, case, true())
    numbers = [row["number"] for row in found]
    assert numbers[0] == earlier_leak
    assert number not in numbers and later not in numbers
    assert len(numbers) == 3
    wages = next(row for row in found if row["number"] == earlier_wages)
    assert "13912345678" not in wages["text"] and wages["category"] == "劳动和社会保障"
    assert found[0]["score"] > wages["score"]
    with transaction(sessions) as session:  # embedded once, then reused
        assert len(session.scalars(select(CaseEmbedding)).all()) == 5


def test_similar_cases_need_the_knowledge_model(routed_client: TestClient, staff_token: Callable[[str], str]) -> None:
    number = complain(routed_client, LEAK)
    response = routed_client.get(f"/api/staff/cases/{number}/similar", headers=auth(staff_token("agent")))
    assert response.status_code == 503
    assert "相似工单" in response.json()["message"]
