"""Moderation of published suggestions: review columns on suggestions, the administrators' word-list changes.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged_words", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("original_content", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sensitive_words",
        sa.Column("word", sa.String(length=32), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("word"),
    )


def downgrade() -> None:
    op.drop_table("sensitive_words")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        for column in ("reviewed_at", "reviewed_by", "review_note", "original_content", "flagged_words"):
            batch_op.drop_column(column)
