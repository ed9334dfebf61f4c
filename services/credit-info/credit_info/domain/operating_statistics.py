"""Roll-ups of the operating reports, county → league → region (逐级上报汇总), by the 2011 size standard
(分类统计), industry section and cluster, against the same period a year earlier; and timeliness:
which SMEs are overdue and which counties report late.

Definitions (the tests compute the same sums independently):
- an enterprise's figures for a period are its current report versions inside it: for each quarter
  its quarterly report if it has one, else its monthly reports of that quarter; a single month
  counts monthly reporters only;
- flows (output, sales, profit, taxes, exports, energy) are summed; employees and total assets are
  taken from the enterprise's latest report in the period;
- growth is (this period − same period last year) / |last year| × 100, none when last year is 0;
- a report is expected once its due day (period end + 10 days monthly, + 15 days quarterly) is
  before `as_of`; it is late when first received after the due day, missing (overdue) when not
  received by `as_of`. Enterprises are expected to report by their current revenue's frequency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import operating_reports as ledger
from credit_info.db.tables import Enterprise, OperatingReport
from credit_info.domain.operating_reports import FLOWS
from credit_info.domain.periods import Frequency, InvalidPeriod, Period, PeriodKind, frequency_for, latest_due
from smefin.auth import OFFICE_ROLES, Principal, Role, league_scope
from smefin.errors import Forbidden, Unprocessable
from smefin.reference import PROVINCE_CODE, UnknownDivision, county, league

REGION_NAME = "内蒙古自治区"
NONE = "(none)"


class Level(StrEnum):
    """How far up the roll-up goes."""

    COUNTY = "county"
    LEAGUE = "league"
    REGION = "region"


class Dimension(StrEnum):
    """An optional second grouping."""

    NONE = "none"
    SIZE_CLASS = "size_class"
    INDUSTRY_SECTION = "industry_section"
    CLUSTER = "cluster"


@dataclass
class Totals:
    """Summed figures of a group for one period."""

    enterprises: int = 0
    reports: int = 0
    flows: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(FLOWS, Decimal("0")))
    employees: int = 0
    total_assets: Decimal = Decimal("0")

    def add(self, one: EnterpriseFigures) -> None:
        """Count one enterprise in."""
        self.enterprises += 1
        self.reports += one.reports
        for k in FLOWS:
            self.flows[k] += one.flows[k]
        self.employees += one.employees
        self.total_assets += one.total_assets or Decimal("0")

    def as_dict(self) -> dict[str, Any]:
        """The figures by name."""
        return {
            "enterprises": self.enterprises,
            "reports": self.reports,
            **self.flows,
            "employees": self.employees,
            "total_assets": self.total_assets,
        }


@dataclass
class EnterpriseFigures:
    """One enterprise's figures for one period."""

    reports: int
    flows: dict[str, Decimal]
    employees: int
    total_assets: Decimal | None


def _parse(text: str) -> Period:
    try:
        return Period.parse(text)
    except InvalidPeriod as exc:
        raise Unprocessable(str(exc)) from None


def reporting_periods(period: Period) -> list[str]:
    """Every report period string inside `period` (its months and quarters)."""
    return [str(s) for f in Frequency for s in period.sub_periods(f)]


def enterprise_figures(reports: Iterable[OperatingReport], period: Period) -> EnterpriseFigures | None:
    """One enterprise's figures for `period` from its current reports (see the module's definitions)."""
    by_period = {r.period: r for r in reports}
    used: list[tuple[Period, OperatingReport]] = []
    if period.kind == PeriodKind.MONTH:
        r = by_period.get(str(period))
        used = [(period, r)] if r is not None and r.frequency == Frequency.MONTHLY else []
    else:
        for q in period.sub_periods(Frequency.QUARTERLY):
            quarterly = by_period.get(str(q))
            if quarterly is not None:
                used.append((q, quarterly))
                continue
            used += [(m, by_period[str(m)]) for m in q.sub_periods(Frequency.MONTHLY) if str(m) in by_period]
    if not used:
        return None
    latest = max(used, key=lambda pr: pr[0].end)[1]
    return EnterpriseFigures(
        reports=len(used),
        flows={k: sum((getattr(r, k) for _, r in used), Decimal("0")) for k in FLOWS},
        employees=latest.employees,
        total_assets=latest.total_assets,
    )


