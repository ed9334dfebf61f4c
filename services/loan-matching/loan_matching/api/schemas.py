"""Request and response schemas of the loan-matching API."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loan_matching.domain.scoring import GRADES, KINDS, SIGNALS, SIZE_CLASSES
from loan_matching.domain.statuses import FundEntryKind, SubsidyProgramme, SubsidyStatus
from smefin.reference.grades import CreditGrade
from smefin.schemas import DecimalString, Money, Patch, PositiveMoney, Rate, Spread

PosMoney = PositiveMoney
Term = Annotated[int, Field(strict=True, ge=1, le=360)]
Kind = Literal["credit_only", "guaranteed", "collateralised", "startup_micro_guaranteed"]
Grade = Literal[CreditGrade, "D"]
Size = Literal["micro", "small", "medium", "large"]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
assert set(KINDS) == set(get_args(Kind))
assert set(GRADES) == set(get_args(Grade))
assert set(SIZE_CLASSES) == set(get_args(Size))


class Strict(BaseModel):
    """Strict booleans and numbers; unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=False)


TaxGrade = Literal["A", "B", "M", "C", "D"]
SignalName = Literal[
    "revenue_growth_percent", "tax_grade", "social_insurance_months", "utilities_on_time_percent"
]
assert set(SIGNALS) == set(get_args(SignalName))
SignedSpread = Annotated[Decimal, DecimalString(20, places=4, signed=True, example="0.5000")]
Figure = Annotated[Decimal, DecimalString(100000, places=2, signed=True, example="-5")]


class SignalSpread(Strict):
    """A spread for an operating signal (差别化利率): added when the condition holds (negative: a discount).

    Exactly one condition: `below` or `at_least` a figure, or (for `tax_grade`) `in` a set of grades.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"signal": "tax_grade", "in": ["C", "D"], "spread": "0.8000"}]},
    )
    signal: SignalName
    spread: SignedSpread
    below: Figure | None = None
    at_least: Figure | None = None
    in_: list[TaxGrade] | None = Field(default=None, alias="in", max_length=5)
    when_unknown: bool = Field(
        default=False, strict=True, description="also add it when the signal is unknown"
    )

    @model_validator(mode="after")
    def _one_condition(self) -> "SignalSpread":
        given = [c for c in (self.below, self.at_least, self.in_) if c is not None]
        if len(given) != 1:
            raise ValueError("give exactly one condition: below, at_least or in")
        if (self.in_ is not None) != (self.signal == "tax_grade"):
            raise ValueError(
                "`in` is for tax_grade (A, B, M, C, D); the other signals take below or at_least"
            )
        return self

    def stored(self) -> dict[str, Any]:
        """The JSON form kept with the product (decimal strings, exact)."""
        out: dict[str, Any] = {
            "signal": self.signal,
            "spread": str(self.spread),
            "when_unknown": self.when_unknown,
        }
        if self.below is not None:
            out["below"] = str(self.below)
        if self.at_least is not None:
            out["at_least"] = str(self.at_least)
        if self.in_ is not None:
            out["in"] = list(self.in_)
        return out


class ProductCreate(Strict):
    """A loan product (贷款产品)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "科技贷 (credit-only)",
                    "kind": "credit_only",
                    "min_amount": "100000.00",
                    "max_amount": "3000000.00",
                    "min_term_months": 6,
                    "max_term_months": 36,
                    "leagues": ["150100"],
                    "industries": ["C", "I65"],
                    "size_classes": ["micro", "small", "medium"],
                    "min_grade": "BBB",
                    "base_rate": "3.4500",
                    "grade_spreads": {"AAA": "0.2", "AA": "0.5", "A": "0.8", "BBB": "1.2"},
                    "signal_spreads": [
                        {"signal": "tax_grade", "in": ["C", "D"], "spread": "0.8000"},
                        {"signal": "revenue_growth_percent", "below": "0", "spread": "0.3000"},
                        {"signal": "social_insurance_months", "below": "12", "spread": "0.2000"},
                    ],
                    "quota_period": "month",
                    "quota_count": 50,
                }
            ]
        },
    )
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    min_amount: Money
    max_amount: PosMoney
    min_term_months: Term
    max_term_months: Term
    leagues: list[Annotated[str, Field(pattern=r"^15\d{4}$")]] = Field(default=[], max_length=20)
    industries: list[Annotated[str, Field(pattern=r"^[A-T]\d{0,4}$")]] = Field(default=[], max_length=50)
    size_classes: list[Size] = Field(default=[], max_length=4)
    min_grade: Grade | None = None
    requires_collateral: bool = Field(default=False, strict=True)
    requires_guarantee: bool = Field(default=False, strict=True)
    accepted_guarantee_company_ids: list[Annotated[str, Field(max_length=64)]] = Field(
        default=[], max_length=50
    )
    base_rate: Rate
    grade_spreads: dict[Grade, Spread] = {}
    signal_spreads: list[SignalSpread] = Field(
        default=[], max_length=20, description="spreads for operating signals (差别化利率)"
    )
    quota_period: Literal["month", "quarter", "year"] = "month"
    quota_amount: PosMoney | None = None
    quota_count: Annotated[int, Field(strict=True, ge=0, le=1_000_000)] | None = None

    def terms(self) -> dict[str, Any]:
        """The product's columns (signal spreads in their stored form)."""
        return self.model_dump(mode="python") | {"signal_spreads": [x.stored() for x in self.signal_spreads]}

    @model_validator(mode="after")
    def _ranges(self) -> "ProductCreate":
        if self.min_amount > self.max_amount:
            raise ValueError("min_amount must not exceed max_amount")
        if self.min_term_months > self.max_term_months:
            raise ValueError("min_term_months must not exceed max_term_months")
        return self


