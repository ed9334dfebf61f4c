"""loan-matching tables: one registry, so this service's metadata holds only its own tables."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from loan_matching.domain.statuses import (
    CreditLineStatus,
    DrawStatus,
    ExtensionStatus,
    LoanStatus,
    MatchSource,
    MatchStatus,
    OfferStatus,
    ProductStatus,
    RequestStatus,
    SubsidyStatus,
)
from smefin.db import new_registry, utcnow
from smefin.outbox import MessagingTables


class Base(SQLModel, registry=new_registry()):
    """Base of every loan-matching table."""


messaging = MessagingTables.attach(Base.metadata)

_JSON = JSON().with_variant(JSONB(), "postgresql")


def _money(nullable: bool = False) -> Any:
    return Field(sa_column=Column(Numeric(18, 2), nullable=nullable))


def _rate(nullable: bool = False) -> Any:
    return Field(sa_column=Column(Numeric(7, 4), nullable=nullable))


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(_JSON, nullable=False))


class Product(Base, table=True):
    """A bank's loan product (贷款产品); every edit of a published product bumps `version`."""

    __tablename__ = "product"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    bank_org_id: str = Field(max_length=100, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    min_amount: Decimal = _money()
    max_amount: Decimal = _money()
    min_term_months: int
    max_term_months: int
    leagues: list[str] = _json(list)
    industries: list[str] = _json(list)
    size_classes: list[str] = _json(list)
    min_grade: str | None = Field(default=None, max_length=4)
    requires_collateral: bool = False
    requires_guarantee: bool = False
    accepted_guarantee_company_ids: list[str] = _json(list)
    base_rate: Decimal = _rate()
    grade_spreads: dict[str, Any] = _json(dict)
    # Spreads for operating signals (差别化利率): [{"signal", "below"|"at_least"|"in", "spread", ...}].
    signal_spreads: list[dict[str, Any]] = _json(list)
    quota_period: str = Field(default="month", max_length=10)
    quota_amount: Decimal | None = _money(nullable=True)
    quota_count: int | None = None
    status: str = Field(default=ProductStatus.DRAFT, max_length=20, index=True)
    version: int = 1
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Enterprise(Base, table=True):
    """Local projection of credit-info's enterprise profile and latest rating."""

    __tablename__ = "enterprise"
    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    league_code: str = Field(max_length=6)
    county_code: str | None = Field(default=None, max_length=6)
    industry: str = Field(max_length=10)
    employees: int = 0
    revenue: Decimal = _money()
    assets: Decimal = _money()
    size_class: str = Field(max_length=10)
    growth_programme: bool = False
    grade: str | None = Field(default=None, max_length=4)
    score: int | None = None
    probability_of_default: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(7, 6), nullable=True)
    )
    rating_model_version: str | None = Field(default=None, max_length=60)
    # Operating signals (from operating_signals.updated); None = unknown.
    revenue_growth_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(9, 2)))
    tax_grade: str | None = Field(default=None, max_length=1)
    social_insurance_months: int | None = None
    utilities_on_time_percent: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2)))
    signals_as_of: datetime | None = _ts(nullable=True)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Consent(Base, table=True):
    """Projection of consents: an SME lets a bank see who it is."""

    __tablename__ = "consent"
    consent_id: uuid.UUID = Field(primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    bank_org_id: str = Field(max_length=100)
    valid_until: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked: bool = False


class GuaranteeCapacity(Base, table=True):
    """Projection of guarantee companies' remaining capacity (from capacity.changed)."""

    __tablename__ = "guarantee_capacity"
    company_id: uuid.UUID = Field(primary_key=True)
    remaining: Decimal = _money()
    single_client_limit: Decimal = _money()
    # The largest loan it could guarantee for one new client (smefin.policy.loan_room); None from older events.
    loan_room: Decimal | None = _money(nullable=True)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class FinancingRequest(Base, table=True):
    """An SME's financing need (融资需求)."""

    __tablename__ = "financing_request"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    amount: Decimal = _money()
    term_months: int
    purpose: str = Field(max_length=500)
    collateral_available: bool = False
    collateral_description: str | None = Field(default=None, max_length=500)
    accepts_guarantee: bool = False
    status: str = Field(default=RequestStatus.SUBMITTED, max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    misses: list[dict[str, Any]] = _json(list)
    matched_at: datetime | None = _ts(nullable=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Match(Base, table=True):
    """A request ranked against a bank's product, with reasons and the versions it was made on."""

    __tablename__ = "match"
    __table_args__ = (UniqueConstraint("request_id", "product_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    request_id: uuid.UUID = Field(foreign_key="financing_request.id", index=True)
    product_id: uuid.UUID = Field(foreign_key="product.id", index=True)
    product_version: int
    bank_org_id: str = Field(max_length=100, index=True)
    rank: int
    probability: Decimal = Field(sa_column=Column(Numeric(7, 6), nullable=False))
    indicative_rate: Decimal = _rate()
    expected_value: Decimal = _money()
    reasons: list[dict[str, Any]] = _json(list)
    rate_explanation: list[dict[str, Any]] = _json(list)
    features: list[float] = _json(list)
    model_version: str = Field(max_length=60)
    status_reason: str | None = Field(default=None, max_length=500)
    # queued -> proposed -> offered (-> failed) | declined | expired | withdrawn
    status: str = Field(default=MatchStatus.QUEUED, max_length=20, index=True)
    decision_deadline: datetime | None = _ts(nullable=True, index=True)
    source: str = Field(default=MatchSource.MATCHING, max_length=20)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Offer(Base, table=True):
    """A bank's approval of a match, possibly on different terms (a counter-offer)."""

    __tablename__ = "offer"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    match_id: uuid.UUID = Field(foreign_key="match.id", index=True)
    request_id: uuid.UUID = Field(foreign_key="financing_request.id", index=True)
    product_id: uuid.UUID
    bank_org_id: str = Field(max_length=100, index=True)
    uscc: str = Field(max_length=18, index=True)
    amount: Decimal = _money()
    rate: Decimal = _rate()
    term_months: int
    counter_offer: bool = False
    guaranteed: bool = False
    guarantee_company_ids: list[str] = _json(list)
    guarantee_id: uuid.UUID | None = None
    # made -> accepted | pending_guarantee -> accepted | failed -> disbursed ; made -> withdrawn
    status: str = Field(default=OfferStatus.MADE, max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    accepted_at: datetime | None = _ts(nullable=True)


class Loan(Base, table=True):
    """A disbursed loan and its repayment lifecycle."""

    __tablename__ = "loan"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    offer_id: uuid.UUID = Field(foreign_key="offer.id", unique=True)
    product_id: uuid.UUID
    uscc: str = Field(max_length=18, index=True)
    bank_org_id: str = Field(max_length=100, index=True)
    amount: Decimal = _money()
    rate: Decimal = _rate()
    term_months: int
    status: str = Field(default=LoanStatus.DISBURSED, max_length=20)
    disbursed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    closed_at: datetime | None = _ts(nullable=True)
    outstanding: Decimal = _money()
    # 适当放宽还贷时间: none | requested | granted | refused
    extension_status: str = Field(default=ExtensionStatus.NONE, max_length=20)
    extension_months: int = 0
    extension_reason: str | None = Field(default=None, max_length=500)


class InterestSubsidy(Base, table=True):
    """An SME's application for an interest subsidy (贴息) on one of its loans, and the office's decision."""

    __tablename__ = "interest_subsidy"
    __table_args__ = (UniqueConstraint("loan_id", "programme", name="uq_interest_subsidy_loan_programme"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    loan_id: uuid.UUID = Field(foreign_key="loan.id", index=True)
    programme: str = Field(max_length=20)
    uscc: str = Field(max_length=18, index=True)
    bank_org_id: str = Field(max_length=100, index=True)
    principal: Decimal = _money()
    loan_rate: Decimal = _rate()
    months: int
    amount: Decimal = _money()  # computed when applying; fixed when paid
    status: str = Field(default=SubsidyStatus.APPLIED, max_length=10, index=True)
    fund_year: int | None = None
    reason: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    decided_at: datetime | None = _ts(nullable=True)


class SubsidyFundEntry(Base, table=True):
    """One line of a subsidy fund's yearly ledger: an appropriation in, or a subsidy paid out."""

    __tablename__ = "subsidy_fund_entry"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme: str = Field(max_length=20, index=True)
    year: int = Field(index=True)
    kind: str = Field(max_length=16)
    amount: Decimal = _money()  # positive; the kind says which way
    subsidy_id: uuid.UUID | None = Field(default=None, foreign_key="interest_subsidy.id")
    note: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Outcome(Base, table=True):
    """A training label: what became of a match (features as they were at match time)."""

    __tablename__ = "outcome"
    id: int | None = Field(default=None, primary_key=True)
    match_id: uuid.UUID | None = Field(default=None, index=True)
    source: str = Field(max_length=40)
    label: int
    features: list[float] = _json(list)
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class AssignmentRound(Base, table=True):
    """A quota-aware batch assignment and its optimality certificate."""

    __tablename__ = "assignment_round"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    requested_by: str = Field(max_length=100)
    requests: int
    products: int
    assigned: int
    objective: Decimal = _money()
    bound: Decimal = _money()
    gap: float  # proven: (bound - objective) / bound
    # "optimal" (within the solver's gap) or "time_limit" (best found; the gap is still proven).
    optimality: str = Field(default="optimal", max_length=20)
    start_objective: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 2)))  # the MIP's start
    solver: str = Field(max_length=500)  # the solver and how its bound was proven
    seconds: float
    assignments: list[dict[str, Any]] = _json(list)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class LendingReport(Base, table=True):
    """A bank's month-end SME-loan and total-loan balances."""

    __tablename__ = "lending_report"
    __table_args__ = (UniqueConstraint("bank_org_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    bank_org_id: str = Field(max_length=100, index=True)
    month: str = Field(max_length=7)
    sme_loan_balance: Decimal = _money()
    total_loan_balance: Decimal = _money()
    reported_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class RewardRule(Base, table=True):
    """The office's loan-increment reward rule (one row, id = 1)."""

    __tablename__ = "reward_rule"
    id: int = Field(default=1, primary_key=True)
    rate_percent: Decimal = _rate()
    cap: Decimal | None = _money(nullable=True)
    requires_sme_growth_above_total: bool = True
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class BankQuota(Base, table=True):
    """A bank's dedicated SME credit quota (专门信贷指标) per period, across all its products."""

    __tablename__ = "bank_quota"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    bank_org_id: str = Field(max_length=100, unique=True)
    period: str = Field(default="month", max_length=10)
    quota_count: int | None = None
    quota_amount: Decimal | None = _money(nullable=True)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class CreditLine(Base, table=True):
    """A credit line (授信) a bank granted an SME: drawn against without a new match, until it expires."""

    __tablename__ = "credit_line"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    bank_org_id: str = Field(max_length=100, index=True)
    uscc: str = Field(max_length=18, index=True)
    credit_limit: Decimal = _money()
    outstanding: Decimal = _money()
    term_months: int
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    base_rate: Decimal = _rate()
    grade_spreads: dict[str, Any] = _json(dict)
    signal_spreads: list[dict[str, Any]] = _json(list)
    grade_at_grant: str | None = Field(default=None, max_length=4)
    # active -> under_review (rating changed) -> active | closed ; active -> expired | closed
    status: str = Field(default=CreditLineStatus.ACTIVE, max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class CreditLineDraw(Base, table=True):
    """One draw on a credit line, at the rate the line's rule gave at the time."""

    __tablename__ = "credit_line_draw"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    line_id: uuid.UUID = Field(foreign_key="credit_line.id", index=True)
    bank_org_id: str = Field(max_length=100, index=True)
    uscc: str = Field(max_length=18, index=True)
    amount: Decimal = _money()
    rate: Decimal = _rate()
    outstanding: Decimal = _money()
    status: str = Field(default=DrawStatus.OUTSTANDING, max_length=20)
    rate_explanation: list[dict[str, Any]] = _json(list)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    repaid_at: datetime | None = _ts(nullable=True)