def _dimension_value(ent: Enterprise, by: Dimension) -> str:
    if by == Dimension.SIZE_CLASS:
        return ent.size_class
    if by == Dimension.INDUSTRY_SECTION:
        return ent.industry[:1]
    if by == Dimension.CLUSTER:
        return ent.cluster or NONE
    return ""


def _level_code(ent: Enterprise, level: Level) -> str:
    if level == Level.COUNTY:
        return ent.county_code or NONE
    if level == Level.LEAGUE:
        return ent.league_code
    return PROVINCE_CODE


def _name(level: Level, code: str) -> str:
    try:
        if level == Level.COUNTY:
            return county(code).name
        if level == Level.LEAGUE:
            return league(code).name
    except UnknownDivision:
        return code
    return REGION_NAME


def group_totals(
    rows: Sequence[tuple[OperatingReport, Enterprise]], period: Period, level: Level, by: Dimension
) -> dict[tuple[str, str], Totals]:
    """Totals per (level code, dimension value) for one period."""
    per_ent: dict[str, list[OperatingReport]] = defaultdict(list)
    ents: dict[str, Enterprise] = {}
    for report, ent in rows:
        per_ent[ent.uscc].append(report)
        ents[ent.uscc] = ent
    out: dict[tuple[str, str], Totals] = defaultdict(Totals)
    for uscc, reports in per_ent.items():
        figures = enterprise_figures(reports, period)
        if figures is not None:
            ent = ents[uscc]
            out[(_level_code(ent, level), _dimension_value(ent, by))].add(figures)
    return dict(out)


def growth_percent(now: Decimal | int, before: Decimal | int) -> Decimal | None:
    """(now − before) / |before| × 100, two decimals; None without a base."""
    if before == 0:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / abs(Decimal(before))).quantize(Decimal("0.01"))


def _growth(cur: Totals, prev: Totals) -> dict[str, Decimal | None]:
    a, b = cur.as_dict(), prev.as_dict()
    return {k: growth_percent(a[k], b[k]) for k in (*FLOWS, "employees", "total_assets")}


async def rollup(
    *,
    session: AsyncSession,
    principal: Principal,
    period: str,
    level: Level,
    by: Dimension,
    league_code: str | None,
) -> dict[str, Any]:
    """The roll-up of one period with last year's and the growth, per level code and dimension value."""
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    if principal.role == Role.LEAGUE_OFFICE and level == Level.REGION:
        raise Forbidden("a league office reads its own league's roll-up; ask for level=league or county")
    scope = league_scope(principal, league_code)
    p = _parse(period)
    prev = p.last_year()
    rows = await ledger.reports_with_enterprises(
        session, reporting_periods(p) + reporting_periods(prev), scope
    )
    cur_rows = [(r, e) for r, e in rows if r.period in set(reporting_periods(p))]
    prev_rows = [(r, e) for r, e in rows if r.period in set(reporting_periods(prev))]
    cur, before = group_totals(cur_rows, p, level, by), group_totals(prev_rows, prev, level, by)
    items = []
    for code, value in sorted(cur.keys() | before.keys()):
        a, b = cur.get((code, value), Totals()), before.get((code, value), Totals())
        items.append(
            {
                "level": level.value,
                "code": code,
                "name": _name(level, code),
                "dimension": by.value,
                "value": value or None,
                "current": a.as_dict(),
                "last_year": b.as_dict(),
                "growth_percent": _growth(a, b),
            }
        )
    return {
        "period": str(p),
        "last_year_period": str(prev),
        "level": level.value,
        "by": by.value,
        "league_code": scope,
        "items": items,
    }


# ---- timeliness: overdue SMEs and late counties ----------------------------------------------


