"""Keeps the case store's service catalogue in step with the knowledge base files."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.models import Case, Service
from knowledge.schema import Service as KnowledgeService


def sync_catalogue(sessions: sessionmaker[Session], services: Iterable[KnowledgeService]) -> int:
    """Upsert every service; remove the ones gone from the files unless cases still refer to them."""
    services = list(services)
    with transaction(sessions) as session:
        for item in services:
            session.merge(
                Service(
                    name=item.name,
                    department=item.department,
                    category=item.category,
                    online=item.online,
                    process_days=item.process_days,
                    fee=item.fee,
                    place=f"{item.place.hall}（{item.place.address}，{item.place.hours}）",
                    materials=list(item.materials),
                    offline_steps=list(item.steps_offline),
                )
            )
        names = [item.name for item in services]
        in_use = select(Case.service).where(Case.service.is_not(None))
        session.execute(delete(Service).where(Service.name.not_in(names), Service.name.not_in(in_use)))
    return len(services)
