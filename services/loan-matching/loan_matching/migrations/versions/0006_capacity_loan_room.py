"""guarantee capacity in loan terms (capacity.changed loan_room), so both services apply one capacity rule

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "guarantee_capacity", sa.Column("loan_room", sa.Numeric(precision=18, scale=2), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("guarantee_capacity", "loan_room")
