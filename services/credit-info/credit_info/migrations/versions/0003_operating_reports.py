"""credit-info: operating reports of the SME ledger (versioned) and programme enrolments

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(n: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def _money(name: str, nullable: bool = False) -> sa.Column[sa.Numeric]:
    return sa.Column(name, sa.Numeric(precision=18, scale=2), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "operating_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", _s(18), nullable=False),
        sa.Column("period", _s(7), nullable=False),
        sa.Column("frequency", _s(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _money("output_value"),
        _money("sales_revenue"),
        _money("profit"),
        _money("taxes_paid"),
        _money("exports"),
        _money("energy_use"),
        sa.Column("employees", sa.Integer(), nullable=False),
        _money("total_assets", nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("correction_reason", _s(500), nullable=True),
        sa.Column("submitted_by", _s(200), nullable=False),
        sa.Column("submitted_role", _s(20), nullable=False),
        sa.Column("batch_id", _s(100), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operating_reports")),
        sa.UniqueConstraint("uscc", "period", "version", name=op.f("uq_operating_reports_uscc")),
    )
    op.create_index("ix_operating_reports_period", "operating_reports", ["period"], unique=False)
    op.create_index(
        "uq_operating_reports_current",
        "operating_reports",
        ["uscc", "period"],
        unique=True,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "programme_enrolments",
        sa.Column("uscc", _s(18), nullable=False),
        sa.Column("programme", _s(20), nullable=False),
        sa.Column("baseline_year", sa.Integer(), nullable=False),
        sa.Column("enrolled_by", _s(200), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "programme", name=op.f("pk_programme_enrolments")),
    )


def downgrade() -> None:
    op.drop_table("programme_enrolments")
    op.drop_index("uq_operating_reports_current", table_name="operating_reports")
    op.drop_index("ix_operating_reports_period", table_name="operating_reports")
    op.drop_table("operating_reports")
