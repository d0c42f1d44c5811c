"""Community incidents no longer keep their kind (报修, 安全隐患 …) as their category: a new one is routed like
every other case (api/services/incidents.py), and the earlier ones lose the kind there, which the statistics
counted as a 16th level-1 category. Their kind stays in `incidents.incident_kind`; `updated_at` is stamped so that
the analytics summaries count their days again.

Revision ID: 0017
Revises: 0016
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# Alembic reads these four names.
revision, down_revision, branch_labels, depends_on = "0017", "0016", None, None

# contract.community_places.INCIDENT_KINDS when this revision was written.
KINDS = ("报修", "安全隐患", "环境卫生", "邻里纠纷", "其他")

cases = sa.table(
    "cases",
    sa.column("kind", sa.String()),
    sa.column("category", sa.String(64)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.get_bind().execute(
        cases.update()
        .where(cases.c.kind == "incident", cases.c.category.in_(KINDS))
        .values(category=None, updated_at=datetime.now(UTC))
    )


def downgrade() -> None:
    pass  # the categories removed were no categories; the kind is still in incidents.incident_kind
