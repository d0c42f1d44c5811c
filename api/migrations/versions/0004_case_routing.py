"""Case routing: level-2 category, who routed the case, the router's confidence and alternatives.

Rows written before this revision by the handoff dispatch hold "level1/level2" in `category`: they are split
into `category` and `subcategory`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0004", "0003", None, None

cases = sa.table(
    "cases",
    sa.column("id", sa.Integer()),
    sa.column("category", sa.String(64)),
    sa.column("subcategory", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subcategory", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("routed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("routing_confidence", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("routing_alternatives", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_routed_by"), ["routed_by"], unique=False)
    connection = op.get_bind()
    rows = connection.execute(sa.select(cases.c.id, cases.c.category).where(cases.c.category.like("%/%"))).all()
    for case_id, category in rows:
        level1, _, level2 = category.partition("/")
        connection.execute(
            cases.update().where(cases.c.id == case_id).values(category=level1, subcategory=level2 or None)
        )


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(cases.c.id, cases.c.category, cases.c.subcategory).where(cases.c.subcategory.is_not(None))
    ).all()
    for case_id, category, subcategory in rows:
        connection.execute(cases.update().where(cases.c.id == case_id).values(category=f"{category}/{subcategory}"))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_routed_by"))
        batch_op.drop_column("routing_alternatives")
        batch_op.drop_column("routing_confidence")
        batch_op.drop_column("routed_by")
        batch_op.drop_column("subcategory")
