"""`POST /api/chat`: one resident message in, the assistant's replies out (through Rasa)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from api.conversation import converse
from api.deps import ResidentLimit, RuntimeDep
from api.errors import INVALID_JSON, ApiError
from api.replies import TOO_FAST
from contract.limits import MAX_LETTER_CHARS

router = APIRouter(prefix="/api", tags=["chat"], dependencies=[ResidentLimit])


class ChatIn(BaseModel):
    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    # Any text: an empty or too long one is answered in Chinese (api/conversation.py), not refused.
    message: str = Field(description=f"the resident's text; over {MAX_LETTER_CHARS} characters is not sent on")
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None, description="the title of the button pressed, when `message` is its payload"
    )


class ChatOut(BaseModel):
    messages: list[dict[str, Any]]


async def read_chat_body(request: Request) -> ChatIn:
    """JSON body, also when a client sends it as text/plain (some embeds cannot set the content type)."""
    raw = await request.body()
    try:
        return ChatIn.model_validate(json.loads(raw or b"null"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(422, "invalid_json", INVALID_JSON) from None
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        message = "缺少用户标识（sender）" if "sender" in fields or not fields else "消息格式不正确"
        raise ApiError(
            422, "invalid_chat", message, errors=exc.errors(include_url=False, include_context=False)
        ) from None


@router.post(
    "/chat",
    response_model=ChatOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatIn.model_json_schema()}},
        }
    },
)
async def chat(request: Request, runtime: RuntimeDep) -> ChatOut:
    body = await read_chat_body(request)
    if not runtime.limiter.allow(f"sender:{body.sender}"):
        raise ApiError(429, "rate_limited", TOO_FAST)
    messages = await converse(request.app, "web", body.sender, body.message, body.title)
    return ChatOut(messages=messages)
