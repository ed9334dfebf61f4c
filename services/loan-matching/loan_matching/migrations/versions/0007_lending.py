"""lending, complete: rate explanations and operating signals, bank quotas, credit lines

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("product", sa.Column("signal_spreads", JSON, nullable=False, server_default="[]"))
    op.add_column("match", sa.Column("rate_explanation", JSON, nullable=False, server_default="[]"))
    op.add_column("match", sa.Column("status_reason", sa.String(length=500)))
    op.add_column("enterprise", sa.Column("revenue_growth_percent", sa.Numeric(9, 2)))
    op.add_column("enterprise", sa.Column("tax_grade", sa.String(length=1)))
    op.add_column("enterprise", sa.Column("social_insurance_months", sa.Integer()))
    op.add_column("enterprise", sa.Column("utilities_on_time_percent", sa.Numeric(5, 2)))
    op.add_column("enterprise", sa.Column("signals_as_of", sa.DateTime(timezone=True)))
    op.create_table(
        "bank_quota",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("bank_org_id", sa.String(length=100), nullable=False, unique=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("quota_count", sa.Integer()),
        sa.Column("quota_amount", sa.Numeric(18, 2)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "credit_line",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("bank_org_id", sa.String(length=100), nullable=False, index=True),
        sa.Column("uscc", sa.String(length=18), nullable=False, index=True),
        sa.Column("credit_limit", sa.Numeric(18, 2), nullable=False),
        sa.Column("outstanding", sa.Numeric(18, 2), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("base_rate", sa.Numeric(7, 4), nullable=False),
        sa.Column("grade_spreads", JSON, nullable=False),
        sa.Column("signal_spreads", JSON, nullable=False),
        sa.Column("grade_at_grant", sa.String(length=4)),
        sa.Column("status", sa.String(length=20), nullable=False, index=True),
        sa.Column("status_reason", sa.String(length=500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        # A line can never be drawn beyond its limit, whatever the code above it does.
        sa.CheckConstraint(
            "outstanding >= 0 AND outstanding <= credit_limit", name="ck_credit_line_within_limit"
        ),
    )
    op.create_table(
        "credit_line_draw",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("line_id", sa.Uuid(), sa.ForeignKey("credit_line.id"), nullable=False, index=True),
        sa.Column("bank_org_id", sa.String(length=100), nullable=False, index=True),
        sa.Column("uscc", sa.String(length=18), nullable=False, index=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("rate", sa.Numeric(7, 4), nullable=False),
        sa.Column("outstanding", sa.Numeric(18, 2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rate_explanation", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("repaid_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("credit_line_draw")
    op.drop_table("credit_line")
    op.drop_table("bank_quota")
    for column in (
        "signals_as_of",
        "utilities_on_time_percent",
        "social_insurance_months",
        "tax_grade",
        "revenue_growth_percent",
    ):
        op.drop_column("enterprise", column)
    op.drop_column("match", "status_reason")
    op.drop_column("match", "rate_explanation")
    op.drop_column("product", "signal_spreads")
