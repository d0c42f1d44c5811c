"""Request intake: the place a case concerns, agents' routing corrections (exportable as training data) and
the case embeddings behind the console's 相似工单 panel.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0009", "0008", None, None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=200), nullable=True))
    op.create_table(
        "routing_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_category", sa.String(length=64), nullable=True),
        sa.Column("predicted_subcategory", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("subcategory", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("corrected_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_routing_corrections_at", "routing_corrections", ["at"])
    op.create_table(
        "case_embeddings",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index("ix_case_embeddings_at", "case_embeddings", ["at"])


def downgrade() -> None:
    op.drop_index("ix_case_embeddings_at", table_name="case_embeddings")
    op.drop_table("case_embeddings")
    op.drop_index("ix_routing_corrections_at", table_name="routing_corrections")
    op.drop_table("routing_corrections")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("place")
