"""Who a resident is inside the system: a sender id tied to the channel the resident writes from.

Everything behind the channels (Rasa trackers, the handoff hub, rate limits, cases, the turn log) knows a
resident by an internal id carrying the channel's prefix: `wx:<openid>` for WeChat (the openid comes from a
signed push) and `web:<id>` for the chat widget. A web client can therefore never name a WeChat conversation.

The web has no login, so the gateway issues the widget's id (`POST /api/chat/session`) as `<id>.<signature>`,
an HMAC of the random id under a key derived from JWT_SECRET; every route taking a web sender checks it. The
signature is a credential: it never leaves this module's callers (cases and logs hold `web:<id>`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Annotated, Any

from fastapi import Depends, Query

from api.deps import RuntimeDep
from api.errors import ApiError
from api.settings import Settings

WECHAT_PREFIX = "wx:"
WEB_PREFIX = "web:"
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
