"""Who a resident is inside the system: a sender id tied to the channel the resident writes from.

Everything behind the channels (Rasa trackers, the handoff hub, rate limits, cases, the turn log) knows a
resident by an internal id carrying the channel's prefix: `wx:<openid>` for WeChat (the openid comes from a
signed push) and `web:<id>` for the chat widget. A web client can therefore never name a WeChat conversation.

The web has no login, so the gateway issues the widget's id (`POST /api/chat/session`) as `<id>.<signature>`,
an HMAC of the random id under a key derived from JWT_SECRET; every route taking a web sender checks it. The
signature is a credential: it never leaves this module's callers (cases and logs hold `web:<id>`).

The public resident routes (filing, ratings, likes ...) take a `sender` and a `channel` in the request. Only the
action server (service token) files for the gateway's own conversations and may name any; every other caller is
a public API client acting in its own namespace (`ResidentCaller`): its sender is kept as `api:<sender>`, which
no WeChat or widget id can equal, and it may name only a channel nobody is pushed on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from api.deps import RuntimeDep, is_service_call
from api.errors import ApiError
from api.settings import Settings

WECHAT_PREFIX = "wx:"
WEB_PREFIX = "web:"
API_PREFIX = "api:"
# The channels a public API client may file under: the gateway pushes nothing on them (api/handoff.py
# STREAM_READERS), and `web` is what the budget page names. WeChat, hotline and Rasa are vouched for only by
# the gateway's own conversations.
PUBLIC_CHANNELS = ("api", "web")
# 128 random bits, the same as a UUID4's 122 or the widget's former 16 random bytes.
_ID_BYTES = 16
_ISSUED = re.compile(r"^(?P<id>[A-Za-z0-9_-]{22})\.(?P<signature>[A-Za-z0-9_-]{43})$")
# Separates this key from JWT_SECRET's other uses (staff and voter tokens).
_KEY_LABEL = b"luan web sender v1"


def wechat_sender(openid: str) -> str:
    return WECHAT_PREFIX + openid


def wechat_openid(sender: str) -> str | None:
    """The bare openid of a WeChat sender (what WeChat's APIs take), None for any other sender."""
    return sender.removeprefix(WECHAT_PREFIX) if sender.startswith(WECHAT_PREFIX) else None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(settings: Settings, web_id: str) -> str:
    key = hmac.new(settings.jwt_secret.encode(), _KEY_LABEL, hashlib.sha256).digest()
    return _b64(hmac.new(key, web_id.encode(), hashlib.sha256).digest())


def issue_web_sender(settings: Settings) -> str:
    """A new widget sender, `<id>.<signature>`: what the widget keeps and sends with every request."""
    web_id = _b64(secrets.token_bytes(_ID_BYTES))
    return f"{web_id}.{_signature(settings, web_id)}"


# The documented answer of every route taking the widget's sender.
SENDER_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "`sender_not_issued`: the sender was not issued by `POST /api/chat/session`; get a new one"}
}


def refused_sender() -> ApiError:
    # A new error each time: a shared instance would keep growing its traceback on every raise.
    return ApiError(403, "sender_not_issued", "会话已失效，请刷新页面后重新发送。")


def web_sender(settings: Settings, issued: str) -> str:
    """The internal id (`web:<id>`) of a sender issued by `issue_web_sender`, or 403 `sender_not_issued`
    (made up, altered, or signed under another JWT_SECRET)."""
    match = _ISSUED.match(issued.strip())
    # Bytes: compare_digest refuses non-ASCII text; the pattern already allows only ASCII here.
    if match is None or not hmac.compare_digest(
        match["signature"].encode(), _signature(settings, match["id"]).encode()
    ):
        raise refused_sender()
    return WEB_PREFIX + match["id"]


def _queried_web_sender(runtime: RuntimeDep, sender: Annotated[str, Query(min_length=1, max_length=128)]) -> str:
    # A dependency, so that a stream is refused before its response starts.
    return web_sender(runtime.settings, sender)


# `?sender=<issued>` of a resident route, as the internal id.
WebSenderQuery = Annotated[str, Depends(_queried_web_sender)]


_Body = TypeVar("_Body", bound=BaseModel)

# The documented answer of every public route taking a channel.
CHANNEL_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "`channel_not_vouched`: without the service token only the `api` and `web` channels"}
}


@dataclass(frozen=True)
class ResidentCaller:
    """Whom a request to a public resident route may name: the action server (`vouched`, service token) any
    sender and channel of the gateway's conversations; any other client only its own, namespaced."""

    vouched: bool

    def sender(self, sender: str | None) -> str | None:
        # Always prefixed, so the same name maps to the same id when the client later rates or likes with it.
        return sender if self.vouched or sender is None else API_PREFIX + sender

    def channel(self, channel: str) -> str:
        if self.vouched or channel in PUBLIC_CHANNELS:
            return channel
        raise ApiError(
            403, "channel_not_vouched", "通过接口提交只能使用 api 或 web 渠道，微信等渠道的事项请在对应渠道办理。"
        )

    def body(self, body: _Body) -> _Body:
        """The request body with its `sender` and `channel` (those it has) as this caller may name them."""
        given = dict(body)
        update: dict[str, Any] = {}
        if "sender" in given:
            update["sender"] = self.sender(given["sender"])
        if "channel" in given:
            update["channel"] = self.channel(given["channel"])
        return body.model_copy(update=update)


def _resident_caller(request: Request, runtime: RuntimeDep) -> ResidentCaller:
    return ResidentCaller(vouched=is_service_call(request, runtime))


ResidentCallerDep = Annotated[ResidentCaller, Depends(_resident_caller)]
