"""Request and response schemas of guarantee-registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from guarantee_registry.domain.rules import (
    AgreementStatus,
    CapitalSource,
    CompensationFund,
    FundEntryKind,
    Ownership,
)
from smefin.reference import UsccStr
from smefin.schemas import Money, Patch, PositiveMoney, Share, SignedMoney

DivisionCode = Annotated[str, Field(pattern=r"^\d{6}$")]
ZoneCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{2,32}$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Year = Annotated[int, Field(ge=1990, le=2100)]


def _not_future(value: date) -> date:
    if value > date.today():
        raise ValueError(f"{value} is in the future")
    return value


class Strict(BaseModel):
    """Unknown fields refused; booleans strict (FastAPI validates parsed JSON, so model-wide strict
    mode would refuse decimal strings, UUIDs and dates)."""

    model_config = ConfigDict(extra="forbid")


class CompanyCreate(Strict):
    """Register a guarantee company; league and county default to those in the USCC."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "uscc": "91150102MA00000017",
                    "name": "呼和浩特市中小企业信用担保有限公司",
                    "league_code": "150100",
                    "county_code": "150102",
                    "licence_number": "蒙融担001",
                    "registered_capital": "120000000.00",
                    "paid_in_capital": "100000000.00",
                    "net_assets": "105000000.00",
                    "ownership": "government",
                    "serves_small_micro_agri": True,
                }
            ]
        }
    )

    uscc: UsccStr
    name: Name
    league_code: DivisionCode | None = None
    county_code: DivisionCode | None = None
    zone_code: ZoneCode | None = None
    licence_number: Annotated[str, Field(min_length=1, max_length=64)]
    registered_capital: Money
    paid_in_capital: Money
    net_assets: Money
    ownership: Ownership
    serves_small_micro_agri: StrictBool = False
    approval_required: StrictBool = Field(
        default=False, description="the company approves each guarantee itself before it is issued"
    )
    # Only the office or a service may register a company on another organisation's behalf.
    owner_org_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class CompanyUpdate(Patch, Strict):
    """Change some of a company's facts; each change becomes a new audited version."""

    nullable: ClassVar[frozenset[str]] = frozenset({"county_code", "licence_number", "zone_code"})

    name: Name | None = None
    league_code: DivisionCode | None = None
    county_code: DivisionCode | None = None
    zone_code: ZoneCode | None = None
    licence_number: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    registered_capital: Money | None = None
    paid_in_capital: Money | None = None
    net_assets: SignedMoney | None = None
    ownership: Ownership | None = None
    serves_small_micro_agri: StrictBool | None = None
    approval_required: StrictBool | None = None
    owner_org_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class CapacityRead(BaseModel):
    """What a company can still guarantee."""

    leverage_multiple: Decimal
    capacity_limit: Decimal
    outstanding: Decimal
    remaining: Decimal
    single_client_limit: Decimal
    leverage: Decimal | None
    # Re-guarantee (再担保): liability of its own guarantees a re-guarantor holds (not in `outstanding`),
    # and liability it took over as a re-guarantor (in `outstanding`).
    ceded_liability: Decimal = Decimal("0")
    assumed_liability: Decimal = Decimal("0")
    reguarantee_share: Decimal | None = None


class CompanyRead(BaseModel):
    """A guarantee company as registered now."""

    id: UUID
    uscc: str
    name: str
    league_code: str
    county_code: str | None
    zone_code: str | None
    licence_number: str
    registered_capital: Decimal
    paid_in_capital: Decimal
    net_assets: Decimal
    ownership: str
    serves_small_micro_agri: bool
    approval_required: bool
    owner_org_id: str
    version: int
    capacity: CapacityRead
    created_at: datetime
    updated_at: datetime


class CompanyPage(BaseModel):
    """A page of companies."""

    items: list[CompanyRead]
    total: int
    limit: int
    offset: int


