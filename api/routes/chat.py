"""`POST /api/chat`: one resident message in, the assistant's replies out (through Rasa); `POST /api/chat/session`:
the widget's sender id, which every later call must carry (api/senders.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from api.conversation import converse
from api.deps import ResidentLimit, RuntimeDep
from api.errors import INVALID_JSON, ApiError
from api.replies import TOO_FAST
from api.senders import SENDER_REFUSED, issue_web_sender, web_sender
from contract.limits import MAX_LETTER_CHARS

router = APIRouter(prefix="/api", tags=["chat"], dependencies=[ResidentLimit])


class ChatSession(BaseModel):
    sender: str = Field(description="the resident's id for `/api/chat`, the photo upload and the handoff stream")


class ChatIn(BaseModel):
    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] = Field(
        description="an id issued by `POST /api/chat/session`"
    )
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


@router.post("/chat/session", response_model=ChatSession, status_code=201)
def chat_session(runtime: RuntimeDep) -> ChatSession:
    """A new resident id for the widget (or any web client): kept by the client and sent with every message.
    Ids the gateway did not issue are refused, so no client can speak as another channel's resident."""
    return ChatSession(sender=issue_web_sender(runtime.settings))


@router.post(
    "/chat",
    response_model=ChatOut,
    responses=SENDER_REFUSED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatIn.model_json_schema()}},
        }
    },
)
async def chat(request: Request, runtime: RuntimeDep) -> ChatOut:
    body = await read_chat_body(request)
    sender = web_sender(runtime.settings, body.sender)
    if not runtime.limiter.allow(f"sender:{sender}"):
        raise ApiError(429, "rate_limited", TOO_FAST)
    messages = await converse(request.app, "web", sender, body.message, body.title)
    return ChatOut(messages=messages)
