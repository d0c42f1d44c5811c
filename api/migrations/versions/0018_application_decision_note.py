"""An application not accepted keeps the reason staff gave (`applications.decision_note`, masked), which the
applicant reads in its status ("未予受理，原因：…").

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0018", "0017", None, None


def upgrade() -> None:
    op.add_column("applications", sa.Column("decision_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("applications", "decision_note")