@dataclass
class CountyTimeliness:
    """Reports a county's SMEs owed by `as_of`, and how they came."""

    county_code: str
    league_code: str
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    overdue: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, *, with_smes: bool) -> dict[str, Any]:
        """The county's line."""
        out: dict[str, Any] = {
            "county_code": self.county_code,
            "county_name": _name(Level.COUNTY, self.county_code),
            "league_code": self.league_code,
            "expected": self.expected,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "late_or_missing_percent": (
                (Decimal(self.late + self.missing) * 100 / self.expected).quantize(Decimal("0.01"))
                if self.expected
                else None
            ),
        }
        if with_smes:
            out["overdue_smes"] = self.overdue
        return out


def timeliness(
    enterprises: Sequence[Enterprise],
    first: Sequence[OperatingReport],
    periods_for: Callable[[Frequency], list[Period]],
    as_of: date,
) -> dict[str, CountyTimeliness]:
    """Per county: expected, on time, late and missing reports; the SMEs with missing ones."""
    received = {(r.uscc, r.period): r for r in first if r.reported_on <= as_of}
    out: dict[str, CountyTimeliness] = {}
    for ent in enterprises:
        assert ent.county_code is not None  # ledger enterprises have a county
        line = out.setdefault(ent.county_code, CountyTimeliness(ent.county_code, ent.league_code))
        freq = frequency_for(ent.revenue)
        missing = []
        for s in periods_for(freq):
            if s.due_on() >= as_of:
                continue  # not due yet
            line.expected += 1
            got = received.get((ent.uscc, str(s)))
            if got is None:
                line.missing += 1
                missing.append(str(s))
            elif got.late:
                line.late += 1
            else:
                line.on_time += 1
        if missing:
            line.overdue.append(
                {"uscc": ent.uscc, "name": ent.name, "frequency": freq.value, "missing_periods": missing}
            )
    return out


async def _timeliness(
    session: AsyncSession,
    principal: Principal,
    league_code: str | None,
    periods_for: Callable[[Frequency], list[Period]],
    as_of: date,
) -> list[CountyTimeliness]:
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    scope = league_scope(principal, league_code)
    if as_of > date.today():
        raise Unprocessable("as_of must not be in the future")
    if as_of.year < 1991:
        raise Unprocessable("as_of must be in 1991 or later (the ledger starts in 1990)")
    ents = await ledger.ledger_enterprises(session, scope)
    wanted = sorted({str(s) for f in Frequency for s in periods_for(f)})
    first = await ledger.first_reports(session, wanted, scope)
    lines = timeliness(ents, first, periods_for, as_of)
    return [lines[c] for c in sorted(lines)]


async def county_timeliness(
    *,
    session: AsyncSession,
    principal: Principal,
    period: str,
    as_of: date,
    league_code: str | None,
    late_only: bool,
) -> dict[str, Any]:
    """Per county for one period: reports expected, on time, late, missing (counties reporting late)."""
    p = _parse(period)
    lines = await _timeliness(session, principal, league_code, p.sub_periods, as_of)
    if late_only:
        lines = [c for c in lines if c.late or c.missing]
    return {
        "period": str(p),
        "as_of": as_of.isoformat(),
        "items": [c.as_dict(with_smes=False) for c in lines],
    }


async def overdue(
    *, session: AsyncSession, principal: Principal, as_of: date, period: str | None, league_code: str | None
) -> dict[str, Any]:
    """SMEs overdue per county: the latest due month (above scale) and quarter (the rest), or `period`."""
    if period is not None:
        p = _parse(period)

        def periods_for(freq: Frequency) -> list[Period]:
            return p.sub_periods(freq)

    else:

        def periods_for(freq: Frequency) -> list[Period]:
            return [latest_due(freq, as_of)]

    lines = await _timeliness(session, principal, league_code, periods_for, as_of)
    return {
        "as_of": as_of.isoformat(),
        "period": period,
        "periods": {f.value: [str(s) for s in periods_for(f) if s.due_on() < as_of] for f in Frequency},
        "items": [c.as_dict(with_smes=True) for c in lines if c.missing],
    }
