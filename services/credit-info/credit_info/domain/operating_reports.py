"""Operating reports of the SME ledger (中小企业台账, 运行监测): one per SME and period, corrections versioned.

An SME reports for itself; the office, a league office (in its league) or a county's system (service
role) reports for it, one at a time or as a county's bulk file. Each stored version also becomes the
enterprise's operating credit record (source `operating`), so the rating reads the latest figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import access
from credit_info.db import operating_reports as ledger
from credit_info.db import repositories as repo
from credit_info.db.tables import Enterprise, OperatingReport
from credit_info.domain.periods import REPORT_PERIOD_PATTERN, Frequency, InvalidPeriod, Period, frequency_for
from credit_info.domain.ratings import recompute_rating
from credit_info.domain.records import (
    CreditSource,
    FieldProblem,
    OperatingPayload,
    dedupe_key,
    validation_problems,
)
from smefin.auth import Principal, Role, league_scope
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.imports import format_of, read_rows
from smefin.outbox import Outbox
from smefin.reference import InvalidUscc, county, parse_uscc
from smefin.schemas import DecimalString

WAN_UPPER = 10**8  # 10,000 yuan: a trillion yuan, above any one SME's figure
Wan = Annotated[Decimal, DecimalString(WAN_UPPER, example="1250.00")]
SignedWan = Annotated[Decimal, DecimalString(WAN_UPPER, signed=True, example="-35.50")]
Energy = Annotated[Decimal, DecimalString(10**8, example="320.00")]

# Flow figures add up over months; stocks (headcount, assets) are read at the period's end.
FLOWS = ("output_value", "sales_revenue", "profit", "taxes_paid", "exports", "energy_use")
STOCKS = ("employees", "total_assets")
FIGURES = FLOWS + STOCKS
REPORTERS = (Role.SME, Role.OFFICE, Role.LEAGUE_OFFICE, Role.SERVICE)
READERS = (Role.SME, Role.OFFICE, Role.LEAGUE_OFFICE, Role.SERVICE)
# Roles that keep a county's ledger and so may date a report by when the county received it.
LEDGER_KEEPERS = (Role.OFFICE, Role.LEAGUE_OFFICE, Role.SERVICE)


class OperatingFigures(BaseModel):
    """A period's figures: 10,000 yuan (万元) for money, tonnes of standard coal for energy."""

    model_config = ConfigDict(extra="forbid")

    output_value: Wan = Field(description="工业总产值 / output value, 10,000 yuan")
    sales_revenue: Wan = Field(description="销售收入 / sales revenue, 10,000 yuan")
    profit: SignedWan = Field(description="利润总额 / profit (may be a loss), 10,000 yuan")
    taxes_paid: Wan = Field(description="实缴税金 / taxes paid, 10,000 yuan")
    employees: int = Field(ge=0, le=1_000_000, description="从业人员 / employees at the period's end")
    exports: Wan = Field(default=Decimal("0"), description="出口交货值 / exports, 10,000 yuan")
    energy_use: Energy = Field(
        default=Decimal("0"), description="综合能耗 / energy use, tonnes of standard coal"
    )
    total_assets: Wan | None = Field(default=None, description="资产总计 / total assets at the period's end")

    @model_validator(mode="after")
    def _exports_within_output(self) -> OperatingFigures:
        if self.exports > self.output_value:
            raise ValueError("exports (出口交货值) cannot exceed the output value")
        return self


