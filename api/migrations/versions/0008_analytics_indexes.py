"""Indexes for the analytics aggregates (api/services/analytics.py; figures: scripts/bench_analytics.py).

On PostgreSQL the range aggregates read only covering indexes (index-only scans): the cases of a date range
with the columns the dashboard groups by, the open cases by status and deadline (cards, overdue list), the
evaluations and assistant turns of a range. SQLite gets the plain keys where it lacks one.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0008", "0007", None, None

CASE_COLUMNS = [
    "kind",
    "channel",
    "department",
    "status",
    "category",
    "subcategory",
    "service",
    "deadline",
    "updated_at",
]
TURN_COLUMNS = ["channel", "sender_hash", "outcome", "latency_ms", "service"]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.create_index("ix_cases_created_analytics", "cases", ["created_at"], postgresql_include=CASE_COLUMNS)
        op.create_index("ix_assistant_turns_at_analytics", "assistant_turns", ["at"], postgresql_include=TURN_COLUMNS)
    op.create_index(
        "ix_cases_status_deadline", "cases", ["status", "deadline"], postgresql_include=["department", "channel"]
    )
    op.create_index(
        "ix_evaluations_created_at",
        "evaluations",
        ["created_at"],
        postgresql_include=["case_number", "service", "stars"],
    )


def downgrade() -> None:
    op.drop_index("ix_evaluations_created_at", "evaluations")
    op.drop_index("ix_cases_status_deadline", "cases")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_assistant_turns_at_analytics", "assistant_turns")
        op.drop_index("ix_cases_created_analytics", "cases")
