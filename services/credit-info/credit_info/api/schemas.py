"""Request and response schemas of credit-info."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from credit_info.domain.consents import LookupPurpose
from credit_info.domain.records import CreditSource, FieldProblem
from smefin.reference import IndustryCodeStr, UsccStr
from smefin.schemas import DecimalString, Patch

Wan = Annotated[Decimal, DecimalString(10**8, example="1200.50")]
"""10,000 yuan (万元), as the size standard counts."""
Employees = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
CountyCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["150102"])]


class EnterpriseCreate(BaseModel):
    """Register an enterprise; revenue and assets in 10,000 yuan (万元)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "uscc": "911501020000000A1E",
                    "name": "呼和浩特乳业有限公司",
                    "county_code": "150102",
                    "industry": "C14",
                    "employees": 120,
                    "revenue": "8500",
                    "assets": "6200",
                    "growth_programme": True,
                    "cluster": "dairy",
                }
            ]
        },
    )

    uscc: UsccStr
    name: str = Field(min_length=2, max_length=200)
    county_code: CountyCode
    industry: IndustryCodeStr
    employees: Employees
    revenue: Wan
    assets: Wan
    growth_programme: bool = Field(default=False, strict=True)
    cluster: str | None = Field(default=None, min_length=1, max_length=100)


class EnterpriseUpdate(Patch):
    """Change an enterprise's profile; omitted fields stay, and only `cluster` may be set to null."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset({"cluster"})

    name: str | None = Field(default=None, min_length=2, max_length=200)
    county_code: CountyCode | None = None
    industry: IndustryCodeStr | None = None
    employees: Employees | None = None
    revenue: Wan | None = None
    assets: Wan | None = None
    growth_programme: bool | None = Field(default=None, strict=True)
    cluster: str | None = Field(default=None, min_length=1, max_length=100)


class EnterpriseRead(BaseModel):
    """An enterprise in the SME basic database."""

    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    league_code: str
    county_code: str | None
    industry: str
    employees: int
    revenue: Decimal
    assets: Decimal
    size_class: str
    size_standard_row: str
    size_reasons: list[str]
    growth_programme: bool
    cluster: str | None
    created_at: datetime
    updated_at: datetime


class EnterprisePage(BaseModel):
    """A page of enterprises."""

    items: list[EnterpriseRead]
    total: int
    limit: int
    offset: int


class SizeClassRead(BaseModel):
    """The size class and the thresholds that decided it."""

    industry: str
    size_class: str
    standard_row: str
    reasons: list[str]


class CreditRecordCreate(BaseModel):
    """One credit record from a provider; the payload is checked against the source's model."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "uscc": "911501020000000A1E",
                    "source": "tax",
                    "occurred_on": "2026-04-30",
                    "ref": "tax-2025-000123",
                    "payload": {"year": 2025, "grade": "B", "taxes_paid": "86.5"},
                }
            ]
        },
    )

    uscc: str = Field(min_length=1, max_length=40)
    source: CreditSource
    occurred_on: date
    ref: str | None = Field(default=None, min_length=1, max_length=100)
    payload: dict[str, Any]


class CreditRecordRead(BaseModel):
    """A stored credit record."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    uscc: str
    source: CreditSource
    occurred_on: date
    negative: bool
    payload: dict[str, Any]
    ref: str | None
    provider: str
    batch_id: str | None
    withdrawn: bool
    created_at: datetime


class CreditRecordPage(BaseModel):
    """An enterprise's live records."""

    items: list[CreditRecordRead]
    total: int


class RejectedRow(BaseModel):
    """A row that was not accepted, and why."""

    row: int
    errors: list[FieldProblem]


class AcceptedRow(BaseModel):
    """A row that became a record."""

    row: int
    record_id: uuid.UUID


class IngestionReport(BaseModel):
    """What happened to every row of a batch."""

    batch_id: str
    format: str
    rows: int
    accepted: int
    rejected: int
    accepted_rows: list[AcceptedRow]
    rejected_rows: list[RejectedRow]
    replayed: bool = False


class ConsentCreate(BaseModel):
    """Let a bank (or guarantor) read the enterprise's file for a purpose until a date (授权查询)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bank_org_id": "bank-icbc-nm",
                    "purpose": "loan_application",
                    "valid_until": "2027-06-30T00:00:00Z",
                }
            ]
        },
    )

    uscc: UsccStr | None = None
    bank_org_id: str = Field(min_length=1, max_length=100)
    purpose: LookupPurpose
    valid_until: AwareDatetime


class ConsentRead(BaseModel):
    """A consent folded from the ledger."""

    consent_id: uuid.UUID
    uscc: str
    bank_org_id: str
    purpose: str
    valid_until: datetime
    granted_at: datetime
    revoked_at: datetime | None
    status: Literal["granted", "revoked", "expired"]


class LookupRead(BaseModel):
    """One look-up of the file."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    viewer_org_id: str
    viewer_role: str
    viewer_subject: str
    resource: str
    purpose: str | None
    consent_id: uuid.UUID | None
    allowed: bool
    reason: str | None


class LookupPage(BaseModel):
    """Who looked at the file."""

    items: list[LookupRead]
    total: int
    limit: int
    offset: int


class DisputeCreate(BaseModel):
    """Flag a record as wrong (异议申请)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"record_id": "1f0c...", "reason": "this judgment was overturned on appeal"}]
        },
    )

    record_id: uuid.UUID
    reason: str = Field(min_length=5, max_length=2000)


class DisputeResolve(BaseModel):
    """Close a dispute: upheld withdraws the record, rejected keeps it."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "rejected"]
    resolution: str = Field(min_length=3, max_length=2000)


class DisputeRead(BaseModel):
    """A dispute."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    record_id: uuid.UUID
    uscc: str
    reason: str
    status: str
    outcome: str | None
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None


class RatingRead(BaseModel):
    """An enterprise's current rating."""

    uscc: str
    score: int
    probability_of_default: Decimal
    grade: str
    reasons: list[dict[str, Any]]
    model_version: str
    computed_at: datetime
