"""Alembic environment: the URL comes from the gateway settings (or the caller's config)."""

from __future__ import annotations

from alembic import context

from api.db import make_engine
from api.models import Base
from api.settings import get_settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
