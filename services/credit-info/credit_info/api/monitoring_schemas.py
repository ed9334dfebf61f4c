"""Schemas of the office's monitoring in credit-info: operating reports, roll-ups, timeliness, programmes.

Kept apart from `schemas.py` while that module is being reorganised; they belong with it afterwards.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from credit_info.domain.operating_reports import Correction, ReportInput

Employees = Annotated[
    int, Field(strict=True, ge=0, le=1_000_000, description="employees at the period's end")
]
FormatQuery = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
LeagueQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="one league (GB/T 2260)")]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}

_EXAMPLE: dict[str, JsonValue] = {
    "uscc": "911501020000000A1E",
    "period": "2026-Q1",
    "output_value": "2300.00",
    "sales_revenue": "2150.00",
    "profit": "180.50",
    "taxes_paid": "96.20",
    "employees": 118,
    "exports": "0",
    "energy_use": "410.00",
    "total_assets": "6300.00",
}


class OperatingReportCreate(ReportInput):
    """A period's operating report: monthly above designated size, quarterly below (10,000 yuan)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    employees: Employees


class OperatingReportCorrection(Correction):
    """Corrected figures for a reported period, with the reason; it becomes a new version."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {k: v for k, v in _EXAMPLE.items() if k not in ("uscc", "period")} | {"reason": "利润更正"}
            ]
        },
    )

    employees: Employees


class OperatingReportRead(BaseModel):
    """One version of a period's report."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    uscc: str
    period: str
    frequency: str
    version: int
    output_value: Decimal
    sales_revenue: Decimal
    profit: Decimal
    taxes_paid: Decimal
    employees: int
    exports: Decimal
    energy_use: Decimal
    total_assets: Decimal | None
    reported_on: date
    late: bool
    correction_reason: str | None
    submitted_role: str
    batch_id: str | None
    created_at: datetime
    superseded_at: datetime | None


class OperatingReportPage(BaseModel):
    """A page of current report versions."""

    items: list[OperatingReportRead]
    total: int
    limit: int
    offset: int


class ImportProblem(BaseModel):
    """One thing wrong with one field of a row."""

    field: str
    message: str


class ImportRejected(BaseModel):
    """A row that was not stored, with its file line."""

    row: int
    line: int
    errors: list[ImportProblem]


class ImportAccepted(BaseModel):
    """A stored row and the version it made."""

    row: int
    uscc: str
    period: str
    version: int


class OperatingImportReport(BaseModel):
    """What happened to every row of a county's file."""

    batch_id: str
    county_code: str
    format: str
    rows: int
    accepted: int
    rejected: int
    accepted_rows: list[ImportAccepted]
    rejected_rows: list[ImportRejected]
    replayed: bool = False


class FiguresRead(BaseModel):
    """Summed figures of a group (10,000 yuan; energy in tonnes of standard coal)."""

    enterprises: int
    reports: int
    output_value: Decimal
    sales_revenue: Decimal
    profit: Decimal
    taxes_paid: Decimal
    exports: Decimal
    energy_use: Decimal
    employees: int
    total_assets: Decimal


class GrowthRead(BaseModel):
    """Growth on the same period last year, percent (null without a base)."""

    output_value: Decimal | None
    sales_revenue: Decimal | None
    profit: Decimal | None
    taxes_paid: Decimal | None
    exports: Decimal | None
    energy_use: Decimal | None
    employees: Decimal | None
    total_assets: Decimal | None


class RollupItem(BaseModel):
    """One group: a county, league or the region, optionally split by a dimension."""

    level: str
    code: str
    name: str
    dimension: str
    value: str | None
    current: FiguresRead
    last_year: FiguresRead
    growth_percent: GrowthRead


class RollupRead(BaseModel):
    """A period's roll-up (逐级汇总) with the same period last year."""

    period: str
    last_year_period: str
    level: str
    by: str
    league_code: str | None
    items: list[RollupItem]


