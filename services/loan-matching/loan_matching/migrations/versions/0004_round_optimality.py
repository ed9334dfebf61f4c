"""assignment rounds say whether their gap is proven optimal or what the time limit left

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "assignment_round",
        sa.Column("optimality", sa.String(length=20), nullable=False, server_default="optimal"),
    )
    op.add_column("assignment_round", sa.Column("start_objective", sa.Numeric(precision=18, scale=2)))


def downgrade() -> None:
    op.drop_column("assignment_round", "start_objective")
    op.drop_column("assignment_round", "optimality")
