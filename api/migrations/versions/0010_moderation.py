"""Moderation of published suggestions: review columns on suggestions, the administrators' word-list changes;
suggestions published before are masked as new ones are (api/services/moderation.py).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from contract.personal_data import mask_text

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
    suggestions = sa.table("suggestions", sa.column("id", sa.Integer()), sa.column("content", sa.Text()))
    connection = op.get_bind()
    for row in connection.execute(sa.select(suggestions.c.id, suggestions.c.content)).all():
        masked = mask_text(row.content, names=True)
        if masked != row.content:
            connection.execute(suggestions.update().where(suggestions.c.id == row.id).values(content=masked))


def downgrade() -> None:
    op.drop_table("sensitive_words")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        for column in ("reviewed_at", "reviewed_by", "review_note", "original_content", "flagged_words"):
            batch_op.drop_column(column)
