"""Participatory budgeting (预算项目提议, YS cases): budget rounds, proposals, ballots and their choices,
implementation progress of funded projects, and the one-time codes that confirm a voter's phone.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0012", "0011", None, None


def upgrade() -> None:
    op.create_table(
        "budget_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("budget_yuan", sa.BigInteger(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("proposals_until", sa.Date(), nullable=False),
        sa.Column("review_until", sa.Date(), nullable=False),
        sa.Column("voting_until", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("results_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.CheckConstraint("budget_yuan > 0", name="budget_positive"),
        sa.CheckConstraint("max_choices >= 1", name="max_choices_positive"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_budget_rounds_phase", "budget_rounds", ["phase"])
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rough_cost_yuan", sa.BigInteger(), nullable=False),
        sa.Column("cost_estimate_yuan", sa.BigInteger(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["budget_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proposals_round_id", "proposals", ["round_id"])
    op.create_table(
        "budget_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["budget_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "voter"),
    )
    op.create_table(
        "budget_ballot_choices",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["budget_ballots.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ballot_id", "proposal_id"),
    )
    op.create_index("ix_budget_ballot_choices_proposal_id", "budget_ballot_choices", ["proposal_id"])
    op.create_table(
        "proposal_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proposal_progress_proposal_id", "proposal_progress", ["proposal_id"])
    op.create_table(
        "phone_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_phone_codes_phone_hash", "phone_codes", ["phone_hash"])


def downgrade() -> None:
    op.drop_table("phone_codes")
    op.drop_table("proposal_progress")
    op.drop_table("budget_ballot_choices")
    op.drop_table("budget_ballots")
    op.drop_table("proposals")
    op.drop_table("budget_rounds")
