"""re-guarantee agreements and cessions; risk-compensation funds as ledgers; the borrower's size class

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "reguarantee_agreements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("reguarantor_id", sa.Uuid(), nullable=False),
        sa.Column("share", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["guarantee_companies.id"],
            name=op.f("fk_reguarantee_agreements_company_id_guarantee_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["reguarantor_id"],
            ["guarantee_companies.id"],
            name=op.f("fk_reguarantee_agreements_reguarantor_id_guarantee_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reguarantee_agreements")),
    )
    op.create_index(
        "ux_reguarantee_active_company",
        "reguarantee_agreements",
        ["company_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "compensation_fund_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fund", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("guarantee_id", sa.Uuid(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantee_id"],
            ["guarantees.id"],
            name=op.f("fk_compensation_fund_entries_guarantee_id_guarantees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_fund_entries")),
    )
    op.create_index(op.f("ix_compensation_fund_entries_fund"), "compensation_fund_entries", ["fund"])
    op.add_column("guarantees", sa.Column("compensation_fund", sa.String(length=32), nullable=True))
    op.add_column("guarantees", sa.Column("size_class", sa.String(length=10), nullable=True))
    op.add_column("guarantees", sa.Column("reguarantor_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_guarantees_reguarantor_id_guarantee_companies"),
        "guarantees",
        "guarantee_companies",
        ["reguarantor_id"],
        ["id"],
    )
    op.add_column("guarantees", sa.Column("ceded_liability", MONEY, nullable=False, server_default="0"))
    op.add_column("guarantees", sa.Column("reguarantor_paid", MONEY, nullable=False, server_default="0"))
    op.add_column("known_offers", sa.Column("size_class", sa.String(length=10), nullable=True))
    # Claims already paid by the start-up fund become its first ledger lines, so balances stay right.
    op.execute(
        "INSERT INTO compensation_fund_entries (id, fund, kind, amount, guarantee_id, recorded_by, recorded_at) "
        "SELECT gen_random_uuid(), 'startup_micro', 'payout', risk_compensation, id, 'migration 0004', updated_at "
        "FROM guarantees WHERE risk_compensation > 0"
    )
    op.execute("UPDATE guarantees SET compensation_fund = 'startup_micro' WHERE risk_compensation > 0")


def downgrade() -> None:
    op.drop_column("known_offers", "size_class")
    op.drop_column("guarantees", "reguarantor_paid")
    op.drop_column("guarantees", "ceded_liability")
    op.drop_constraint(
        op.f("fk_guarantees_reguarantor_id_guarantee_companies"), "guarantees", type_="foreignkey"
    )
    op.drop_column("guarantees", "reguarantor_id")
    op.drop_column("guarantees", "size_class")
    op.drop_column("guarantees", "compensation_fund")
    op.drop_index(op.f("ix_compensation_fund_entries_fund"), table_name="compensation_fund_entries")
    op.drop_table("compensation_fund_entries")
    op.drop_index("ux_reguarantee_active_company", table_name="reguarantee_agreements")
    op.drop_table("reguarantee_agreements")
