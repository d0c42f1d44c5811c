"""Settings of the action server, read from the environment (one place, read once)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The gateway keeps its generated secrets here when none is configured (api/settings.py).
LOCAL_SERVICE_TOKEN = Path(__file__).resolve().parent.parent / "var" / "service.token"


@dataclass(frozen=True)
class Settings:
    gateway_url: str
    service_token: str
    case_api_timeout: float
    max_slot_attempts: int


def _local_service_token() -> str:
    return LOCAL_SERVICE_TOKEN.read_text().strip() if LOCAL_SERVICE_TOKEN.exists() else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process; tests build `Settings` directly instead."""
    return Settings(
        gateway_url=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/"),
        service_token=os.environ.get("SERVICE_TOKEN") or _local_service_token(),
        case_api_timeout=float(os.environ.get("CASE_API_TIMEOUT", "5")),
        max_slot_attempts=int(os.environ.get("MAX_SLOT_ATTEMPTS", "3")),
    )
