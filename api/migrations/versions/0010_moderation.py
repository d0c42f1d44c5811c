"""Moderation of published suggestions: review states, sensitive-word list.

Revision ID: 0010
Revises: 0009
"""

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
