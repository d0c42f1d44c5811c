"""Commendations (表扬): praise is its own kind of feedback, not a case and never a complaint.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("sender", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commendations_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_commendations_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commendations_created_at"))
        batch_op.drop_index(batch_op.f("ix_commendations_department"))
    op.drop_table("commendations")
