"""Keeps the case store's service catalogue in step with the knowledge base files."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from api.db import transaction
from api.models import Case, Service
from knowledge.schema import Service as KnowledgeService


def place_text(item: KnowledgeService) -> str:
    """Flat, with no brackets of its own: a hall or address often has some ("（示例地址）"), and brackets
    inside brackets read badly."""
    return f"{item.place.hall}；地址：{item.place.address}；办公时间：{item.place.hours}"


def sync_catalogue(sessions: sessionmaker[Session], services: Iterable[KnowledgeService]) -> int:
    """Upsert every service; remove the ones gone from the files unless cases still refer to them.

    Several gateway workers start at once and all sync: an upsert (not read-then-insert) keeps that safe.
    """
    rows = [
        {
            "name": item.name,
            "department": item.department,
            "category": item.category,
            "online": item.online,
            "process_days": item.process_days,
            "fee": item.fee,
            "place": place_text(item),
            "materials": list(item.materials),
            "offline_steps": list(item.steps_offline),
        }
        for item in services
    ]
    with transaction(sessions) as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        for row in rows:
            statement = insert(Service).values(**row)
            updates = {key: statement.excluded[key] for key in row if key != "name"}
            session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=updates))
        names = [row["name"] for row in rows]
        in_use = select(Case.service).where(Case.service.is_not(None))
        session.execute(delete(Service).where(Service.name.not_in(names), Service.name.not_in(in_use)))
    return len(rows)
