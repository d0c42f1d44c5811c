"""Deadline supervision (督办): the events table (cards, notes, extensions) and the staff user's department.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0006", "0005", None, None

CARDS = sa.text("kind IN ('yellow', 'red')")


def upgrade() -> None:
    op.create_table(
        "supervision_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_events_at"), ["at"], unique=False)
        batch_op.create_index(
            "ux_supervision_card",
            ["case_id", "kind", "deadline"],
            unique=True,
            postgresql_where=CARDS,
            sqlite_where=CARDS,
        )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_users_department"), ["department"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_department"))
        batch_op.drop_column("department")
    op.drop_table("supervision_events")