class CountyTimelinessRead(BaseModel):
    """Reports a county's SMEs owed, on time, late and missing."""

    county_code: str
    county_name: str
    league_code: str
    expected: int
    on_time: int
    late: int
    missing: int
    late_or_missing_percent: Decimal | None


class TimelinessRead(BaseModel):
    """Counties' reporting timeliness for a period."""

    period: str
    as_of: date
    items: list[CountyTimelinessRead]


class OverdueSme(BaseModel):
    """An SME with reports missing."""

    uscc: str
    name: str
    frequency: str
    missing_periods: list[str]


class OverdueCounty(CountyTimelinessRead):
    """A county with overdue SMEs."""

    overdue_smes: list[OverdueSme]


class OverdueRead(BaseModel):
    """Overdue SMEs per county."""

    as_of: date
    period: str | None
    periods: dict[str, list[str]]
    items: list[OverdueCounty]


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, list):
        out[prefix] = "; ".join(str(v) for v in value)
    else:
        out[prefix] = "" if value is None else value


def csv_response(
    rows: Iterable[dict[str, Any]], filename: str, columns: Sequence[str] | None = None
) -> Response:
    """Rows (nested dicts flattened to dotted columns) as a UTF-8 CSV download."""
    flat = []
    for r in rows:
        out: dict[str, Any] = {}
        _flat("", r, out)
        flat.append(out)
    header = list(columns) if columns else list(dict.fromkeys(k for r in flat for k in r))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(flat)
    return Response(
        "\ufeff" + buf.getvalue(),  # BOM so spreadsheet programs read the Chinese names as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class EnrolmentCreate(BaseModel):
    """Put an SME on a programme, with the year its progress is measured from."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"uscc": "911501020000000A1E", "baseline_year": 2025}]},
    )

    uscc: str = Field(min_length=18, max_length=18)
    baseline_year: int = Field(strict=True, ge=2000, le=2100)


class EnrolmentRead(BaseModel):
    """An SME on a programme."""

    model_config = ConfigDict(from_attributes=True)

    uscc: str
    programme: str
    baseline_year: int
    enrolled_at: datetime


class EnrolledSme(BaseModel):
    """An enrolled SME's baseline and current year (10,000 yuan)."""

    uscc: str
    name: str
    league_code: str
    cluster: str | None
    baseline_year: int
    baseline_revenue: Decimal | None
    current_revenue: Decimal | None
    revenue_multiple: Decimal | None
    baseline_assets: Decimal | None
    current_assets: Decimal | None
    assets_multiple: Decimal | None
    baseline_employees: int | None
    current_employees: int | None
    jobs_added: int | None
    revenue_doubled: bool | None
    assets_doubled: bool | None


class EnrolledPage(BaseModel):
    """A programme's SMEs for one year."""

    programme: str
    year: int
    items: list[EnrolledSme]


class ProgrammeTotals(BaseModel):
    """Sums over a group of enrolled SMEs (those with figures for both years)."""

    enrolled: int
    with_figures: int
    baseline_revenue: Decimal
    current_revenue: Decimal
    revenue_multiple: Decimal | None
    baseline_assets: Decimal
    current_assets: Decimal
    assets_multiple: Decimal | None
    revenue_doubled: int
    assets_doubled: int
    jobs_added: int


class ProgrammeGroup(ProgrammeTotals):
    """One league or cluster."""

    key: str
    name: str


class ProgrammeOverall(ProgrammeTotals):
    """The whole programme against its targets."""

    jobs_target_percent: Decimal | None
    enrolment_target_percent: Decimal


class ProgrammeTargets(BaseModel):
    """The plan's targets."""

    enterprises: int
    multiple: Decimal | None
    jobs_added: int | None


class ProgrammeProgress(BaseModel):
    """Progress toward the targets per league or cluster."""

    programme: str
    year: int
    by: str
    targets: ProgrammeTargets
    total: ProgrammeOverall
    groups: list[ProgrammeGroup]
