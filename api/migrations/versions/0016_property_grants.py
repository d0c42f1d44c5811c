"""Residents' owner checks before a property lookup (api/services/property_access.py, docs/departments.md
"Lookups"): one row per resident and certificate, pending while the texted code is unanswered, then a short grant.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0016", "0014", None, None


def upgrade() -> None:
    op.create_table(
        "property_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_key", sa.String(length=64), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_key"),
    )
    op.create_index("ix_property_grants_sent_at", "property_grants", ["sent_at"])


def downgrade() -> None:
    op.drop_table("property_grants")
