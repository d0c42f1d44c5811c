"""WeChat's envelope around a push, through wechatpy: signatures, plaintext/compatible/safe mode, reply XML."""

from __future__ import annotations

import re
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers.expat import ExpatError

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import check_signature

from api.settings import Settings

# What broken XML or ciphertext raises inside wechatpy/xmltodict (base64, AES block size, padding, length
# prefix, UTF-8, missing elements); all of them mean a bad request, never a server error.
_MALFORMED = (ExpatError, LookupError, TypeError, ValueError, AttributeError, struct.error)
# Characters XML 1.0 cannot carry even inside CDATA.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ForgedPush(Exception):
    """The signature does not match our token: not from WeChat (HTTP 403)."""


class MalformedPush(Exception):
    """Signed, but not a push we can read: broken XML, bad ciphertext, another appid (HTTP 400)."""


class StalePush(Exception):
    """Signed, but sent longer ago than pushes are remembered: a replay could not be told apart (HTTP 403)."""


@dataclass(frozen=True)
class Push:
    message: BaseMessage
    encrypted: bool  # compatible and safe mode: the reply is encrypted too
    nonce: str
    timestamp: str


class Envelope:
    def __init__(
        self, token: str, app_id: str | None = None, aes_key: str | None = None, max_age_seconds: int | None = None
    ) -> None:
        self._token = token
        # A signature never expires, so a recorded push could be sent again. Pushes are remembered (by MsgId,
        # api/channels/wechat.py) for the dedupe window: within it a replay is a duplicate, beyond it refused.
        self._max_age_seconds = max_age_seconds
        self._crypto: WeChatCrypto | None = None
        if aes_key:
            if len(aes_key) != 43 or not app_id:
                raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey, with WECHAT_APP_ID set")
            self._crypto = WeChatCrypto(token, aes_key, app_id)

    @classmethod
    def from_settings(cls, settings: Settings) -> Envelope | None:
        """None while the channel is not configured (no token)."""
        if not settings.wechat_token:
            return None
        return cls(
            settings.wechat_token, settings.wechat_app_id, settings.wechat_aes_key, settings.wechat_dedupe_seconds
        )

    def check(self, params: Mapping[str, str]) -> None:
        """The `signature` every request from WeChat carries (URL verification and pushes, in every mode)."""
        try:
            check_signature(self._token, params["signature"], params["timestamp"], params["nonce"])
        except (KeyError, InvalidSignatureException):
            raise ForgedPush() from None

    def open(self, params: Mapping[str, str], body: bytes) -> Push:
        """Check, decrypt if needed and parse one push; raises ForgedPush, StalePush or MalformedPush."""
        self.check(params)
        self._check_age(params["timestamp"])
        encrypted = params.get("encrypt_type", "raw") == "aes"
        try:
            xml = self._decrypt(params, body) if encrypted else body.decode("utf-8")
            message = parse_message(xml)
            # Read the fields the channel relies on now, so that a bad value is a 400 here and not a 500 later.
            if not (isinstance(message.source, str) and message.source and isinstance(message.target, str)):
                raise ValueError("FromUserName/ToUserName missing")
            _ = message.id, message.time
        except _MALFORMED as exc:
            raise MalformedPush(type(exc).__name__) from None
        return Push(message, encrypted, params["nonce"], params["timestamp"])

    def _check_age(self, timestamp: str) -> None:
        if not timestamp.isdigit():
            raise MalformedPush("timestamp is not a number")
        if self._max_age_seconds is not None and abs(time.time() - int(timestamp)) > self._max_age_seconds:
            raise StalePush()

    def _decrypt(self, params: Mapping[str, str], body: bytes) -> str:
        if self._crypto is None:
            raise ValueError("safe mode push but WECHAT_AES_KEY is not set")
        try:
            xml: str = self._crypto.decrypt_message(body, params["msg_signature"], params["timestamp"], params["nonce"])
        except InvalidSignatureException:
            raise ForgedPush() from None
        except InvalidAppIdException:
            raise MalformedPush("another appid") from None
        return xml

    def seal(self, push: Push, text: str) -> str:
        """The passive text reply to `push`, encrypted when the push was."""
        reply: str = create_reply(cdata_safe(text), push.message, render=True)
        if push.encrypted and self._crypto is not None:
            sealed: str = self._crypto.encrypt_message(reply, push.nonce, push.timestamp)
            return sealed
        return reply


def cdata_safe(text: str) -> str:
    """wechatpy puts text in CDATA as is: split any `]]>` over two sections and drop characters XML forbids."""
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")