class ProductUpdate(Patch, Strict):
    """Changes to a product (a published product gets a new version).

    Omit a field to keep it; only `min_grade` and the quotas may be set to null (no minimum, no quota).
    """

    nullable: ClassVar[frozenset[str]] = frozenset({"min_grade", "quota_amount", "quota_count"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    min_amount: Money | None = None
    max_amount: PosMoney | None = None
    min_term_months: Term | None = None
    max_term_months: Term | None = None
    leagues: list[Annotated[str, Field(pattern=r"^15\d{4}$")]] | None = Field(default=None, max_length=20)
    industries: list[Annotated[str, Field(pattern=r"^[A-T]\d{0,4}$")]] | None = Field(
        default=None, max_length=50
    )
    size_classes: list[Size] | None = Field(default=None, max_length=4)
    min_grade: Grade | None = None
    requires_collateral: bool | None = Field(default=None, strict=True)
    requires_guarantee: bool | None = Field(default=None, strict=True)
    accepted_guarantee_company_ids: list[Annotated[str, Field(max_length=64)]] | None = None
    base_rate: Rate | None = None
    grade_spreads: dict[Grade, Spread] | None = None
    signal_spreads: list[SignalSpread] | None = Field(default=None, max_length=20)
    quota_amount: PosMoney | None = None
    quota_count: Annotated[int, Field(strict=True, ge=0, le=1_000_000)] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given (signal spreads in their stored form)."""
        out = self.model_dump(exclude_unset=True, mode="python")
        if self.signal_spreads is not None:
            out["signal_spreads"] = [x.stored() for x in self.signal_spreads]
        return out


class ProductPublic(BaseModel):
    """A published product as anyone sees it: its terms and rates, not the bank's quota room."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    bank_org_id: str
    name: str
    kind: str
    min_amount: Decimal
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    leagues: list[str]
    industries: list[str]
    size_classes: list[str]
    min_grade: str | None
    requires_collateral: bool
    requires_guarantee: bool
    accepted_guarantee_company_ids: list[str]
    base_rate: Decimal
    grade_spreads: dict[str, Any]
    signal_spreads: list[dict[str, Any]] = []
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class ProductRead(ProductPublic):
    """A product as its bank (and the office) sees it, with its quotas."""

    quota_period: str
    quota_amount: Decimal | None
    quota_count: int | None


class FinancingRequestCreate(Strict):
    """An SME's financing need (融资需求)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": "800000.00",
                    "term_months": 12,
                    "purpose": "working capital for the wool season",
                    "collateral_available": False,
                    "accepts_guarantee": True,
                }
            ]
        },
    )
    amount: PosMoney
    term_months: Term
    purpose: str = Field(min_length=2, max_length=500)
    collateral_available: bool = Field(default=False, strict=True)
    collateral_description: str | None = Field(default=None, max_length=500)
    accepts_guarantee: bool = Field(default=False, strict=True)


class FinancingRequestRead(BaseModel):
    """A request and its status, with what did not match and why."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    uscc: str
    amount: Decimal
    term_months: int
    purpose: str
    collateral_available: bool
    collateral_description: str | None
    accepts_guarantee: bool
    status: str
    status_reason: str | None
    misses: list[dict[str, Any]]
    matched_at: datetime | None
    created_at: datetime


class MatchRead(BaseModel):
    """A match; `requester` is anonymous to a bank until the SME accepts its offer or consents."""

    id: uuid.UUID
    request_id: uuid.UUID
    product_id: uuid.UUID
    product_version: int
    bank_org_id: str
    rank: int
    probability: Decimal
    indicative_rate: Decimal
    expected_value: Decimal
    reasons: list[dict[str, Any]]
    rate_explanation: list[dict[str, Any]] = Field(description="base rate + grade spread + operating signals")
    model_version: str
    status: str
    status_reason: str | None = None
    decision_deadline: datetime | None
    source: str
    created_at: datetime
    amount: Decimal
    term_months: int
    requester: dict[str, Any]


class OfferCreate(Strict):
    """A bank approves a match; any field given that differs from the request makes a counter-offer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"rate": "4.1500"}]})
    amount: PosMoney | None = None
    rate: Rate | None = None
    term_months: Term | None = None


class DeclineBody(Strict):
    """Why the bank declines."""

    reason: str = Field(min_length=2, max_length=500)


class OfferRead(BaseModel):
    """An offer."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    match_id: uuid.UUID
    request_id: uuid.UUID
    product_id: uuid.UUID
    bank_org_id: str
    uscc: str
    amount: Decimal
    rate: Decimal
    term_months: int
    counter_offer: bool
    guaranteed: bool
    guarantee_company_ids: list[str]
    guarantee_id: uuid.UUID | None
    status: str
    status_reason: str | None
    created_at: datetime
    accepted_at: datetime | None


class LoanCreate(Strict):
    """Disburse an accepted offer."""

    offer_id: uuid.UUID


class DefaultBody(Strict):
    """The outstanding principal at default."""

    outstanding: Money


class ExtensionRequest(Strict):
    """An SME asks for more time (适当放宽还贷时间)."""

    extra_months: Annotated[int, Field(strict=True, ge=1, le=24)]
    reason: str = Field(min_length=2, max_length=500)


class ExtensionDecision(Strict):
    """The bank's answer."""

    grant: bool = Field(strict=True)
    reason: str | None = Field(default=None, max_length=500)


class LoanRead(BaseModel):
    """A loan."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    offer_id: uuid.UUID
    product_id: uuid.UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
    rate: Decimal
    term_months: int
    status: str
    disbursed_at: datetime
    closed_at: datetime | None
    outstanding: Decimal
    extension_status: str
    extension_months: int
    extension_reason: str | None


class RoundCreate(Strict):
    """Run an assignment round over open requests."""

    max_requests: Annotated[int, Field(strict=True, ge=1, le=50_000)] = 10_000


class RoundRead(BaseModel):
    """A round and its certificate."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    requested_by: str
    requests: int
    products: int
    assigned: int
    objective: Decimal
    bound: Decimal
    gap: float = Field(description="proven gap: (bound - objective) / bound")
    optimality: str = Field(description="optimal, or time_limit (best found in the limit; gap still proven)")
    start_objective: Decimal | None = Field(description="the repaired min-cost flow the MIP started from")
    solver: str
    seconds: float
    assignments: list[dict[str, Any]]
    created_at: datetime


class LendingReportCreate(Strict):
    """A month-end balance report."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "month": "2026-10",
                    "sme_loan_balance": "1200000000.00",
                    "total_loan_balance": "9000000000.00",
                }
            ]
        },
    )
    month: Month
    sme_loan_balance: Money
    total_loan_balance: Money

    @model_validator(mode="after")
    def _sme_within_total(self) -> "LendingReportCreate":
        if self.sme_loan_balance > self.total_loan_balance:
            raise ValueError("sme_loan_balance cannot exceed total_loan_balance")
        return self


class LendingReportRead(BaseModel):
    """A stored report."""

    model_config = ConfigDict(from_attributes=True)
    bank_org_id: str
    month: str
    sme_loan_balance: Decimal
    total_loan_balance: Decimal
    reported_at: datetime


class RewardRuleUpdate(Strict):
    """The loan-increment reward rule: a percent of the SME-loan increment, optionally capped."""

    rate_percent: Annotated[Decimal, DecimalString(10, places=4, example="0.5")]
    cap: Money | None = None
    requires_sme_growth_above_total: bool = Field(default=True, strict=True)


class SubsidyCreate(Strict):
    """Apply for an interest subsidy (贴息) on one of my running loans."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"loan_id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "programme": "tech_progress"}]
        }
    )

    loan_id: uuid.UUID
    programme: SubsidyProgramme


