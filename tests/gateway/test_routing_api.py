"""`GET /api/routing`: staff or service token, Chinese 422 for empty text, long letters accepted, 503 without
a model, and the published answer's exact keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.migrate import upgrade
from tests.gateway.conftest import auth, make_settings

SERVICE = {"X-Service-Token": "test-service-token-0123456789abcdef"}


@pytest.fixture
def routing_client(routed_client: TestClient) -> TestClient:
    return routed_client


def test_authentication_is_required(routing_client: TestClient) -> None:
    assert routing_client.get("/api/routing", params={"text": "物业不修电梯"}).status_code == 401
    wrong = routing_client.get("/api/routing", params={"text": "物业不修电梯"}, headers={"X-Service-Token": "x"})
    assert wrong.status_code == 401 and wrong.json()["message"] == "无权调用该接口"
    bad_bearer = routing_client.get("/api/routing", params={"text": "物业"}, headers=auth("not-a-token"))
    assert bad_bearer.status_code == 401


def test_the_service_token_routes_a_request(routing_client: TestClient) -> None:
    response = routing_client.get("/api/routing", params={"text": "小区物业不修电梯"}, headers=SERVICE)
    assert response.status_code == 200, response.text
    body = response.json()
    # the contract's fields, and where the request happens (docs/routing.md "Intake dialogue")
    assert set(body) == {"category", "subcategory", "department", "confidence", "alternatives", "place", "needs_place"}
    assert body["place"] is None and body["needs_place"] is True  # 物业与小区管理 needs one; the text names none
    assert (body["category"], body["subcategory"], body["department"]) == (
        "城乡建设",
        "物业与小区管理",
        "市住房和城乡建设局",
    )
    assert 0 <= body["confidence"] <= 1 and len(body["alternatives"]) == 3
    assert all(set(a) == {"category", "subcategory", "department", "score"} for a in body["alternatives"])
    assert body["alternatives"][0]["category"] == body["category"]
    assert body["alternatives"][0]["score"] == body["confidence"]


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_a_staff_token_routes_a_request(
    routing_client: TestClient, staff_token: Callable[[str], str], role: str
) -> None:
    response = routing_client.get("/api/routing", params={"text": "公积金怎么提取"}, headers=auth(staff_token(role)))
    assert response.status_code == 200, response.text
    assert response.json()["department"] == "市住房公积金管理中心"


@pytest.fixture
def client(routing_client: TestClient) -> TestClient:
    """The staff_token fixture of conftest logs in through this client."""
    return routing_client


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused_in_chinese(routing_client: TestClient, text: str) -> None:
    response = routing_client.get("/api/routing", params={"text": text}, headers=SERVICE)
    assert response.status_code == 422
    assert response.json()["message"] == "诉求内容：请输入要分类的诉求内容"


def test_a_missing_text_parameter_is_a_422(routing_client: TestClient) -> None:
    assert routing_client.get("/api/routing", headers=SERVICE).status_code == 422


def test_a_letter_longer_than_the_limit_is_routed(routing_client: TestClient) -> None:
    from contract.limits import MAX_LETTER_CHARS

    letter = "尊敬的市长：您好！" + "楼下饭店每天晚上噪音扰民，吵得睡不着。" * 300 + "此致敬礼"
    assert len(letter) > MAX_LETTER_CHARS
    response = routing_client.get("/api/routing", params={"text": letter}, headers=SERVICE)
    assert response.status_code == 200, response.text
    assert response.json()["category"] == "环境保护"


def test_without_a_model_the_route_answers_503(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    settings = make_settings(database_url, routing_model_dir=tmp_path / "nothing-here")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/routing", params={"text": "物业不修电梯"}, headers=SERVICE)
    assert response.status_code == 503
    assert response.json()["message"] == "智能分类暂不可用，请人工选择分类或稍后再试"


def test_a_whole_letter_can_be_posted(routing_client: TestClient) -> None:
    letter = "尊敬的市长：您好！" + "小区物业不管事，电梯坏了一个月没人修。" * 1000 + "此致敬礼"
    response = routing_client.post("/api/routing", json={"text": letter}, headers=SERVICE)
    assert response.status_code == 200, response.text
    assert response.json()["category"] == "城乡建设"
    assert routing_client.post("/api/routing", json={"text": " "}, headers=SERVICE).status_code == 422
    assert routing_client.post("/api/routing", json={"text": "物业"}).status_code == 401
