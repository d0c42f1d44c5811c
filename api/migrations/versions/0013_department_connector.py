"""Department systems (docs/departments.md): their endpoints (webhook, signing secret, credential hash, record
lookups) and the queue of case deliveries to their webhooks.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0013", "0012", None, None

DUE = sa.text("delivered_at IS NULL AND NOT dead")


def upgrade() -> None:
    op.create_table(
        "department_endpoints",
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=False),
        sa.Column("signing_secret", sa.Text(), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("lookup_url", sa.String(length=500), nullable=True),
        sa.Column("lookup_timeout_seconds", sa.Float(), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential_rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("department"),
        sa.UniqueConstraint("credential_hash"),
    )
    op.create_table(
        "department_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_department_deliveries_case_id", "department_deliveries", ["case_id"])
    op.create_index("ix_department_deliveries_department", "department_deliveries", ["department"])
    op.create_index("ix_department_deliveries_dead", "department_deliveries", ["dead"])
    op.create_index(
        "ix_department_deliveries_due",
        "department_deliveries",
        ["next_attempt_at"],
        postgresql_where=DUE,
        sqlite_where=DUE,
    )


def downgrade() -> None:
    op.drop_table("department_deliveries")
    op.drop_table("department_endpoints")
