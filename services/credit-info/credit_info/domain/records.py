"""Credit records by source (信用信息): typed payloads, the negative-record rules, five-year ageing."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Negative records age out of reports and the rating after five years (不良信息保存期限).
NEGATIVE_RETENTION = timedelta(days=5 * 365 + 1)
# Enterprises above designated size (规模以上) report operating figures monthly.
DESIGNATED_SIZE_REVENUE = Decimal("2000")

Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e10"), max_digits=18, decimal_places=2)]
Months = Annotated[int, Field(ge=0, le=12)]


class CreditSource(StrEnum):
    """Where a record comes from."""

    TAX = "tax"
    SOCIAL_INSURANCE = "social_insurance"
    UTILITIES = "utilities"
    COURT = "court"
    LOAN = "loan"
    GUARANTEE = "guarantee"
    OPERATING = "operating"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def is_negative(self) -> bool:
        """Whether the record counts against the enterprise."""
        return False


class TaxPayload(_Payload):
    """Tax credit grade (纳税信用等级) and taxes paid in a year, 10,000 yuan."""

    year: int = Field(ge=1990, le=2100)
    grade: Literal["A", "B", "M", "C", "D"]
    taxes_paid: Money = Decimal("0")
    overdue_tax: Money = Decimal("0")

    def is_negative(self) -> bool:
        return self.grade in ("C", "D") or self.overdue_tax > 0


class SocialInsurancePayload(_Payload):
    """Social insurance (社保) contributions of a year."""

    year: int = Field(ge=1990, le=2100)
    insured_headcount: int = Field(ge=0, le=1_000_000)
    months_paid: Months
    arrears: Money = Decimal("0")

    def is_negative(self) -> bool:
        return self.arrears > 0 or self.months_paid < 12


class UtilitiesPayload(_Payload):
    """Water, power or gas payment history (水电气缴费) over a year."""

    utility: Literal["water", "power", "gas"]
    year: int = Field(ge=1990, le=2100)
    months_on_time: Months
    months_late: Months = 0
    arrears: Money = Decimal("0")

    def is_negative(self) -> bool:
        return self.months_late >= 3 or self.arrears > 0


class CourtPayload(_Payload):
    """A court judgment or enforcement (裁判文书 / 被执行人 / 失信被执行人)."""

    kind: Literal["judgment", "enforcement", "dishonest_debtor"]
    case_no: str = Field(min_length=3, max_length=64)
    role: Literal["defendant", "plaintiff", "third_party"] = "defendant"
    amount: Money = Decimal("0")
    closed: bool = False

    def is_negative(self) -> bool:
        return self.role == "defendant"


class LoanPayload(_Payload):
    """A loan and its repayment status; a draw on a credit line (授信) is a loan of its own.

    `repayment` is a partial repayment of a running loan (`repaid` this time, `outstanding` after).
    """

    loan_id: str = Field(min_length=1, max_length=64)
    bank_org_id: str = Field(min_length=1, max_length=100)
    amount: Money
    status: Literal["disbursed", "repayment", "repaid", "overdue", "defaulted"]
    days_past_due: int = Field(default=0, ge=0, le=10_000)
    credit_line_id: str | None = Field(default=None, max_length=64)
    repaid: Money | None = None
    outstanding: Money | None = None

    def is_negative(self) -> bool:
        return self.status in ("overdue", "defaulted")


class GuaranteePayload(_Payload):
    """A guarantee issued for the enterprise, and what became of it."""

    guarantee_id: str = Field(min_length=1, max_length=64)
    company_id: str = Field(min_length=1, max_length=64)
    amount: Money
    status: Literal["issued", "released", "claimed", "cancelled"]

    def is_negative(self) -> bool:
        return self.status == "claimed"


_PERIOD = {"monthly": re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "quarterly": re.compile(r"\d{4}-Q[1-4]")}


class OperatingPayload(_Payload):
    """Operating figures (产销数据): monthly above designated size, quarterly below; 10,000 yuan."""

    frequency: Literal["monthly", "quarterly"]
    period: str = Field(max_length=7, examples=["2026-03", "2026-Q1"])
    revenue: Money
    profit: Decimal = Field(ge=Decimal("-1e9"), le=Decimal("1e9"), max_digits=18, decimal_places=2)
    employees: int = Field(ge=0, le=1_000_000)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str, info: Any) -> str:
        freq = info.data.get("frequency")
        if freq and not _PERIOD[freq].fullmatch(value):
            raise ValueError("monthly periods look like 2026-03, quarterly ones like 2026-Q1")
        return value

    def is_negative(self) -> bool:
        return False


PAYLOADS: dict[CreditSource, type[_Payload]] = {
    CreditSource.TAX: TaxPayload,
    CreditSource.SOCIAL_INSURANCE: SocialInsurancePayload,
    CreditSource.UTILITIES: UtilitiesPayload,
    CreditSource.COURT: CourtPayload,
    CreditSource.LOAN: LoanPayload,
    CreditSource.GUARANTEE: GuaranteePayload,
    CreditSource.OPERATING: OperatingPayload,
}

# How the report groups sources: credit (信贷), non-credit (非信贷) and public records (公共记录).
REPORT_SECTIONS: dict[str, tuple[CreditSource, ...]] = {
    "credit_records": (CreditSource.LOAN, CreditSource.GUARANTEE),
    "non_credit_records": (CreditSource.TAX, CreditSource.SOCIAL_INSURANCE, CreditSource.UTILITIES),
    "public_records": (CreditSource.COURT,),
    "operating_figures": (CreditSource.OPERATING,),
}


class RecordInput(BaseModel):
    """One credit record as a provider sends it (a JSON line, a CSV row or a POST body)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(min_length=1, max_length=40)
    source: CreditSource
    occurred_on: date
    ref: str | None = Field(default=None, min_length=1, max_length=100)
    payload: dict[str, Any] = Field(max_length=30)

    @field_validator("occurred_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("must not be in the future")
        if value.year < 1990:
            raise ValueError("must be 1990 or later")
        return value


class FieldProblem(BaseModel):
    """One thing wrong with one field."""

    field: str
    message: str


def validation_problems(exc: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """Pydantic errors as field-level messages."""
    return [
        FieldProblem(
            field=prefix + ".".join(str(p) for p in e["loc"]) or "row",
            message=str(e["msg"]).removeprefix("Value error, "),
        )
        for e in exc.errors()
    ]


def parse_payload(source: CreditSource, raw: dict[str, Any]) -> _Payload:
    """Validate a payload against its source's model (raises ValidationError)."""
    return PAYLOADS[source].model_validate(raw)


def dedupe_key(uscc: str, source: CreditSource, occurred_on: date, ref: str | None, payload: _Payload) -> str:
    """Identity of a record: the provider's reference when given, else its whole content."""
    # Unset optional fields are left out, so payloads written before a field was added keep their key.
    body = (
        ref
        if ref is not None
        else json.dumps(payload.model_dump(mode="json", exclude_none=True), sort_keys=True)
    )
    text = f"{uscc}|{source.value}|{occurred_on.isoformat() if ref is None else ''}|{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def is_aged_out(negative: bool, occurred_on: date, today: date | None = None) -> bool:
    """Negative records older than five years no longer count."""
    return negative and occurred_on < (today or date.today()) - NEGATIVE_RETENTION
