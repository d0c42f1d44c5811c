"""One id per request, `X-Request-ID`, that follows a resident's message through every process.

The gateway takes the caller's id (a reverse proxy's, or the action server's when it calls back) or makes
one, answers with it, logs it with every line (api/logging_setup.py), sends it to Rasa in the message
metadata and as a header (api/rasa_client.py); the action server sends it back with its case API calls
(actions/case_api.py), so the gateway's, Rasa's and the actions' log lines of one message can be joined.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
METADATA_KEY = "request_id"
# Ids are written into logs and headers: anything else (too long, control characters) is replaced.
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, None outside one (startup, background schedulers)."""
    return _current.get()


def outgoing_headers() -> dict[str, str]:
    """The header that carries the id on to another service (Rasa), empty outside a request."""
    request_id = _current.get()
    return {HEADER: request_id} if request_id else {}


def accepted(value: str | None) -> str:
    """The caller's id when it is a safe one, else a new one."""
    return value if value is not None and _VALID.fullmatch(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware), so that streamed answers (SSE) pass through unbuffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = accepted(given)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        token = _current.set(request_id)
        # Not reset when the app raises: the server logs the error afterwards, in this request's own task, and
        # that line should carry the id too.
        await self.app(scope, receive, send_with_id)
        _current.reset(token)
