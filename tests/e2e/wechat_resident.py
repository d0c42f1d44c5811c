"""WeChat residents of a live stack: wechatpy plays WeChat's server (signed, encrypted pushes to `/wechat`), and
tests/channels' fake WeChat API takes the customer-service messages (客服消息) the gateway sends."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from tests.channels.conftest import AES_KEY, APP_ID, SECRET, TOKEN, WeChatServer
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.e2e.conftest import LiveStack, start_live_stack

_msg_ids = itertools.count(int(time.time() * 1000))


@dataclass
class Endpoint:
    """What WeChatServer needs of a gateway: a client with its base URL."""

    http: httpx.Client


@contextmanager
def wechat_stack(**extra_env: str) -> Iterator[tuple[LiveStack, FakeWeChatApi]]:
    """A live stack with the WeChat channel configured (safe mode) against the fake WeChat API."""
    with FakeWeChatApi(APP_ID, SECRET) as api:
        assert isinstance(api, FakeWeChatApi)
        env = {
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_APP_SECRET": SECRET,
            "WECHAT_AES_KEY": AES_KEY,
            "WECHAT_API_BASE": api.url,
            **extra_env,
        }
        with start_live_stack(**env) as stack:
            yield stack, api


@dataclass
class WeChatResident:
    """One openid writing to the official account of the gateway at `gateway`."""

    openid: str
    gateway: str
    api: FakeWeChatApi
    last_msg_id: int = 0
    _server: WeChatServer | None = field(default=None, repr=False)

    def server(self, gateway: str | None = None) -> WeChatServer:
        """WeChat's server pushing to `gateway` (default: this resident's)."""
        if gateway is None:
            if self._server is None:
                self._server = self._make(self.gateway)
            return self._server
        return self._make(gateway)

    @staticmethod
    def _make(gateway: str) -> WeChatServer:
        endpoint = Endpoint(httpx.Client(base_url=gateway, timeout=120))
        return WeChatServer(endpoint)  # type: ignore[arg-type]  # only its http client is used

    def push(self, text: str, gateway: str | None = None, msg_id: int | None = None) -> httpx.Response:
        """One text push (a new MsgId unless `msg_id` repeats one, as WeChat's retries do)."""
        self.last_msg_id = msg_id if msg_id is not None else next(_msg_ids)
        server = self.server(gateway)
        return server.push(server.text(self.openid, text, self.last_msg_id), timeout=120)

    def say(self, text: str) -> str:
        """What the resident reads after writing `text`: the passive reply, then any 客服消息 that follow."""
        before = len(self.api.texts_to(self.openid))
        passive = self.server().reply_text(self.push(text))
        if passive is None:  # answered later through 客服消息
            self.api.wait_until(lambda: len(self.api.texts_to(self.openid)) > before, timeout=60)
        else:
            time.sleep(0.3)  # the rest of a long answer follows as 客服消息
        return "\n".join([passive or "", *self.api.texts_to(self.openid)[before:]]).strip()
