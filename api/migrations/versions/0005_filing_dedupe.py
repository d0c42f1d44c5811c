"""Filing dedupe: the hash of a complaint's or ticket's text on the case, indexed with its sender, and the
per-resident lock row that serialises a resident's filings (api/services/filing.py `duplicate_of`).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_cases_sender_text_hash", ["sender", "text_hash"], unique=False)
    op.create_table(
        "filing_locks",
        sa.Column("sender", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender"),
    )


def downgrade() -> None:
    op.drop_table("filing_locks")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_sender_text_hash")
        batch_op.drop_column("text_hash")
