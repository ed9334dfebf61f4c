"""assignment_round.solver wide enough for the solver's description

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("assignment_round", "solver", type_=sa.String(length=500), existing_nullable=False)


def downgrade() -> None:
    op.alter_column(
        "assignment_round",
        "solver",
        type_=sa.String(length=60),
        existing_nullable=False,
        postgresql_using="left(solver, 60)",
    )
