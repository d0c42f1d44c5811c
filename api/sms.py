"""Text messages to residents' phones (the one-time codes that confirm a voter's or a property owner's phone,
api/services/phone_codes.py), through a pluggable sender chosen by SMS_SENDER:

- "log" (default, development): nothing leaves the machine. The message is written to the log at INFO, code
  included and the phone masked, so a developer running `make run` can read the code there; the sender also
  keeps the last messages in memory, which is how tests read a code. Never use it in production: anyone who
  reads the logs could vote in anyone's name or read anyone's property records. The gateway warns at start while
  it is selected.
- "http": each message is posted as JSON `{"phone", "text"}` to SMS_HTTP_URL with `Authorization: Bearer
  SMS_HTTP_TOKEN`: the adapter of whichever SMS provider the city contracts (their APIs differ too much to
  call one directly).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Protocol

import httpx

from api.settings import Settings
from contract.personal_data import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the SMS provider."""


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send `text` to the 11-digit mobile `phone`; SmsError when it could not be sent."""
        ...


class LogSmsSender:
    """Development sender: logs the message (phone masked) and keeps the last ones for tests."""

    KEPT = 200

    def __init__(self) -> None:
        self._sent: deque[tuple[str, str]] = deque(maxlen=self.KEPT)
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            self._sent.append((phone, text))
        # The phone is masked by the log formatter anyway; the text holds only the code, which this sender
        # exists to show.
        logger.info("SMS not sent (SMS_SENDER=log, development): %s", text, extra={"phone": mask_phone(phone)})

    def last_to(self, phone: str) -> str | None:
        """The latest message to `phone`, or None."""
        with self._lock:
            return next((text for to, text in reversed(self._sent) if to == phone), None)


class HttpSmsSender:
    """Posts each message to the SMS provider's adapter."""

    def __init__(self, url: str, token: str | None, timeout_seconds: float = 5.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(timeout=timeout_seconds, headers=headers)
        self._url = url

    def send(self, phone: str, text: str) -> None:
        try:
            self._client.post(self._url, json={"phone": phone, "text": text}).raise_for_status()
        except httpx.HTTPError as exc:
            logger.warning("SMS not sent", extra={"phone": mask_phone(phone), "error": type(exc).__name__})
            raise SmsError(type(exc).__name__) from exc


def make_sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_sender == "http":
        if not settings.sms_http_url:
            raise ValueError("SMS_SENDER=http needs SMS_HTTP_URL (the SMS provider adapter's address)")
        return HttpSmsSender(settings.sms_http_url, settings.sms_http_token)
    logger.warning("SMS_SENDER=log: verification codes are written to the log and not sent; development only")
    return LogSmsSender()
