"""guarantee-registry tables: one registry, so this service's metadata holds only its own tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Column, Field, SQLModel

from smefin.db import new_registry, utcnow
from smefin.outbox import MessagingTables

ZERO = Decimal("0")


class Base(SQLModel, registry=new_registry()):
    """Base of every guarantee-registry table."""


def _money(*, default: Decimal | None = None, nullable: bool = False) -> Any:
    return Field(default=default, sa_column_kwargs={"nullable": nullable}, sa_type=Numeric(18, 2))


def _ts() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class GuaranteeCompany(Base, table=True):
    """A credit-guarantee company (信用担保公司), its capital and its running exposure."""

    __tablename__ = "guarantee_companies"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    uscc: str = Field(sa_type=String(18), unique=True)  # type: ignore[call-overload]
    name: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    league_code: str = Field(sa_type=String(6), index=True)  # type: ignore[call-overload]
    county_code: str | None = Field(default=None, sa_type=String(6), index=True)  # type: ignore[call-overload]
    zone_code: str | None = Field(default=None, sa_type=String(32), index=True)  # type: ignore[call-overload]
    licence_number: str = Field(sa_type=String(64))  # type: ignore[call-overload]
    registered_capital: Decimal = _money()
    paid_in_capital: Decimal = _money()
    net_assets: Decimal = _money()
    ownership: str = Field(sa_type=String(16))  # type: ignore[call-overload]
    serves_small_micro_agri: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    # The company's rules require its own approval of each guarantee before it is issued.
    approval_required: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    owner_org_id: str = Field(sa_type=String(100), index=True)  # type: ignore[call-overload]
    # Sum of the guarantor's liability on issued guarantees (担保责任余额), kept on the row that is locked.
    outstanding: Decimal = _money(default=ZERO)
    version: int = Field(default=1, sa_type=Integer)  # type: ignore[call-overload]
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class CompanyVersion(Base, table=True):
    """One audited change of a company: what changed, the full state after, who and when."""

    __tablename__ = "guarantee_company_versions"
    __table_args__ = (UniqueConstraint("company_id", "version"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    company_id: UUID = Field(
        sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=False, index=True)
    )
    version: int = Field(sa_type=Integer)  # type: ignore[call-overload]
    action: str = Field(sa_type=String(40))  # type: ignore[call-overload]
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)  # type: ignore[call-overload]
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)  # type: ignore[call-overload]
    changed_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    changed_role: str = Field(sa_type=String(20))  # type: ignore[call-overload]
    changed_org: str = Field(sa_type=String(100))  # type: ignore[call-overload]
    changed_at: datetime = _ts()


class CapitalInjection(Base, table=True):
    """Capital put into a guarantee company from one source (资本金注入)."""

    __tablename__ = "capital_injections"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    company_id: UUID = Field(
        sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=False, index=True)
    )
    amount: Decimal = _money()
    injected_on: date = Field(sa_type=Date)  # type: ignore[call-overload]
    source: str = Field(sa_type=String(40), index=True)  # type: ignore[call-overload]
    # The league / county whose fund paid (league fund, county matching fund); the company's otherwise.
    league_code: str = Field(sa_type=String(6))  # type: ignore[call-overload]
    county_code: str | None = Field(default=None, sa_type=String(6))  # type: ignore[call-overload]
    note: str | None = Field(default=None, sa_type=Text)  # type: ignore[call-overload]
    recorded_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    created_at: datetime = _ts()


class CountyFiscalRevenue(Base, table=True):
    """A county-level division's fiscal revenue (财政收入) in one year, maintained by the office."""

    __tablename__ = "county_fiscal_revenues"

    county_code: str = Field(sa_type=String(6), primary_key=True)  # type: ignore[call-overload]
    year: int = Field(sa_type=Integer, primary_key=True)  # type: ignore[call-overload]
    league_code: str = Field(sa_type=String(6))  # type: ignore[call-overload]
    fiscal_revenue: Decimal = _money()
    updated_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    updated_at: datetime = _ts()


class DevelopmentZone(Base, table=True):
    """A development zone / industrial park (开发区、园区)."""

    __tablename__ = "development_zones"

    code: str = Field(sa_type=String(32), primary_key=True)  # type: ignore[call-overload]
    name: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    league_code: str = Field(sa_type=String(6))  # type: ignore[call-overload]
    county_code: str | None = Field(default=None, sa_type=String(6))  # type: ignore[call-overload]
    updated_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    updated_at: datetime = _ts()


class ZoneAnnualSales(Base, table=True):
    """A development zone's annual sales (年销售收入) in one year."""

    __tablename__ = "zone_annual_sales"

    zone_code: str = Field(
        sa_column=Column(String(32), ForeignKey("development_zones.code"), primary_key=True)
    )
    year: int = Field(sa_type=Integer, primary_key=True)  # type: ignore[call-overload]
    annual_sales: Decimal = _money()
    updated_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    updated_at: datetime = _ts()


