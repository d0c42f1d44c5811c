"""HTTP hardening of every gateway response (docs/security.md "HTTP, secrets and WeChat"): security headers,
a bound on request bodies, the API docs off unless enabled, and server-sent event streams that end after a
while (the browser reconnects and replays what it missed), so none holds a worker's connection forever.

Pure ASGI rather than BaseHTTPMiddleware: that one buffers streamed responses and breaks server-sent events.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
# The page that shows the chat widget: the only one a city portal may frame (WEB_FRAME_ANCESTORS).
WIDGET_PAGE = "/"
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
# Every script and style sheet is a file of the gateway's own (api/static/); the widget writes its styles
# into a <style> of its shadow root and ECharts sets style attributes, hence 'unsafe-inline' for styles only.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
_HSTS = "max-age=31536000; includeSubDomains"
# Sent before a stream is closed for its age: the browser reconnects after one second.
_RECONNECT = b"retry: 1000\n\n"


def security_headers(settings: Settings, path: str, over_tls: bool) -> list[tuple[bytes, bytes]]:
    ancestors = settings.web_frame_ancestors if path == WIDGET_PAGE and settings.web_frame_ancestors else "'none'"
    headers = {
        "content-security-policy": f"{_CSP}; frame-ancestors {ancestors}",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
    }
    if ancestors == "'none'":
        headers["x-frame-options"] = "DENY"  # browsers without frame-ancestors
    if over_tls or settings.hsts:
        headers["strict-transport-security"] = _HSTS
    return [(name.encode(), value.encode()) for name, value in headers.items()]


def error_response(status: int, code: str, message: str) -> list[Message]:
    body = json.dumps({"detail": code, "message": message}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


PHOTO_UPLOAD_PATHS = frozenset({"/api/chat/photo", "/api/grid/photos"})
MULTIPART_ALLOWANCE = 64 * 1024


class HttpSecurity:
    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self._settings = settings  # resolved per request: the app is built before its settings are known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self._settings()
        added = security_headers(settings, scope["path"], scope.get("scheme") == "https")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in added if h[0] not in present)]
            await send(message)

        if scope["path"] in DOCS_PATHS and not settings.docs_enabled:
            await _respond(send_with_headers, 404, "not_found", "页面不存在")
            return
        if scope["method"] not in _BODILESS:
            # A photo upload may carry PHOTO_MAX_BYTES and its multipart framing (api/services/photos.py).
            photo = scope["path"] in PHOTO_UPLOAD_PATHS
            limit = settings.photo_max_bytes + MULTIPART_ALLOWANCE if photo else settings.max_body_bytes
            replay = await _read_body(scope, receive, limit)
            if replay is None:
                await _respond(send_with_headers, 413, "body_too_large", "提交的内容过多，请精简后再试")
                return
            receive = replay
        await _bounded_streams(self.app, scope, receive, send_with_headers, settings.sse_max_seconds)


async def _respond(send: Send, status: int, code: str, message: str) -> None:
    for part in error_response(status, code, message):
        await send(part)


async def _read_body(scope: Scope, receive: Receive, limit: int) -> Receive | None:
    """The request body read up to `limit` bytes and handed on as one message; None when it is larger
    (refused before reading when Content-Length says so)."""
    declared = dict(scope["headers"]).get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let the app see it
            first: Message = message
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            break
    handed = False

    async def replay() -> Message:
        nonlocal handed
        if handed:
            return await receive()
        handed = True
        return first

    return replay


async def _bounded_streams(app: ASGIApp, scope: Scope, receive: Receive, send: Send, max_seconds: float) -> None:
    """Run the app; a text/event-stream response is ended after `max_seconds` with a reconnect hint."""
    with anyio.CancelScope() as deadline:

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/event-stream"):
                    deadline.deadline = anyio.current_time() + max_seconds
            await send(message)

        await app(scope, receive, watching_send)
    if deadline.cancelled_caught:
        await send({"type": "http.response.body", "body": _RECONNECT, "more_body": False})
