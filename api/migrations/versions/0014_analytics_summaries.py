"""Per-day summaries for the analytics dashboard (api/services/analytics_summary.py): a year's figures read from
tens of thousands of grouped rows instead of a million cases (issue 14, scripts/bench_analytics.py).

Each table holds, per local day, the counts a section adds up; `analytics_summary_state` remembers up to when
cases, evaluations and assistant turns were summarised and with which holiday calendar (handling times count
working days). `cases.updated_at` gets an index: the days to summarise again are those of the cases changed
since; `assistant_turns.latency_ms` one for a percentile's exact value within its bucket.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0014", "0013", None, None


def _day_table(name: str, *columns: sa.Column, channel_nullable: bool = False, department: bool = True) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=channel_nullable),
        *([sa.Column("department", sa.String(length=64), nullable=True)] if department else []),
        *columns,
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{name}_day", name, ["day"])


CASE_TABLES = ("analytics_rating_days", "analytics_complaint_days", "analytics_category_days", "analytics_case_days")
TURN_TABLES = ("analytics_latency_days", "analytics_conversation_days", "analytics_turn_days")


def upgrade() -> None:
    op.create_index("ix_cases_updated_at", "cases", ["updated_at"])
    _day_table(
        "analytics_case_days",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("closed_late", sa.Integer(), nullable=False),
        sa.Column("closed_due", sa.Integer(), nullable=False),
        sa.Column("handling_workdays", sa.Integer(), nullable=False),
    )
    _day_table(
        "analytics_category_days",
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("subcategory", sa.String(length=64), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
    )
    _day_table(
        "analytics_complaint_days",
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
    )
    _day_table(
        "analytics_rating_days",
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("good", sa.Integer(), nullable=False),
        channel_nullable=True,  # an evaluation of a service has no case, so no channel
    )
    _day_table(
        "analytics_turn_days",
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        department=False,
    )
    _day_table(
        "analytics_conversation_days",
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("handoff", sa.Integer(), nullable=False),
        sa.Column("helped", sa.Integer(), nullable=False),
        department=False,
    )
    _day_table(
        "analytics_latency_days",
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        department=False,
    )
    op.create_index(
        "ix_assistant_turns_latency", "assistant_turns", ["latency_ms"], postgresql_include=["at", "channel"]
    )
    op.create_table(
        "analytics_summary_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summarised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calendar_key", sa.String(length=64), nullable=False),
        sa.Column("recent", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("analytics_summary_state")
    op.drop_index("ix_assistant_turns_latency", "assistant_turns")
    for name in (*TURN_TABLES, *CASE_TABLES):
        op.drop_index(f"ix_{name}_day", name)
        op.drop_table(name)
    op.drop_index("ix_cases_updated_at", "cases")
