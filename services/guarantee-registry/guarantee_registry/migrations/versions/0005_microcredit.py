"""microcredit companies (小额贷款公司) in the institution registry

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "microcredit_companies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("league_code", sa.String(length=6), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("zone_code", sa.String(length=32), nullable=True),
        sa.Column("licence_number", sa.String(length=64), nullable=False),
        sa.Column("registered_capital", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microcredit_companies")),
        sa.UniqueConstraint("uscc", name=op.f("uq_microcredit_companies_uscc")),
    )
    for column in ("league_code", "county_code", "zone_code"):
        op.create_index(
            op.f(f"ix_microcredit_companies_{column}"), "microcredit_companies", [column], unique=False
        )


def downgrade() -> None:
    for column in ("league_code", "county_code", "zone_code"):
        op.drop_index(op.f(f"ix_microcredit_companies_{column}"), table_name="microcredit_companies")
    op.drop_table("microcredit_companies")
