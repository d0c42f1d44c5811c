"""Gateway settings, read from the environment in this one place."""

from __future__ import annotations

import os
import secrets
from datetime import time
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from time import sleep
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


# Shorter shared secrets can be guessed offline from one signed token or tried against the internal routes.
MIN_SECRET_LENGTH = 32


def _local_secret(name: str) -> str:
    """A secret kept under var/ so that `make run` works unconfigured and data stays readable across runs."""
    path = VAR_DIR / name
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        # Created readable by the owner only, in one step: no moment where another user can read it, and
        # of several workers starting together exactly one writes it (the others read the winner's).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_written(path)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _read_written(path: Path) -> str:
    """A secret file another worker has just created may still be empty for a moment."""
    for _ in range(100):
        if value := path.read_text().strip():
            return value
        sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it so that a new secret is generated")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = f"sqlite:///{VAR_DIR / 'luan.db'}"
    redis_url: str | None = None
    redis_prefix: str = "luan:"
    # One Rasa server, or several sharing Redis, comma-separated (api/rasa_client.py).
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 20.0
    # The `--auth-token` the Rasa servers run with (scripts/stack.py passes one): their HTTP API refuses
    # calls without it. Unset: calls go without a token (a Rasa server started without one).
    rasa_token: str | None = None
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000

    # Secrets: generated under var/ when not configured (development); set them in production.
    jwt_secret: str = Field(default_factory=lambda: _local_secret("jwt.secret"))
    pii_key: str = Field(default_factory=lambda: _local_secret("pii.key"), min_length=1)
    # Rotation (docs/security.md): the keys PII_KEY replaced, newest first, comma-separated; data stored under
    # them stays readable and is written under PII_KEY from then on.
    pii_previous_keys: str = ""
    service_token: str = Field(default_factory=lambda: _local_secret("service.token"))
    token_ttl_minutes: int = 8 * 60

    # HTTP hardening (api/http_security.py, docs/security.md): /docs, /redoc and /openapi.json answer 404
    # unless enabled; HSTS is sent on requests that came over TLS, or on all when HSTS is set (a proxy ends
    # TLS and forwards plain HTTP); the chat widget page (/) may be framed by these origins (space-separated).
    docs_enabled: bool = False
    hsts: bool = False
    web_frame_ancestors: str = ""
    # Larger request bodies are refused with 413 before they are read (the largest form is a few KB).
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # A server-sent event stream is ended after this long; the browser reconnects and replays what it missed.
    sse_max_seconds: float = Field(default=600, gt=0)

    rate_limit_per_minute: int = 60
    # The reverse proxies in front of the gateway, comma-separated addresses or CIDRs: a request's address is
    # the right-most X-Forwarded-For hop none of them holds (docs/security.md); empty: the peer's address.
    trusted_proxies: str = ""
    # GET /api/status/{number}: after this many wrong phone endings (or unknown numbers) the number answers 429
    # until the window that began with the first of them is over.
    status_max_failures: int = Field(default=5, ge=1)
    status_lockout_minutes: int = Field(default=15, ge=1)
    # Staff login: attempts per address and minute, whatever the usernames; failures per username and address
    # before a lockout of the same kind.
    login_per_minute: int = Field(default=10, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)

    # Participatory budgeting (docs/community.md): how a voter's phone is confirmed. SMS_SENDER "log" writes each
    # text to the log instead of sending it (development only: the code is readable there), "http" posts it to
    # SMS_HTTP_URL (api/sms.py). A code is valid SMS_CODE_MINUTES for SMS_CODE_ATTEMPTS tries; a phone gets one
    # every SMS_RESEND_SECONDS and at most SMS_PER_PHONE_HOUR an hour (one address SMS_PER_ADDRESS_MINUTE a
    # minute); a confirmed phone votes with a token
    # valid VOTER_TOKEN_MINUTES.
    sms_sender: Literal["log", "http"] = "log"
    sms_http_url: str | None = None
    sms_http_token: str | None = None
    sms_code_minutes: int = Field(default=5, ge=1)
    sms_code_attempts: int = Field(default=5, ge=1)
    sms_resend_seconds: int = Field(default=60, ge=1)
    sms_per_phone_hour: int = Field(default=5, ge=1)
    sms_per_address_minute: int = Field(default=5, ge=1)
    voter_token_minutes: int = Field(default=30, ge=1)
    # 不动产查询 by residents (docs/departments.md "Lookups"): the land registry confirms the owner's ID number and a
    # code is texted to the owner's phone (the SMS settings above). ID numbers that do not match are counted per
    # resident and per certificate: PROPERTY_OWNER_MAX_FAILURES of them lock owner checks for
    # PROPERTY_OWNER_LOCKOUT_MINUTES (otherwise the check would tell a guesser which ID number owns a property).
    # A confirmed owner may look the property up for PROPERTY_GRANT_MINUTES.
    property_owner_max_failures: int = Field(default=5, ge=1)
    property_owner_lockout_minutes: int = Field(default=60, ge=1)
    property_grant_minutes: int = Field(default=15, ge=1)

    complaint_deadline_workdays: int = 3
    ticket_deadline_workdays: int = 5
    # 社区事件 (SQ): hours from filing until the grid officer must have accepted it (the city's 48 h → 4 h).
    incident_response_hours: int = Field(default=4, ge=1)
    # Residents' and officers' photos (api/services/photos.py): largest upload, and where the files are kept.
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    photo_dir: Path = VAR_DIR / "photos"
    timezone: str = "Asia/Shanghai"
    holidays_file: Path = Path(__file__).resolve().parent / "data" / "holidays.yaml"
    # When 12345 agents read handed-off conversations (working days of the holiday calendar, `timezone`);
    # outside these hours the resident is told when to expect an answer.
    agent_hours_start: time = time(8, 30)
    agent_hours_end: time = time(17, 30)
    knowledge_enabled: bool = True
    # The request router's model directory; unset: the knowledge settings' (KNOWLEDGE_ROUTING_DIR, else
    # var/index/routing). See docs/routing.md.
    routing_model_dir: Path | None = None
    # Below this router confidence a new case gets the suggested category but no department, and waits in
    # the triage queue (GET /api/staff/triage) for an agent. 0.9: on the held-out requests the router is
    # right on 92% of the cases at or above it (44% of them); see docs/routing.md "Routing cases".
    routing_confidence_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    # A complaint or ticket whose sender filed the same text (whitespace collapsed) this many minutes ago or
    # less gets the receipt of that case (200) instead of a second case (api/services/filing.py); 0: never.
    filing_dedupe_minutes: float = Field(default=10, ge=0)
    # How often the 督办 scheduler looks for cases turning yellow or red (api/supervision.py); 0: never.
    supervision_interval_seconds: float = Field(default=60, ge=0)
    log_level: str = "INFO"
    # Several uvicorn workers: an empty directory where each keeps its metrics, so that any worker's
    # /metrics adds up all of them (prometheus_client reads the same variable). Unset: this process only.
    prometheus_multiproc_dir: Path | None = None

    # WeChat Official Account channel (docs/wechat.md): `/wechat` answers 503 until the token is set.
    wechat_token: str | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_aes_key: str | None = None  # EncodingAESKey, 43 characters: enables compatible and safe mode
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_api_timeout_seconds: float = 5.0
    wechat_reply_budget_seconds: float = 4.0  # WeChat drops a passive reply after 5 s and retries
    wechat_dedupe_seconds: int = 300  # longer than WeChat's three retries
    wechat_choices_seconds: int = 1800  # how long "回复数字" still refers to the last numbered choices

    # Department systems (docs/departments.md). Deliveries of dispatched cases to their webhooks: how often the
    # worker looks for due ones (0: never), each send's timeout, and the retries: attempt n waits
    # backoff * 2^(n-1) seconds (at most the maximum) after a failure; after max_attempts it is dead.
    department_delivery_interval_seconds: float = Field(default=2, ge=0)
    department_delivery_timeout_seconds: float = Field(default=10, gt=0)
    department_delivery_max_attempts: int = Field(default=6, ge=1)
    department_delivery_backoff_seconds: float = Field(default=30, ge=0)
    department_delivery_backoff_max_seconds: float = Field(default=3600, ge=0)
    # Lookups across departments (api/department_lookup.py): each department's timeout unless its endpoint
    # has one, retries after a timeout or error, the whole lookup's budget (nothing waits longer), and the
    # circuit breaker: open after this many failures in a row, one trial call after the cool-down.
    department_lookup_timeout_seconds: float = Field(default=1.5, gt=0)
    department_lookup_retries: int = Field(default=1, ge=0)
    department_lookup_budget_seconds: float = Field(default=3.0, gt=0)
    department_breaker_failures: int = Field(default=3, ge=1)
    department_breaker_cooldown_seconds: float = Field(default=30, ge=0)
    # The local stand-in department service (scripts/standin_departments.py) that `make run` starts and
    # `seed-demo` registers for every department when none is configured.
    standin_port: int = 8200
    # What the stand-in's per-department credentials and signing secrets are derived from (api/standin.py).
    standin_secret: str = Field(default_factory=lambda: _local_secret("standin.secret"))

    @field_validator("rasa_url")
    @classmethod
    def _names_a_rasa_server(cls, value: str) -> str:
        if not any(url.strip() for url in value.split(",")):
            raise ValueError("RASA_URL names no Rasa server")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for entry in value.split(","):
            if entry.strip():
                ip_network(entry.strip(), strict=False)  # ValueError names the bad entry
        return value

    @field_validator("jwt_secret", "service_token")
    @classmethod
    def _long_enough(cls, value: str, info: ValidationInfo) -> str:
        name = (info.field_name or "secret").upper()
        if len(value.strip()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"{name} must be at least {MIN_SECRET_LENGTH} characters (it has {len(value.strip())}); "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))', "
                "or leave it unset in development to use a generated one under var/"
            )
        return value.strip()

    @property
    def pii_keys(self) -> list[str]:
        """The key to write with first, then the older ones that can still be read."""
        return [self.pii_key, *(key.strip() for key in self.pii_previous_keys.split(",") if key.strip())]

    @property
    def trusted_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(entry.strip(), strict=False) for entry in self.trusted_proxies.split(",") if entry.strip()]

    @property
    def rasa_urls(self) -> list[str]:
        return [url.strip() for url in self.rasa_url.split(",") if url.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