class SubsidyDecision(Strict):
    """The office's answer: approve pays from this year's fund."""

    approve: bool = Field(strict=True)
    reason: str | None = Field(default=None, max_length=500)


class SubsidyRead(BaseModel):
    """An interest-subsidy application and what became of it."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    loan_id: uuid.UUID
    programme: SubsidyProgramme
    uscc: str
    bank_org_id: str
    principal: Decimal
    loan_rate: Decimal
    months: int
    amount: Decimal
    status: SubsidyStatus
    fund_year: int | None
    reason: str | None
    created_at: datetime
    decided_at: datetime | None


class SubsidyFundRead(BaseModel):
    """A programme's fund for one year."""

    programme: SubsidyProgramme
    year: int
    opening: Decimal
    appropriated: Decimal
    paid_out: Decimal
    balance: Decimal


class SubsidyAppropriation(Strict):
    """Budget added to a programme's fund for a year."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "10000000.00", "year": 2026, "note": "追加预算"}]}
    )

    amount: PositiveMoney
    year: int = Field(ge=2000, le=2100, strict=True)
    note: str | None = Field(default=None, max_length=500)


class SubsidyFundEntryRead(BaseModel):
    """One ledger line."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    programme: SubsidyProgramme
    year: int
    kind: FundEntryKind
    amount: Decimal
    subsidy_id: uuid.UUID | None
    note: str | None
    recorded_at: datetime


