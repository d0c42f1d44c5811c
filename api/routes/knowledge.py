"""`GET /api/knowledge/search`: answers from the service knowledge base (contract.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.errors import ApiError

MAX_QUERY_CHARS = 200
MAX_HITS = 10

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])


class KnowledgeHit(BaseModel):
    service: str
    department: str
    score: float
    answer: str
    source: str


class KnowledgeSearchResult(BaseModel):
    query: str
    confident: bool
    hits: list[KnowledgeHit]


@router.get("/search", response_model=KnowledgeSearchResult)
def search_knowledge(
    request: Request,
    q: Annotated[str, Query(description="居民的问题")],
    k: Annotated[int, Query(ge=1, le=MAX_HITS, description="返回条数")] = 3,
) -> dict[str, Any]:
    """Best services for a question, best first; `confident` is false when it is outside the knowledge base.

    A plain `def`: the search is CPU work (embedding, scoring), so FastAPI runs it in its thread pool.
    """
    question = q.strip()
    if not question:
        raise ApiError(422, "empty_query", "查询内容：请输入要咨询的问题")
    if len(question) > MAX_QUERY_CHARS:
        raise ApiError(422, "query_too_long", f"查询内容：内容过长，最多{MAX_QUERY_CHARS}个字")
    knowledge = getattr(request.app.state, "knowledge", None)
    if knowledge is None:
        raise ApiError(503, "knowledge_unavailable", "知识库暂不可用，请稍后再试或拨打12345热线")
    result: dict[str, Any] = knowledge.search(question, k=k).to_dict()
    return result