class ReportInput(OperatingFigures):
    """One report as sent: a POST body, a CSV row or a JSON line."""

    uscc: str = Field(min_length=1, max_length=40)
    period: str = Field(pattern=REPORT_PERIOD_PATTERN, examples=["2026-03", "2026-Q1"])
    reported_on: date | None = Field(
        default=None, description="when the county received it (ledger keepers only); today when omitted"
    )

    @field_validator("reported_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("must not be in the future")
        return value


class ImportRow(ReportInput):
    """A row of a county's file; `correction_reason` makes a row for a reported period a new version."""

    correction_reason: str | None = Field(default=None, min_length=3, max_length=500)


class Correction(OperatingFigures):
    """Corrected figures for a period already reported, and why."""

    reason: str = Field(min_length=3, max_length=500)


def _problem(field: str, message: str) -> list[FieldProblem]:
    return [FieldProblem(field=field, message=message)]


def check_period(ent: Enterprise, period_text: str, today: date) -> Period | list[FieldProblem]:
    """The period, if it has ended and fits the enterprise's reporting frequency."""
    try:
        period = Period.parse(period_text)
    except InvalidPeriod as exc:
        return _problem("period", str(exc))
    if period.end >= today:
        return _problem("period", f"{period} has not ended yet; report it from {period.end.isoformat()} on")
    expected = frequency_for(ent.revenue)
    if period.frequency() != expected:
        why = "above" if expected == Frequency.MONTHLY else "below"
        form = "2026-03" if expected == Frequency.MONTHLY else "2026-Q1"
        return _problem(
            "period",
            f"enterprise is {why} designated size (规模以上 = revenue ≥ 2000 万元); it reports {expected} "
            f"(periods like {form})",
        )
    return period


def _reported_on(
    principal: Principal, given: date | None, period: Period, today: date
) -> date | list[FieldProblem]:
    if given is None:
        return today
    if principal.role not in LEDGER_KEEPERS:
        return _problem("reported_on", "only the county's ledger keepers date a report; omit it")
    if given <= period.end:
        return _problem("reported_on", f"a report of {period} cannot be received before the period ends")
    return given


def _figures(values: BaseModel) -> dict[str, Any]:
    return {k: getattr(values, k) for k in FIGURES}


async def _store(
    session: AsyncSession,
    principal: Principal,
    ent: Enterprise,
    period: Period,
    figures: dict[str, Any],
    *,
    reported_on: date,
    previous: OperatingReport | None,
    reason: str | None,
    batch_id: str | None,
) -> OperatingReport:
    """Insert a version, supersede the previous one, and carry the figures into the credit record."""
    now = utcnow()
    code = ent.uscc  # read now: after a failed flush the row's attributes cannot be loaded
    if previous is not None:
        previous.superseded_at = now
        session.add(previous)
        if previous.record_id is not None:
            await repo.withdraw_record(session, previous.record_id)
        await session.flush()  # the partial unique index sees the old version superseded first
    version = 1 if previous is None else previous.version + 1
    payload = OperatingPayload(
        frequency=str(period.frequency()),  # type: ignore[arg-type]
        period=str(period),
        revenue=figures["sales_revenue"],
        profit=figures["profit"],
        employees=figures["employees"],
    )
    ref = f"operating-report:{period}:v{version}"
    record_id = await repo.insert_record_if_new(
        session,
        {
            "uscc": ent.uscc,
            "source": CreditSource.OPERATING,
            "occurred_on": period.end,
            "negative": False,
            "payload": payload.model_dump(mode="json"),
            "ref": ref,
            "dedupe_key": dedupe_key(ent.uscc, CreditSource.OPERATING, period.end, ref, payload),
            "provider": principal.org_id[:100],
            "batch_id": batch_id,
            "created_at": now,
        },
    )
    report = OperatingReport(
        uscc=ent.uscc,
        period=str(period),
        frequency=str(period.frequency()),
        version=version,
        **figures,
        reported_on=reported_on if previous is None else previous.reported_on,
        # Timeliness is the first version's: a correction does not make a report late or on time.
        late=reported_on > period.due_on() if previous is None else previous.late,
        correction_reason=reason,
        submitted_by=principal.subject[:200],
        submitted_role=principal.role.value,
        batch_id=batch_id,
        record_id=record_id,
        created_at=now,
    )
    session.add(report)
    try:
        await session.flush()
    except IntegrityError:
        # Another request filed or corrected the same period at the same moment; nothing is kept.
        raise Conflict(f"{code} {period} was just reported by another request; read it and retry") from None
    return report


def _raise(problems: list[FieldProblem]) -> NoReturn:
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    raise Unprocessable(f"invalid operating report: {summary}", details=[p.model_dump() for p in problems])


async def _enterprise(session: AsyncSession, uscc: str) -> Enterprise:
    try:
        code = parse_uscc(uscc).code
    except InvalidUscc as exc:
        raise Unprocessable(f"uscc: {exc}") from None
    ent = await repo.get_enterprise(session, code)
    if ent is None:
        raise NotFound(f"enterprise {code} is not registered in the SME basic database")
    return ent


async def submit(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: ReportInput
) -> OperatingReport:
    """File the first report of a period (409 if the period is reported: correct it instead)."""
    principal.require(*REPORTERS)
    ent = await _enterprise(session, data.uscc)
    access.require_ledger_access(principal, ent)
    today = date.today()
    period = check_period(ent, data.period, today)
    if isinstance(period, list):
        _raise(period)
    on = _reported_on(principal, data.reported_on, period, today)
    if isinstance(on, list):
        _raise(on)
    if await ledger.current_operating_report(session, ent.uscc, str(period), lock=True) is not None:
        raise Conflict(
            f"{ent.uscc} already reported {period}; send a correction "
            f"(PUT /api/v1/operating-reports/{ent.uscc}/{period}) to make a new version"
        )
    report = await _store(
        session,
        principal,
        ent,
        period,
        _figures(data),
        reported_on=on,
        previous=None,
        reason=None,
        batch_id=None,
    )
    await recompute_rating(session, outbox, ent.uscc)
    return report


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, uscc: str, period: str, data: Correction
) -> OperatingReport:
    """A new version of a reported period; the earlier versions stay readable."""
    principal.require(*REPORTERS)
    ent = await _enterprise(session, uscc)
    access.require_ledger_access(principal, ent)
    current = await ledger.current_operating_report(session, ent.uscc, period, lock=True)
    if current is None:
        raise NotFound(f"{ent.uscc} has not reported {period}; submit it with POST first")
    figures = _figures(data)
    if all(getattr(current, k) == v for k, v in figures.items()):
        raise Conflict(f"the correction repeats version {current.version} of {period}; nothing changed")
    report = await _store(
        session,
        principal,
        ent,
        Period.parse(period),
        figures,
        reported_on=date.today(),
        previous=current,
        reason=data.reason,
        batch_id=None,
    )
    await recompute_rating(session, outbox, ent.uscc)
    return report


