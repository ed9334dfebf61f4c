"""offers known from loan-matching's events; companies that approve each guarantee themselves

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_offers",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("bank_org_id", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("guaranteed", sa.Boolean(), nullable=False),
        sa.Column("guarantee_company_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("startup_micro_loan", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_known_offers")),
    )
    op.add_column(
        "guarantee_companies",
        sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("guarantee_companies", "approval_required")
    op.drop_table("known_offers")
