"""Routing corrections made by agents, exportable as training data.

Revision ID: 0009
Revises: 0008
"""

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