class VersionRead(BaseModel):
    """One audited version of a company."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    action: str
    changes: dict[str, Any]
    snapshot: dict[str, Any]
    changed_by: str
    changed_role: str
    changed_org: str
    changed_at: datetime


class InjectionCreate(Strict):
    """Record capital injected into a company."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "company_id": "0b9f5a52-8f1e-4a57-9d43-7a2f1c0e5b11",
                    "amount": "30000000.00",
                    "injected_on": "2026-03-01",
                    "source": "regional_special_fund",
                }
            ]
        }
    )

    company_id: UUID
    amount: PositiveMoney
    injected_on: Annotated[date, AfterValidator(_not_future)]
    source: CapitalSource
    county_code: DivisionCode | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class InjectionRead(BaseModel):
    """A recorded injection."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    company_id: UUID
    amount: Decimal
    injected_on: date
    source: str
    league_code: str
    county_code: str | None
    note: str | None
    recorded_by: str
    created_at: datetime


class InjectionPage(BaseModel):
    """A page of injections."""

    items: list[InjectionRead]
    total: int
    limit: int
    offset: int


class FundUse(BaseModel):
    """The regional special fund against its total."""

    total: Decimal
    used: Decimal
    remaining: Decimal
    used_percent: Decimal


class CountyCapital(BaseModel):
    """Capital injected by source for one county (by the paying county, or the company's)."""

    county_code: str
    county_name: str
    league_code: str
    county_matching_fund: Decimal
    regional_special_fund: Decimal
    league_fund: Decimal
    private_capital: Decimal


class CapitalSummary(BaseModel):
    """Capital by source, the regional fund's use and each county's matching."""

    by_source: dict[str, Decimal]
    regional_fund: FundUse
    counties: list[CountyCapital]


class FiscalRevenueIn(Strict):
    """A county's fiscal revenue for a year (yuan)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"fiscal_revenue": "6200000000.00"}]})

    fiscal_revenue: Money


class FiscalRevenueRead(BaseModel):
    """A county's recorded fiscal revenue."""

    model_config = ConfigDict(from_attributes=True)

    county_code: str
    league_code: str
    year: int
    fiscal_revenue: Decimal
    updated_by: str
    updated_at: datetime


class ZoneIn(Strict):
    """A development zone."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "包头稀土高新区", "league_code": "150200"}]}
    )

    name: Name
    league_code: DivisionCode
    county_code: DivisionCode | None = None


class ZoneSalesIn(Strict):
    """A zone's annual sales for a year (yuan)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"annual_sales": "12000000000.00"}]})

    annual_sales: Money


class ZoneRead(BaseModel):
    """A development zone and its latest annual sales."""

    code: str
    name: str
    league_code: str
    county_code: str | None
    year: int | None = None
    annual_sales: Decimal | None = None


class ImportResult(BaseModel):
    """How many CSV rows were stored."""

    rows: int


class GuaranteeCreate(Strict):
    """Ask a company to guarantee an offer's loan (events do this for accepted guaranteed offers)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "company_id": "0b9f5a52-8f1e-4a57-9d43-7a2f1c0e5b11",
                    "offer_id": "5d6a1c6e-13a4-4c70-9a0e-1b3bb8cc2f10",
                    "uscc": "91150102MA00000017",
                    "bank_org_id": "bank-1",
                    "amount": "2000000.00",
                    "guarantor_share": "80",
                }
            ]
        }
    )

    company_id: UUID
    offer_id: UUID
    request_id: UUID | None = None
    uscc: UsccStr
    bank_org_id: Annotated[str, Field(min_length=1, max_length=100)]
    amount: PositiveMoney
    guarantor_share: Share | None = None
    startup_micro_loan: StrictBool | None = None


class GuaranteeDecision(Strict):
    """Why the guarantor declines, or why a guarantee is cancelled."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "issued for the wrong offer"}]})

    reason: Annotated[str, Field(min_length=3, max_length=500)]


class GuaranteeRead(BaseModel):
    """A guarantee and its state."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    offer_id: UUID
    request_id: UUID | None
    company_id: UUID | None
    uscc: str
    bank_org_id: str
    amount: Decimal
    guarantor_share: Decimal
    liability: Decimal
    status: str
    reason_code: str | None
    reason: str | None
    startup_micro_loan: bool
    loan_id: UUID | None
    claim_principal: Decimal | None
    guarantor_paid: Decimal | None
    risk_compensation: Decimal
    compensation_fund: CompensationFund | None
    size_class: str | None
    reguarantor_id: UUID | None
    ceded_liability: Decimal
    reguarantor_paid: Decimal
    origin: str
    created_at: datetime
    updated_at: datetime


class GuaranteePage(BaseModel):
    """A page of guarantees."""

    items: list[GuaranteeRead]
    total: int
    limit: int
    offset: int


class ObligationRead(BaseModel):
    """One division's coverage target."""

    scope: str
    code: str
    name: str
    league_code: str
    obligated: bool
    compliant: bool
    shortfall: Decimal
    counting_company_ids: list[UUID]
    counting_company_names: list[str]
    year: int | None
    figure: Decimal | None
    threshold: Decimal | None
    status: str | None = None


class CoverageRead(BaseModel):
    """Coverage of leagues, qualifying counties and zones against the policy."""

    target_registered_capital: Decimal
    leagues_compliant: int
    leagues_total: int
    total_shortfall: Decimal
    leagues: list[ObligationRead]
    counties: list[ObligationRead]
    zones: list[ObligationRead]


class ReguaranteeCreate(Strict):
    """Sign a re-guarantee: the re-guarantor takes `share` percent of each new guarantee of the company."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "company_id": "5b0c6f8e-1c1e-4c59-9a57-2f1a3c1d0a11",
                    "reguarantor_id": "0e6a1d7c-8f53-4a0b-b1de-7c0d6f4b2e22",
                    "share": "40",
                }
            ]
        }
    )

    company_id: UUID
    reguarantor_id: UUID
    share: Share


class ReguaranteeRead(BaseModel):
    """A re-guarantee agreement."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    company_id: UUID
    reguarantor_id: UUID
    share: Decimal
    status: AgreementStatus
    created_by: str
    created_at: datetime
    ended_at: datetime | None


class AppropriationCreate(Strict):
    """Budget added to a compensation fund for a year."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "20000000.00", "year": 2026, "note": "自治区本级预算"}]}
    )

    amount: PositiveMoney
    year: Year
    note: str | None = Field(default=None, max_length=500)


class FundRead(BaseModel):
    """Where a risk-compensation fund stands."""

    fund: CompensationFund
    opening: Decimal
    appropriated: Decimal
    paid_out: Decimal
    balance: Decimal
    ratio: Decimal = Field(description="the share of a guarantor's payment on a claim the fund reimburses")


class FundEntryRead(BaseModel):
    """One ledger line."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    fund: CompensationFund
    kind: FundEntryKind
    amount: Decimal
    guarantee_id: UUID | None
    year: int | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class FundEntryPage(BaseModel):
    """A page of a fund's ledger, newest first."""

    items: list[FundEntryRead]
    total: int
    limit: int
    offset: int
