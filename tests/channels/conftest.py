"""WeChat channel fixtures: the real gateway (create_app under uvicorn) between wechatpy playing the WeChat
server on one side and, on the other, a local Rasa REST endpoint and a fake WeChat API server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from api.main import create_app
from api.migrate import upgrade
from api.settings import Settings
from tests.channels.fake_wechat_api import FakeWeChatApi, LocalHttpServer

TOKEN = "luan-wechat-test-token"
APP_ID = "wx52c0ffee12345678"
SECRET = "fake-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
ACCOUNT = "gh_luan_zhengwu"


class FakeRasa(LocalHttpServer):
    """Rasa's REST channel (POST /webhooks/rest/webhook): echoes unless told otherwise, with a set delay."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []
        self.delay = 0.0
        self._answers: dict[str, list[dict[str, Any]]] = {}

    def answer(self, message: str, *replies: dict[str, Any]) -> None:
        self._answers[message] = list(replies)

    @staticmethod
    def echo(message: str) -> str:
        return f"您问的是：{message}"

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/":
            return 200, "Hello from Rasa: 3.6.21"
        if method != "POST" or path != "/webhooks/rest/webhook":
            return 404, {"error": "not found"}
        with self.lock:
            self.calls.append(body)
            self.lock.notify_all()
        time.sleep(self.delay)
        replies = self._answers.get(body["message"], [{"text": self.echo(body["message"])}])
        return 200, [{"recipient_id": body["sender"], **reply} for reply in replies]

    def messages(self) -> list[str]:
        with self.lock:
            return [call["message"] for call in self.calls]


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa() as server:
        assert isinstance(server, FakeRasa)
        yield server


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi(APP_ID, SECRET) as server:
        assert isinstance(server, FakeWeChatApi)
        yield server


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets its own copy (the gateway syncs the catalogue into it on start)."""
    path = tmp_path_factory.mktemp("wechat") / "cases.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def make_settings(
    tmp_path: Path, migrated_database: Path, rasa: FakeRasa, wechat_api: FakeWeChatApi
) -> Callable[..., Settings]:
    database_url = f"sqlite:///{shutil.copy(migrated_database, tmp_path / 'cases.db')}"

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": None,
            "knowledge_enabled": False,
            "rasa_url": rasa.url,
            "jwt_secret": "test-jwt-secret-0123456789abcdef",
            "pii_key": "test-pii-key",
            "service_token": "test-service-token-0123456789abcdef",
            "rate_limit_per_minute": 10_000,
            "wechat_token": TOKEN,
            "wechat_app_id": APP_ID,
            "wechat_app_secret": SECRET,
            "wechat_aes_key": AES_KEY,
            "wechat_api_base": wechat_api.url,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def shared_redis(redis_url: str, redis_prefix: str) -> dict[str, str]:
    """Settings overrides for the real Redis, with this test's own key prefix."""
    return {"redis_url": redis_url, "redis_prefix": redis_prefix}


@dataclass
class Gateway:
    """One gateway worker: create_app() served by uvicorn on a free local port, and a client for it."""

    settings: Settings
    url: str = ""
    # One client for all requests: building an httpx client per request costs more than the gateway's work.
    http: httpx.Client = field(default_factory=httpx.Client, repr=False)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> Gateway:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.http.base_url = httpx.URL(self.url)
        config = uvicorn.Config(create_app(self.settings), log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert time.monotonic() < deadline and self._thread.is_alive(), "gateway did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self.http.close()
        self._server.should_exit = True
        self._thread.join(timeout=30)


@pytest.fixture
def start_gateway() -> Iterator[Callable[[Settings], Gateway]]:
    started: list[Gateway] = []

    def start(settings: Settings) -> Gateway:
        gateway = Gateway(settings).start()
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()


@dataclass
class WeChatServer:
    """Plays WeChat's server: signs (and in compatible/safe mode encrypts) pushes, reads the replies."""

    gateway: Gateway
    # With WECHAT_AES_KEY set (as by make_settings) the gateway takes encrypted pushes only; plaintext mode
    # needs make_settings(wechat_aes_key=None).
    mode: str = "safe"  # or "compatible" / "plaintext"
    token: str = TOKEN
    app_id: str = APP_ID

    def message(self, openid: str, msg_type: str, msg_id: int | None = None, **fields: Any) -> str:
        data: dict[str, Any] = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": str(fields.pop("create_time", int(time.time()))),
            "MsgType": msg_type,
            **fields,
        }
        if msg_id is not None:
            data["MsgId"] = str(msg_id)
        return str(xmltodict.unparse({"xml": data}, full_document=False))

    def text(self, openid: str, content: str, msg_id: int) -> str:
        return self.message(openid, "text", msg_id, Content=content)

    def query(self, timestamp: str, nonce: str) -> dict[str, str]:
        return {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def envelope(self, xml: str, timestamp: str, nonce: str) -> tuple[dict[str, str], bytes]:
        """The query string and body WeChat would send for this plaintext push in the current mode."""
        params = self.query(timestamp, nonce)
        if self.mode == "plaintext":
            return params, xml.encode()
        crypto = WeChatCrypto(self.token, AES_KEY, self.app_id)
        sealed = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        body: dict[str, Any] = {"ToUserName": ACCOUNT, "Encrypt": sealed["Encrypt"]}
        if self.mode == "compatible":
            body = {**xmltodict.parse(xml)["xml"], **body}
        params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return params, xmltodict.unparse({"xml": body}, full_document=False).encode()

    def push(self, xml: str, timeout: float = 10.0) -> httpx.Response:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        params, body = self.envelope(xml, timestamp, nonce)
        return self.gateway.http.post("/wechat", params=params, content=body, timeout=timeout)

    def reply_text(self, response: httpx.Response) -> str | None:
        """The text of a passive reply (decrypted in compatible/safe mode); None for `success`."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        xml = response.text
        if self.mode != "plaintext":
            sealed = xmltodict.parse(xml)["xml"]
            crypto = WeChatCrypto(self.token, AES_KEY, self.app_id)
            xml = crypto.decrypt_message(xml, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
        reply = parse_message(xml)
        assert reply.type == "text" and reply.source == ACCOUNT
        return str(reply.content)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)