class Guarantee(Base, table=True):
    """A guarantee request and its outcome: issued, refused, released or claimed."""

    __tablename__ = "guarantees"
    __table_args__ = (Index("ix_guarantees_company_client_status", "company_id", "uscc", "status"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    offer_id: UUID = Field(unique=True)
    request_id: UUID | None = Field(default=None)
    company_id: UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=True)
    )
    uscc: str = Field(sa_type=String(18))  # type: ignore[call-overload]
    bank_org_id: str = Field(sa_type=String(100), index=True)  # type: ignore[call-overload]
    amount: Decimal = _money()
    guarantor_share: Decimal = Field(sa_type=Numeric(7, 4))  # type: ignore[call-overload]
    liability: Decimal = _money(default=ZERO)
    status: str = Field(sa_type=String(16), index=True)  # type: ignore[call-overload]
    reason_code: str | None = Field(default=None, sa_type=String(40))  # type: ignore[call-overload]
    reason: str | None = Field(default=None, sa_type=Text)  # type: ignore[call-overload]
    startup_micro_loan: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    loan_id: UUID | None = Field(default=None)
    claim_principal: Decimal | None = _money(nullable=True)
    guarantor_paid: Decimal | None = _money(nullable=True)
    risk_compensation: Decimal = _money(default=ZERO)
    compensation_fund: str | None = Field(default=None, sa_type=String(32))  # type: ignore[call-overload]
    size_class: str | None = Field(default=None, sa_type=String(10))  # type: ignore[call-overload]
    # Re-guarantee: the re-guarantor holds `ceded_liability` of `liability`; the guarantor the rest.
    reguarantor_id: UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=True)
    )
    ceded_liability: Decimal = _money(default=ZERO)
    reguarantor_paid: Decimal = _money(default=ZERO)
    origin: str = Field(default="event", sa_type=String(16))  # type: ignore[call-overload]
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class KnownOffer(Base, table=True):
    """loan-matching's offers as its events told them: a guarantee stands only on a real accepted offer."""

    __tablename__ = "known_offers"

    offer_id: UUID = Field(primary_key=True)
    request_id: UUID
    product_id: UUID
    uscc: str = Field(sa_type=String(18))  # type: ignore[call-overload]
    bank_org_id: str = Field(sa_type=String(100))  # type: ignore[call-overload]
    amount: Decimal = _money()
    guaranteed: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    # The guarantee companies the offer's product accepts, in the bank's order of preference.
    guarantee_company_ids: list[str] = Field(default_factory=list, sa_type=JSONB)  # type: ignore[call-overload]
    startup_micro_loan: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    size_class: str | None = Field(default=None, sa_type=String(10))  # type: ignore[call-overload]
    status: str = Field(sa_type=String(16))  # type: ignore[call-overload]
    updated_at: datetime = _ts()


class ReguaranteeAgreement(Base, table=True):
    """A re-guarantor takes `share` percent of every guarantee a company issues while active (再担保)."""

    __tablename__ = "reguarantee_agreements"
    __table_args__ = (
        # One active agreement per guaranteed company, so a guarantee's cession is never ambiguous.
        Index(
            "ux_reguarantee_active_company",
            "company_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    company_id: UUID = Field(sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=False))
    reguarantor_id: UUID = Field(sa_column=Column(ForeignKey("guarantee_companies.id"), nullable=False))
    share: Decimal = Field(sa_type=Numeric(7, 4))  # type: ignore[call-overload]
    status: str = Field(sa_type=String(10))  # type: ignore[call-overload]
    created_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    created_at: datetime = _ts()
    ended_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class FundEntry(Base, table=True):
    """One line of a risk-compensation fund's ledger: an appropriation in, or a payout on a claim."""

    __tablename__ = "compensation_fund_entries"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    fund: str = Field(sa_type=String(32), index=True)  # type: ignore[call-overload]
    kind: str = Field(sa_type=String(16))  # type: ignore[call-overload]
    amount: Decimal = _money()  # always positive; the kind says which way it goes
    guarantee_id: UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("guarantees.id"), nullable=True)
    )
    year: int | None = Field(default=None, sa_type=Integer)  # type: ignore[call-overload]
    note: str | None = Field(default=None, sa_type=Text)  # type: ignore[call-overload]
    recorded_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    recorded_at: datetime = _ts()


class ComplianceState(Base, table=True):
    """Last published coverage state of a league, county or zone, so only transitions are published."""

    __tablename__ = "compliance_states"

    scope: str = Field(sa_type=String(10), primary_key=True)  # type: ignore[call-overload]
    code: str = Field(sa_type=String(32), primary_key=True)  # type: ignore[call-overload]
    compliant: bool = Field(sa_type=Boolean)  # type: ignore[call-overload]
    updated_at: datetime = _ts()


messaging = MessagingTables.attach(Base.metadata)


class MicrocreditCompany(Base, table=True):
    """A microcredit company (小额贷款公司) in the institution registry: one per county and zone is the aim."""

    __tablename__ = "microcredit_companies"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    uscc: str = Field(sa_type=String(18), unique=True)  # type: ignore[call-overload]
    name: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    league_code: str = Field(sa_type=String(6), index=True)  # type: ignore[call-overload]
    county_code: str = Field(sa_type=String(6), index=True)  # type: ignore[call-overload]
    zone_code: str | None = Field(default=None, sa_type=String(32), index=True)  # type: ignore[call-overload]
    licence_number: str = Field(sa_type=String(64))  # type: ignore[call-overload]
    registered_capital: Decimal = _money()
    status: str = Field(default="operating", sa_type=String(16))  # type: ignore[call-overload]
    recorded_by: str = Field(sa_type=String(200))  # type: ignore[call-overload]
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