async def readable_enterprise(session: AsyncSession, principal: Principal, uscc: str) -> Enterprise:
    """The enterprise whose reports the caller asks for (403 for another SME or another league)."""
    principal.require(*READERS)
    ent = await _enterprise(session, uscc)
    access.require_ledger_access(principal, ent)
    return ent


async def versions(
    *, session: AsyncSession, principal: Principal, uscc: str, period: str
) -> Sequence[OperatingReport]:
    """Every version of one period, oldest first."""
    ent = await readable_enterprise(session, principal, uscc)
    rows = await ledger.operating_report_versions(session, ent.uscc, period)
    if not rows:
        raise NotFound(f"{ent.uscc} has not reported {period}")
    return rows


async def reports(
    *,
    session: AsyncSession,
    principal: Principal,
    uscc: str | None,
    county_code: str | None,
    league_code: str | None,
    period: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[OperatingReport], int]:
    """Current versions: an SME's own; the office's by county, league, period."""
    principal.require(*READERS)
    if principal.role == Role.SME:
        if uscc is not None and uscc != principal.uscc:
            raise Forbidden("an enterprise reads only its own operating reports")
        uscc = principal.uscc
    elif principal.role == Role.LEAGUE_OFFICE:
        league_code = league_scope(principal, league_code)
    periods = None
    if period is not None:
        try:
            p = Period.parse(period)
        except InvalidPeriod as exc:
            raise Unprocessable(str(exc)) from None
        periods = [str(s) for f in Frequency for s in p.sub_periods(f)]
    return await ledger.current_operating_reports(
        session,
        uscc=uscc,
        county_code=county_code,
        league_code=league_code,
        periods=periods,
        limit=limit,
        offset=offset,
    )


# ---- a county's bulk file ----------------------------------------------------------------------

IMPORT_REQUIRED = ("uscc", "period", "output_value", "sales_revenue", "profit", "taxes_paid", "employees")


def _county_scope(principal: Principal, county_code: str) -> None:
    principal.require(*LEDGER_KEEPERS)
    try:
        c = county(county_code)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    if principal.role == Role.LEAGUE_OFFICE and principal.league_code != c.league_code:
        raise Forbidden(f"a league office imports only its own league's counties ({principal.league_code})")


