"""Local stand-ins for the services at the gateway's boundary, served over real HTTP on 127.0.0.1.

`FakeWeChatApi` plays api.weixin.qq.com: it issues access tokens, serves residents' images (media/get), records
customer-service messages, and can refuse them with WeChat's error codes (45015 outside the 48-hour window,
42001 expired token).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JsonHandler = Callable[[str, str, dict[str, str], Any], tuple[int, Any]]  # method, path, query, body


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog (5) resets connections under the load test
    daemon_threads = True


class LocalHttpServer:
    """A JSON-over-HTTP server in a daemon thread; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _respond(self, method: str) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                status, payload = owner.handle(method, url.path, query, body)
                # Bytes are a media file (WeChat's media/get), anything else answers as JSON.
                binary = isinstance(payload, bytes)
                data = payload if binary else json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "image/jpeg" if binary else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._respond("GET")

            def do_POST(self) -> None:
                self._respond("POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait (up to `timeout` seconds) until `condition()` holds; call it under `self.lock`."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.lock.wait(remaining)
            return True

    def __enter__(self) -> LocalHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeWeChatApi(LocalHttpServer):
    def __init__(self, app_id: str, secret: str) -> None:
        super().__init__()
        self._app_id = app_id
        self._secret = secret
        self.token_fetches = 0
        self.sent: list[dict[str, Any]] = []  # accepted customer-service messages, in order
        self.refused: list[tuple[dict[str, Any], int]] = []  # (message, errcode)
        self._live_tokens: set[str] = set()
        self._expired_tokens: set[str] = set()
        self._refusals: dict[str, int] = {}
        self.media: dict[str, bytes] = {}  # temporary media (临时素材) by MediaId, as residents' images

    def refuse(self, openid: str, errcode: int) -> None:
        """Answer every customer-service message to `openid` with `errcode`."""
        with self.lock:
            self._refusals[openid] = errcode

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001), as after 7200 s or a refresh elsewhere."""
        with self.lock:
            self._expired_tokens |= self._live_tokens
            self._live_tokens.clear()

    def texts_to(self, openid: str) -> list[str]:
        with self.lock:
            return [m["text"]["content"] for m in self.sent if m["touser"] == openid]

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        with self.lock:
            try:
                if method == "GET" and path == "/cgi-bin/token":
                    return 200, self._issue_token(query)
                if method == "GET" and path == "/cgi-bin/media/get":
                    return self._media(query)
                if method == "POST" and path == "/cgi-bin/message/custom/send":
                    return 200, self._custom_send(query.get("access_token", ""), body)
                return 404, {"errcode": 404, "errmsg": "not found"}
            finally:
                self.lock.notify_all()

    def _issue_token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("grant_type") != "client_credential" or query.get("appid") != self._app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self._secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.token_fetches += 1
        token = f"TOKEN-{self.token_fetches}"
        self._live_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _media(self, query: dict[str, str]) -> tuple[int, Any]:
        if query.get("access_token") not in self._live_tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        data = self.media.get(query.get("media_id", ""))
        return (200, data) if data is not None else (200, {"errcode": 40007, "errmsg": "invalid media_id"})

    def _custom_send(self, token: str, message: dict[str, Any]) -> dict[str, Any]:
        if token in self._expired_tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in self._live_tokens:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        errcode = self._refusals.get(message["touser"])
        if errcode is not None:
            self.refused.append((message, errcode))
            return {"errcode": errcode, "errmsg": "response out of time limit or subscription is canceled"}
        if message.get("msgtype") != "text" or len(message["text"]["content"].encode()) > 2048:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        self.sent.append(message)
        return {"errcode": 0, "errmsg": "ok"}
