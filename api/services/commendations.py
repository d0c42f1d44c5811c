"""Commendations (表扬): residents' praise, stored apart from the case kinds and counted per department."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.models import Commendation, Service
from api.schemas import CommendationCreate, CommendationList, CommendationPublic
from contract.personal_data import mask_text


def commend(session: Session, body: CommendationCreate) -> Commendation:
    """Store the praise for the given department, else the service's department, else none."""
    department = body.department
    if department is None and body.service:
        service = session.get(Service, body.service)
        department = service.department if service else None
    commendation = Commendation(
        text=mask_text(body.text),
        department=department,
        service=body.service,
        sender=body.sender,
        channel=body.channel,
    )
    session.add(commendation)
    session.flush()
    audit.record(
        session,
        body.sender or audit.RESIDENT,
        audit.RESIDENT,
        "commend",
        None,
        id=commendation.id,
        department=department,
    )
    return commendation


def list_commendations(session: Session, department: str | None, limit: int, offset: int) -> CommendationList:
    """Newest first."""
    query = select(Commendation)
    if department is not None:
        query = query.where(Commendation.department == department)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Commendation.created_at.desc(), Commendation.id.desc()).limit(limit).offset(offset)
    )
    items = [CommendationPublic.model_validate(c) for c in rows]
    return CommendationList(total=total, items=items)


def per_department(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Commendation.department, func.count())
        .group_by(Commendation.department)
        .order_by(func.count().desc(), Commendation.department)
    )
    return [{"department": department, "count": n} for department, n in rows]
