"""Case numbers: prefix + local date + a per-day sequence taken atomically from the database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.models import CaseCounter


def next_number(session: Session, prefix: str, now: datetime, tz: ZoneInfo) -> str:
    """E.g. TS2026112200042. The row update serialises concurrent filings, so numbers never collide."""
    day = now.astimezone(tz).strftime("%Y%m%d")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(CaseCounter).values(prefix=prefix, day=day, last=0).on_conflict_do_nothing())
    seq = session.execute(
        update(CaseCounter)
        .where(CaseCounter.prefix == prefix, CaseCounter.day == day)
        .values(last=CaseCounter.last + 1)
        .returning(CaseCounter.last)
    ).scalar_one()
    return f"{prefix}{day}{seq:05d}"
