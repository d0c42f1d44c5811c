"""`GET /api/knowledge/search`: answers from the service knowledge base (contract.md)."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ResidentLimit, RuntimeDep
from api.errors import ApiError
from contract.knowledge import SearchResult

MAX_QUERY_CHARS = 200
MAX_HITS = 10

# Every search embeds the question (CPU work): capped like the other resident endpoints.
router = APIRouter(prefix="/api/knowledge", tags=["knowledge"], dependencies=[ResidentLimit])


# contract.md publishes these fields; the rest of the contract's result (aspect, follow_up ...) is for the
# NLU and the actions and stays out of this answer.
PUBLISHED = {"query", "confident", "hits"}
INTERNAL = {f.name for f in fields(SearchResult)} - PUBLISHED


@router.get("/search", response_model=SearchResult, response_model_exclude=INTERNAL)
def search_knowledge(
    runtime: RuntimeDep,
    q: Annotated[str, Query(description="居民的问题")],
    k: Annotated[int, Query(ge=1, le=MAX_HITS, description="返回条数")] = 3,
) -> SearchResult:
    """Best services for a question, best first; `confident` is false when it is outside the knowledge base.

    A plain `def`: the search is CPU work (embedding, scoring), so FastAPI runs it in its thread pool.
    """
    question = q.strip()
    if not question:
        raise ApiError(422, "empty_query", "查询内容：请输入要咨询的问题")
    if len(question) > MAX_QUERY_CHARS:
        raise ApiError(422, "query_too_long", f"查询内容：内容过长，最多{MAX_QUERY_CHARS}个字")
    if runtime.knowledge is None:
        raise ApiError(503, "knowledge_unavailable", "知识库暂不可用，请稍后再试或拨打12345热线")
    return runtime.knowledge.search(question, k=k)