async def import_file(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    county_code: str,
    batch_id: str,
    content_type: str | None,
    body: bytes,
    max_rows: int,
) -> tuple[dict[str, Any], bool]:
    """A county's reports as CSV or JSON lines, row by row: good rows stored, each bad row reported.

    A row for a period already reported needs `correction_reason` (it becomes a new version). The
    batch id makes a re-submission answer its first report, as credit-record batches do."""
    _county_scope(principal, county_code)
    fmt = format_of(content_type)
    provider = principal.org_id[:100]
    sha = hashlib.sha256(body).hexdigest()
    if not await repo.claim_batch(session, batch_id, provider, f"opr-{fmt}", sha):
        existing = await repo.get_batch(session, batch_id)
        assert existing is not None  # the claim failed on its key
        if existing.provider != provider:
            raise Forbidden(f"batch {batch_id} belongs to another provider")
        if existing.content_sha256 != sha:
            raise Conflict(
                f"batch {batch_id} was already submitted with different content; use a new batch id"
            )
        return existing.report | {"replayed": True}, True
    raw_rows = read_rows(body, fmt, required=IMPORT_REQUIRED, max_rows=max_rows)
    today = date.today()
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    touched: set[str] = set()

    def reject(row: int, line: int, problems: list[FieldProblem]) -> None:
        rejected.append({"row": row, "line": line, "errors": [p.model_dump() for p in problems]})

    usccs = []
    for raw in raw_rows:
        if raw.values is not None:
            try:
                usccs.append(parse_uscc(str(raw.values.get("uscc", ""))).code)
            except InvalidUscc:
                pass
    known = await repo.enterprises_known(session, sorted(set(usccs)))
    for raw in raw_rows:
        if raw.values is None:
            reject(raw.row, raw.line, _problem("row", raw.problem or "unreadable"))
            continue
        try:
            item = ImportRow.model_validate(raw.values)
        except ValidationError as exc:
            reject(raw.row, raw.line, validation_problems(exc))
            continue
        try:
            code = parse_uscc(item.uscc).code
        except InvalidUscc as exc:
            reject(raw.row, raw.line, _problem("uscc", str(exc)))
            continue
        ent = known.get(code)
        if ent is None:
            reject(raw.row, raw.line, _problem("uscc", f"enterprise {code} is not registered"))
            continue
        if ent.county_code != county_code:
            reject(raw.row, raw.line, _problem("uscc", f"enterprise {code} is not in county {county_code}"))
            continue
        period = check_period(ent, item.period, today)
        if isinstance(period, list):
            reject(raw.row, raw.line, period)
            continue
        on = _reported_on(principal, item.reported_on, period, today)
        if isinstance(on, list):
            reject(raw.row, raw.line, on)
            continue
        key = (code, str(period))
        if key in seen:
            reject(
                raw.row,
                raw.line,
                _problem("row", f"same enterprise and period as row {seen[key]} of this file"),
            )
            continue
        current = await ledger.current_operating_report(session, code, str(period), lock=True)
        figures = _figures(item)
        if current is not None:
            if item.correction_reason is None:
                reject(
                    raw.row,
                    raw.line,
                    _problem(
                        "period",
                        f"{period} is already reported (version {current.version}); "
                        "give correction_reason to send a new version",
                    ),
                )
                continue
            if all(getattr(current, k) == v for k, v in figures.items()):
                reject(
                    raw.row, raw.line, _problem("row", f"repeats version {current.version}; nothing changed")
                )
                continue
        report = await _store(
            session,
            principal,
            ent,
            period,
            figures,
            reported_on=on if current is None else today,
            previous=current,
            reason=item.correction_reason if current is not None else None,
            batch_id=batch_id,
        )
        seen[key] = raw.row
        touched.add(code)
        accepted.append({"row": raw.row, "uscc": code, "period": str(period), "version": report.version})
    for uscc in sorted(touched):
        await recompute_rating(session, outbox, uscc)
    rejected.sort(key=lambda r: int(r["row"]))
    report_body = {
        "batch_id": batch_id,
        "county_code": county_code,
        "format": fmt,
        "rows": len(raw_rows),
        "accepted": len(accepted),
        "rejected": len(rejected),
        "accepted_rows": accepted,
        "rejected_rows": rejected,
    }
    await repo.record_batch_report(session, batch_id, report_body)
    return report_body, False