class PreviewCreate(Strict):
    """A need to preview (nothing is stored, no bank sees it). A visitor may add what it knows of the
    enterprise; anything left out answers "unknown". An SME is scored on its registered profile."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": "800000.00",
                    "term_months": 12,
                    "collateral_available": False,
                    "accepts_guarantee": True,
                    "league_code": "150100",
                    "industry": "C1310",
                    "employees": 40,
                    "revenue": "3000",
                    "assets": "2500",
                    "grade": "A",
                    "tax_grade": "A",
                }
            ]
        },
    )
    amount: PosMoney
    term_months: Term
    collateral_available: bool = Field(default=False, strict=True)
    accepts_guarantee: bool = Field(default=False, strict=True)
    league_code: Annotated[str, Field(pattern=r"^15\d{4}$")] | None = None
    industry: Annotated[str, Field(pattern=r"^[A-T]\d{0,4}$")] | None = None
    size_class: Size | None = None
    employees: Annotated[int, Field(strict=True, ge=0, le=1_000_000)] | None = None
    revenue: Money | None = Field(default=None, description="operating revenue, 10,000 yuan (万元)")
    assets: Money | None = Field(default=None, description="total assets, 10,000 yuan (万元)")
    grade: Grade | None = None
    revenue_growth_percent: Figure | None = None
    tax_grade: TaxGrade | None = None
    social_insurance_months: Annotated[int, Field(strict=True, ge=0, le=12)] | None = None
    utilities_on_time_percent: Annotated[Decimal, DecimalString(100, example="95")] | None = None

    def need(self) -> dict[str, Any]:
        """The financing need itself."""
        return self.model_dump(include={"amount", "term_months", "collateral_available", "accepts_guarantee"})

    def figures(self) -> dict[str, Any]:
        """What the caller states about the enterprise."""
        return self.model_dump(exclude=set(self.need()), exclude_none=True)


class PreviewItem(BaseModel):
    """One product as the preview scores it."""

    product_id: uuid.UUID
    product_name: str
    bank_org_id: str
    kind: str
    eligible: bool
    probability: Decimal = Field(description="estimated probability the bank approves and the SME accepts")
    indicative_rate: Decimal
    rate_explanation: list[dict[str, Any]]
    reasons: list[dict[str, Any]] = Field(description="every rule: met / not_met / unknown")
    would_change_it: list[str]


class PreviewRead(BaseModel):
    """The products a need would match (best first) and the nearest misses; nothing was recorded."""

    profile_source: Literal["projection", "figures"]
    profile: dict[str, Any]
    unknown: list[str]
    model_version: str
    products_considered: int
    matches: list[PreviewItem]
    misses: list[PreviewItem]


class BankQuotaSet(Strict):
    """A bank's dedicated SME credit quota (专门信贷指标) per period, across all its products.

    Give a count, an amount or both; an offer that would exceed either is refused (409).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"period": "month", "quota_count": 200, "quota_amount": "150000000.00"}]
        },
    )
    period: Literal["month", "quarter", "year"] = "month"
    quota_count: Annotated[int, Field(strict=True, ge=0, le=10_000_000)] | None = None
    quota_amount: PosMoney | None = None

    @model_validator(mode="after")
    def _something(self) -> "BankQuotaSet":
        if self.quota_count is None and self.quota_amount is None:
            raise ValueError("give quota_count, quota_amount or both")
        return self


