"""The local stand-in department service (scripts/standin_departments.py, 样例): its URLs, the secrets it shares
with the gateway, and its registration as every department's system when nothing is configured.

The credential and signing secret of each department are derived from STANDIN_SECRET (generated under var/ by
default), so the gateway's seed and the stand-in process agree on them without passing them around.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.categories import Category
from api.models import DepartmentEndpoint
from api.services.departments import CREDENTIAL_PREFIX, known_departments, register
from api.settings import Settings
from contract.property_lookup import PROPERTY_SOURCES


def _derived(secret: str, purpose: str, department: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{department}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def credential(secret: str, department: str) -> str:
    return CREDENTIAL_PREFIX + _derived(secret, "credential", department)


def signing_secret(secret: str, department: str) -> str:
    return _derived(secret, "signing", department)


def base_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.standin_port}"


def webhook_url(settings: Settings, department: str) -> str:
    return f"{base_url(settings)}/webhooks/{quote(department)}"


def lookup_url(settings: Settings, source: str) -> str:
    return f"{base_url(settings)}/{source}/property"


def seed(session: Session, categories: dict[str, Category], settings: Settings) -> int:
    """Register the stand-in for every department when no department system is registered; how many."""
    if session.scalar(select(func.count()).select_from(DepartmentEndpoint)):
        return 0
    lookups = {source.department: lookup_url(settings, source.source) for source in PROPERTY_SOURCES}
    departments = sorted(known_departments(categories))
    for department in departments:
        fields = {
            "webhook_url": webhook_url(settings, department),
            "lookup_url": lookups.get(department),
            "signing_secret": signing_secret(settings.standin_secret, department),
        }
        register(
            session, categories, department, fields, audit.SYSTEM, audit.SYSTEM,
            sample=True, credential=credential(settings.standin_secret, department),
        )  # fmt: skip
    return len(departments)
