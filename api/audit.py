"""The audit trail: written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.models import AuditEntry

RESIDENT = "resident"
SYSTEM = "system"


def record(session: Session, actor: str, role: str, action: str, target: str | None, **detail: Any) -> None:
    session.add(AuditEntry(actor=actor, role=role, action=action, target=target, detail=detail))
