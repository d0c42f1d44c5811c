"""WeChat's envelope around a push, through wechatpy: signatures, plaintext/compatible/safe mode, reply XML.

The `signature` WeChat adds to every request covers only the token, timestamp and nonce, not the body: in
plaintext mode anyone who saw one request could send any body under its signature. So with the AES key set
only encrypted pushes (whose `msg_signature` covers the ciphertext) are accepted, and every (timestamp,
nonce) is remembered with a digest of its body: the same request again is WeChat's retry (answered once,
api/channels/wechat.py), another body under it is refused. Signatures are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import WeChatSigner

from api.channels.wechat_store import ChannelStore
from api.settings import Settings

logger = logging.getLogger(__name__)

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
        self,
        token: str,
        app_id: str | None = None,
        aes_key: str | None = None,
        max_age_seconds: int | None = None,
        nonces: ChannelStore | None = None,
    ) -> None:
        self._token = token
        # A signature never expires, so a recorded push could be sent again. Pushes are remembered (by MsgId,
        # api/channels/wechat.py) for the dedupe window: within it a replay is a duplicate, beyond it refused.
        self._max_age_seconds = max_age_seconds
        self._nonces = nonces
        self._crypto: WeChatCrypto | None = None
        if aes_key:
            if len(aes_key) != 43 or not app_id:
                raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey, with WECHAT_APP_ID set")
            self._crypto = WeChatCrypto(token, aes_key, app_id)

    @classmethod
    def from_settings(cls, settings: Settings, nonces: ChannelStore | None = None) -> Envelope | None:
        """None while the channel is not configured (no token)."""
        if not settings.wechat_token:
            return None
        return cls(
            settings.wechat_token,
            settings.wechat_app_id,
            settings.wechat_aes_key,
            settings.wechat_dedupe_seconds,
            nonces,
        )

    def check(self, params: Mapping[str, str]) -> None:
        """The `signature` every request from WeChat carries (URL verification and pushes, in every mode)."""
        try:
            _check(params["signature"], self._token, params["timestamp"], params["nonce"])
        except KeyError:
            raise ForgedPush() from None

    def open(self, params: Mapping[str, str], body: bytes) -> Push:
        """Check, decrypt if needed and parse one push; raises ForgedPush, StalePush or MalformedPush."""
        self.check(params)
        self._check_age(params["timestamp"])
        encrypted = params.get("encrypt_type", "raw") == "aes"
        if self._crypto is not None and not encrypted:
            logger.warning("wechat push refused: plaintext while WECHAT_AES_KEY is set")
            raise ForgedPush()
        push = self._parse(params, body, encrypted)
        self._check_first_use(params, body)
        return push

    def _parse(self, params: Mapping[str, str], body: bytes, encrypted: bool) -> Push:
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

    def _check_first_use(self, params: Mapping[str, str], body: bytes) -> None:
        """Remember this request's (timestamp, nonce) for as long as its timestamp is accepted (either side of
        now); the same pair with another body is a replay of a captured signature."""
        if self._nonces is None or self._max_age_seconds is None:
            return
        key, digest = f"nonce:{params['timestamp']}:{params['nonce']}", hashlib.sha256(body).hexdigest()
        if self._nonces.add(key, digest, 2 * self._max_age_seconds + 1):
            return
        seen = self._nonces.get(key)
        if seen is not None and not hmac.compare_digest(seen, digest):
            logger.warning("wechat push refused: its nonce was already used for another push")
            raise ForgedPush()

    def _decrypt(self, params: Mapping[str, str], body: bytes) -> str:
        if self._crypto is None:
            raise ValueError("safe mode push but WECHAT_AES_KEY is not set")
        sealed = xmltodict.parse(body)["xml"]
        # Checked here in constant time; wechatpy's own check (a plain comparison) then sees equal strings.
        signature = params["msg_signature"]
        _check(signature, self._token, params["timestamp"], params["nonce"], sealed["Encrypt"])
        try:
            xml: str = self._crypto.decrypt_message(sealed, signature, params["timestamp"], params["nonce"])
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


def _check(signature: str, *parts: str) -> None:
    """WeChat's SHA-1 signature over the sorted parts, compared in constant time (no timing oracle)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    if not hmac.compare_digest(signer.signature.encode(), signature.encode()):
        raise ForgedPush()


def cdata_safe(text: str) -> str:
    """wechatpy puts text in CDATA as is: split any `]]>` over two sections and drop characters XML forbids."""
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")
