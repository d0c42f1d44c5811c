"""Data migrations tested on rows written as an earlier schema held them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command

from api.migrate import alembic_config

OLD_CASE = sa.text(
    "INSERT INTO cases (number, kind, status, category, channel, created_at, updated_at) "
    "VALUES (:number, :kind, :status, :category, :channel, :at, :at)"
)


def cases_upgraded(database_url: str, revision: str, cases: list[dict[str, str]], query: str) -> list[tuple[Any, ...]]:
    """Insert `cases` (number, kind, status, category, channel, at) at `revision`, upgrade to head and return
    `query`'s rows. Then down to `revision` and up again: the migration's downgrade runs too."""
    config = alembic_config(database_url)
    command.upgrade(config, revision)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            for case in cases:
                connection.execute(OLD_CASE, case)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()
    command.downgrade(config, revision)
    command.upgrade(config, "head")
    return rows
