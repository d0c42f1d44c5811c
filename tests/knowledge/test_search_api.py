"""`GET /api/knowledge/search` as the contract says, on a small app with the real router and error handlers."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from api.ratelimit import MemoryRateLimiter
from api.routes import knowledge as knowledge_routes
from knowledge import KnowledgeBase
from tests.gateway.conftest import make_settings


@pytest.fixture()
def client(kb: KnowledgeBase) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(knowledge_routes.router)
    # The route reads the runtime's knowledge base; its rate limit, the settings and the limiter.
    settings = make_settings("sqlite://")
    app.state.runtime = SimpleNamespace(knowledge=kb, settings=settings, limiter=MemoryRateLimiter(10_000))
    with TestClient(app) as test_client:
        yield test_client


def test_contract_shape(client: TestClient) -> None:
    response = client.get("/api/knowledge/search", params={"q": "社保卡怎么办"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "confident", "hits"}
    assert body["query"] == "社保卡怎么办" and isinstance(body["confident"], bool)
    assert len(body["hits"]) == 3
    for hit in body["hits"]:
        assert set(hit) == {"service", "department", "score", "answer", "source"}
        assert isinstance(hit["score"], float)
    assert body["hits"][0]["service"] == "社会保障卡申领"
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("k", [1, 10])
def test_k_within_bounds(client: TestClient, k: int) -> None:
    response = client.get("/api/knowledge/search", params={"q": "结婚登记", "k": k})
    assert response.status_code == 200
    assert len(response.json()["hits"]) == k


@pytest.mark.parametrize("k", [0, 11, "三"])
def test_k_out_of_bounds_is_422(client: TestClient, k: int | str) -> None:
    response = client.get("/api/knowledge/search", params={"q": "结婚登记", "k": k})
    assert response.status_code == 422
    assert "返回条数" in response.json()["message"]


@pytest.mark.parametrize("q", ["", "   ", "问" * 201])
def test_empty_or_too_long_question_is_422_in_chinese(client: TestClient, q: str) -> None:
    response = client.get("/api/knowledge/search", params={"q": q})
    assert response.status_code == 422
    assert response.json()["message"].startswith("查询内容")


def test_missing_question_is_422(client: TestClient) -> None:
    response = client.get("/api/knowledge/search")
    assert response.status_code == 422
    assert "查询内容" in response.json()["message"]


def test_without_knowledge_base_is_503(client: TestClient) -> None:
    client.app.state.runtime.knowledge = None  # type: ignore[attr-defined]
    response = client.get("/api/knowledge/search", params={"q": "社保卡"})
    assert response.status_code == 503
    assert "12345" in response.json()["message"]
