"""The gateway's Prometheus instruments, and the middleware that times each request by its route template.

Counters and histograms are kept by prometheus_client in this process, or, when PROMETHEUS_MULTIPROC_DIR
names a directory (several uvicorn workers), in files there that every worker's scrape adds up
(docs/architecture.md, "Operations"). What is a state rather than an event (the handoff queue, cases by
status and card) is read from the shared stores at scrape time instead (api/routes/metrics.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A path no route matched (a scanner's guesses): one label value, not one per path; the same for methods.
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "luan_http_request_duration_seconds",
    "Time until the response starts (a stream's headers), by route template",
    ["method", "route"],
)
REQUESTS = Counter(
    "luan_http_requests", "Requests answered, by route template and status", ["method", "route", "status"]
)
CHAT_TURNS = Counter(
    "luan_chat_turns",
    "Resident messages the assistant answered, by outcome (contract/turns.py)",
    ["channel", "outcome"],
)
RASA_SECONDS = Histogram(
    "luan_rasa_request_duration_seconds", "Calls to the Rasa servers (message or tracker event)", ["call"]
)
RASA_ERRORS = Counter("luan_rasa_errors", "Failed calls to the Rasa servers, by error", ["call", "error"])
WECHAT_PUSHES = Counter(
    "luan_wechat_pushes",
    "Customer-service messages to WeChat residents: sent, or why not (refused, outside_window, unreachable, "
    "not_configured)",
    ["outcome"],
)


@contextmanager
def rasa_call(call: str) -> Iterator[None]:
    """Time one call to a Rasa server; count it as an error when it raises."""
    started = time.perf_counter()
    try:
        yield
    except Exception as exc:
        RASA_ERRORS.labels(call, type(exc).__name__).inc()
        raise
    finally:
        RASA_SECONDS.labels(call).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """`/api/status/{number}`, not each case number: the router leaves the matched route in the scope."""
    route = scope.get("route")
    return route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else UNMATCHED


class MetricsMiddleware:
    """Pure ASGI, so that streams pass through unbuffered; a stream counts until its headers go out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"] if scope["method"] in METHODS else "other"
        status = 500  # an exception before any answer becomes the server error response

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                REQUEST_SECONDS.labels(method, route_template(scope)).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            REQUESTS.labels(method, route_template(scope), str(status)).inc()
