"""interest subsidies (贴息) and their programme funds' ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "interest_subsidy",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=20), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("bank_org_id", sa.String(length=100), nullable=False),
        sa.Column("principal", MONEY, nullable=False),
        sa.Column("loan_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fund_year", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_interest_subsidy_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_subsidy")),
        sa.UniqueConstraint("loan_id", "programme", name="uq_interest_subsidy_loan_programme"),
    )
    for column in ("loan_id", "uscc", "bank_org_id", "status"):
        op.create_index(op.f(f"ix_interest_subsidy_{column}"), "interest_subsidy", [column])
    op.create_table(
        "subsidy_fund_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("subsidy_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subsidy_id"],
            ["interest_subsidy.id"],
            name=op.f("fk_subsidy_fund_entry_subsidy_id_interest_subsidy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_fund_entry")),
    )
    for column in ("programme", "year"):
        op.create_index(op.f(f"ix_subsidy_fund_entry_{column}"), "subsidy_fund_entry", [column])


def downgrade() -> None:
    op.drop_table("subsidy_fund_entry")
    op.drop_table("interest_subsidy")
