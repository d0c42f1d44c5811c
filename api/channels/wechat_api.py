"""Customer-service messages (客服消息) to a resident through WeChat's API, with a shared access-token cache."""

from __future__ import annotations

import logging
from typing import Any

import redis
import requests
from starlette.concurrency import run_in_threadpool
from wechatpy import WeChatClient
from wechatpy.constants import WeChatErrorCode
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from api.metrics import WECHAT_PUSHES
from api.settings import Settings

logger = logging.getLogger(__name__)

# An access token that another worker refreshed, or that WeChat revoked: fetch a new one, once.
_STALE_TOKEN = {
    WeChatErrorCode.INVALID_CREDENTIAL.value,
    WeChatErrorCode.INVALID_ACCESS_TOKEN.value,
    WeChatErrorCode.EXPIRED_ACCESS_TOKEN.value,
}
_OUTSIDE_WINDOW = WeChatErrorCode.OUT_OF_RESPONSE_TIME_LIMIT.value  # 45015: no message from them in 48 h


class _TimeoutSession(requests.Session):
    """wechatpy fetches tokens without a timeout; a stalled API must not hold a worker thread forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(*args, **kwargs)


class WeChatApiClient(WeChatClient):
    """wechatpy's client against a configurable API base (a local fake in tests), refreshing tokens ourselves."""

    def __init__(self, api_base: str, appid: str, secret: str, session: SessionStorage, timeout: float) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = f"{api_base.rstrip('/')}/cgi-bin/"
        self._http = _TimeoutSession(timeout)

    def fetch_access_token(self) -> dict[str, Any]:
        result: dict[str, Any] = self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return result

    def close(self) -> None:
        self._http.close()


def mask_openid(openid: str) -> str:
    return f"{openid[:4]}****{openid[-4:]}" if len(openid) > 8 else "****"


class CustomerService:
    """Sends texts through /cgi-bin/message/custom/send; False (and a log line) when WeChat refuses."""

    def __init__(self, client: WeChatApiClient | None) -> None:
        self._client = client

    @classmethod
    def from_settings(cls, settings: Settings, redis_client: redis.Redis | None) -> CustomerService:
        if not (settings.wechat_app_id and settings.wechat_app_secret):
            return cls(None)
        storage: SessionStorage = (
            RedisStorage(redis_client, prefix=f"{settings.redis_prefix}wechat:token")
            if redis_client is not None
            else MemoryStorage()
        )
        client = WeChatApiClient(
            settings.wechat_api_base,
            settings.wechat_app_id,
            settings.wechat_app_secret,
            storage,
            settings.wechat_api_timeout_seconds,
        )
        return cls(client)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def download(self, media_id: str) -> bytes | None:
        """A resident's image (or other media) by its MediaId (临时素材), None when WeChat does not give it."""
        return await run_in_threadpool(self._download, media_id)

    def _download(self, media_id: str) -> bytes | None:
        if self._client is None:
            logger.error("wechat media not fetched: WECHAT_APP_ID/SECRET not set")
            return None
        try:
            response = self._client.media.download(media_id)
        except WeChatClientException as exc:
            logger.error("wechat media download refused: %s %s", exc.errcode, exc.errmsg)
            return None
        except requests.RequestException as exc:
            logger.error("wechat API unreachable: %s", type(exc).__name__)
            return None
        # wechatpy hands back the response itself when the body is not JSON (the media's bytes).
        return response.content if isinstance(response, requests.Response) else None

    async def send_texts(self, openid: str, texts: list[str]) -> bool:
        """Send the texts in order; stop at the first refusal, since the rest would not make sense alone."""
        for text in texts:
            if not await run_in_threadpool(self._send_text, openid, text):
                return False
        return True

    def _send_text(self, openid: str, text: str) -> bool:
        outcome = self._deliver(openid, text)
        WECHAT_PUSHES.labels(outcome).inc()
        return outcome == "sent"

    def _deliver(self, openid: str, text: str) -> str:
        """The outcome label of luan_wechat_pushes_total: "sent", or why not."""
        who = mask_openid(openid)
        if self._client is None:
            logger.error("wechat customer-service message not sent: WECHAT_APP_ID/SECRET not set", extra={"to": who})
            return "not_configured"
        try:
            try:
                self._client.message.send_text(openid, text)
            except WeChatClientException as exc:
                if exc.errcode not in _STALE_TOKEN:
                    raise
                logger.info("wechat access token rejected (%s), fetching a new one", exc.errcode)
                self._client.fetch_access_token()
                self._client.message.send_text(openid, text)
        except WeChatClientException as exc:
            if exc.errcode == _OUTSIDE_WINDOW:
                # The resident has not written for 48 hours: WeChat forbids the message, retrying cannot help.
                logger.warning("wechat refused message outside the 48-hour window", extra={"to": who})
                return "outside_window"
            logger.error("wechat customer-service message failed: %s %s", exc.errcode, exc.errmsg, extra={"to": who})
            return "refused"
        except requests.RequestException as exc:
            logger.error("wechat API unreachable: %s", type(exc).__name__, extra={"to": who})
            return "unreachable"
        return "sent"
