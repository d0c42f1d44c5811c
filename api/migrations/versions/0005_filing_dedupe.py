"""Filing dedupe: the hash of a complaint's or ticket's text on the case, indexed with its sender, and the
per-resident lock row that serialises a resident's filings (api/services/filing.py `duplicate_of`).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


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