class BankQuotaRead(BaseModel):
    """A bank's quota and what is left of it this period (offers standing or taken count against it)."""

    id: uuid.UUID
    bank_org_id: str
    period: str
    period_start: datetime
    quota_count: int | None
    quota_amount: Decimal | None
    used_count: int
    used_amount: Decimal
    left_count: int | None
    left_amount: Decimal | None
    updated_at: datetime

    @staticmethod
    def of(room: Any) -> "BankQuotaRead":
        """From a domain BankRoom."""
        q = room.quota
        return BankQuotaRead(
            id=q.id,
            bank_org_id=q.bank_org_id,
            period=q.period,
            period_start=room.period_start,
            quota_count=q.quota_count,
            quota_amount=q.quota_amount,
            used_count=room.used_count,
            used_amount=room.used_amount,
            left_count=room.left_count,
            left_amount=room.left_amount,
            updated_at=q.updated_at,
        )


class CreditLineCreate(Strict):
    """A credit line (授信) for an SME the bank knows (a live consent, or an offer it accepted)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "uscc": "91150102MA0N000016",
                    "credit_limit": "2000000.00",
                    "term_months": 12,
                    "base_rate": "3.9000",
                    "grade_spreads": {"AAA": "0.2", "AA": "0.4", "A": "0.7", "BBB": "1.1"},
                    "signal_spreads": [{"signal": "tax_grade", "in": ["C", "D"], "spread": "0.8000"}],
                }
            ]
        },
    )
    uscc: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    credit_limit: PosMoney
    term_months: Annotated[int, Field(strict=True, ge=1, le=60)]
    base_rate: Rate
    grade_spreads: dict[Grade, Spread] = {}
    signal_spreads: list[SignalSpread] = Field(default=[], max_length=20)

    def terms(self) -> dict[str, Any]:
        """The line's terms (signal spreads in their stored form)."""
        return self.model_dump(mode="python") | {"signal_spreads": [x.stored() for x in self.signal_spreads]}


class CreditLineRead(BaseModel):
    """A line: its limit, what is drawn, its rate rule and its status."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    bank_org_id: str
    uscc: str
    credit_limit: Decimal
    outstanding: Decimal
    term_months: int
    expires_at: datetime
    base_rate: Decimal
    grade_spreads: dict[str, Any]
    signal_spreads: list[dict[str, Any]]
    grade_at_grant: str | None
    status: str = Field(description="active, under_review (the rating changed), expired or closed")
    status_reason: str | None
    created_at: datetime
    updated_at: datetime


class DrawCreate(Strict):
    """Draw on a line (no new match); refused beyond what is left of the limit."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": "300000.00"}]})
    amount: PosMoney


class RepaymentCreate(Strict):
    """A repayment on one draw, reported by the bank."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"draw_id": "3f0c8a52-6f4e-4c1e-9a57-1d2b3c4d5e6f", "amount": "100000.00"}]
        },
    )
    draw_id: uuid.UUID
    amount: PosMoney


class LineReview(Strict):
    """The bank's decision on a line under review: confirm it (active again) or close it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"confirm": True}]})
    confirm: bool = Field(strict=True)
    reason: str | None = Field(default=None, max_length=500)


class DrawRead(BaseModel):
    """A draw, at the rate the line's rule gave when it was made."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    line_id: uuid.UUID
    bank_org_id: str
    uscc: str
    amount: Decimal
    rate: Decimal
    outstanding: Decimal
    status: str
    rate_explanation: list[dict[str, Any]]
    created_at: datetime
    repaid_at: datetime | None
