"""Reporting periods of the SME ledger (台账): months, quarters, half-years and years, and when each is due.

Above-scale SMEs (规模以上) report monthly and the rest quarterly (按月 / 按季逐级上报汇总); the office reads
any period, a quarter, half-year or year gathering the months and quarters inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from credit_info.domain.records import DESIGNATED_SIZE_REVENUE


class Frequency(StrEnum):
    """How often an SME reports: monthly above designated size, quarterly below."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class PeriodKind(StrEnum):
    """What a period string names."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


# Days after a period's end by which its report is due (reports after it are late).
DUE_DAYS = {Frequency.MONTHLY: 10, Frequency.QUARTERLY: 15}

_FORMS = {
    PeriodKind.MONTH: re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    PeriodKind.QUARTER: re.compile(r"(\d{4})-Q([1-4])"),
    PeriodKind.HALF: re.compile(r"(\d{4})-H([12])"),
    PeriodKind.YEAR: re.compile(r"(\d{4})"),
}
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"
REPORT_PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}


class InvalidPeriod(ValueError):
    """Not a period string of the forms 2026-03, 2026-Q1, 2026-H1 or 2026."""


def frequency_for(revenue: Decimal) -> Frequency:
    """The reporting frequency of an enterprise by its annual revenue (10,000 yuan), the rule
    credit records already apply (规模以上 = revenue ≥ 2000 万元 reports monthly)."""
    return Frequency.MONTHLY if revenue >= DESIGNATED_SIZE_REVENUE else Frequency.QUARTERLY


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: `first_month` 1-12 and its length in months."""

    year: int
    first_month: int
    kind: PeriodKind

    @classmethod
    def parse(cls, text: str) -> Period:
        """2026-03, 2026-Q1, 2026-H1 or 2026 (InvalidPeriod otherwise)."""
        for kind, form in _FORMS.items():
            if m := form.fullmatch(text.strip()):
                year = int(m.group(1))
                if not 1990 <= year <= 2100:
                    raise InvalidPeriod(f"{text!r}: the year must be between 1990 and 2100")
                index = int(m.group(2)) if kind != PeriodKind.YEAR else 1
                return cls(year, (index - 1) * _MONTHS[kind] + 1, kind)
        raise InvalidPeriod(f"{text!r} is not a period; write 2026-03, 2026-Q1, 2026-H1 or 2026")

    @property
    def months(self) -> int:
        """Its length in months."""
        return _MONTHS[self.kind]

    def __str__(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.first_month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{(self.first_month - 1) // 3 + 1}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}-H{(self.first_month - 1) // 6 + 1}"
        return str(self.year)

    @property
    def start(self) -> date:
        """Its first day."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """Its last day."""
        month = self.first_month + self.months
        year = self.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1) - timedelta(days=1)

    def frequency(self) -> Frequency | None:
        """Which reporters report exactly this period (None for half-years and years)."""
        return {PeriodKind.MONTH: Frequency.MONTHLY, PeriodKind.QUARTER: Frequency.QUARTERLY}.get(self.kind)

    def due_on(self) -> date:
        """The last day a report of this (month or quarter) period is on time."""
        freq = self.frequency()
        if freq is None:
            raise InvalidPeriod(f"{self} is not a reporting period (a month or a quarter)")
        return self.end + timedelta(days=DUE_DAYS[freq])

    def last_year(self) -> Period:
        """The same period a year earlier."""
        return Period(self.year - 1, self.first_month, self.kind)

    def sub_periods(self, freq: Frequency) -> list[Period]:
        """The months (or quarters) a reporter of `freq` reports inside this period."""
        kind, step = (PeriodKind.MONTH, 1) if freq == Frequency.MONTHLY else (PeriodKind.QUARTER, 3)
        if _MONTHS[kind] > self.months:
            return []  # a quarterly reporter has no report for a single month
        return [
            Period(self.year, m, kind) for m in range(self.first_month, self.first_month + self.months, step)
        ]

    def quarter(self) -> Period:
        """The quarter a month lies in (the quarter itself for a quarter)."""
        return Period(self.year, (self.first_month - 1) // 3 * 3 + 1, PeriodKind.QUARTER)


def latest_due(freq: Frequency, as_of: date) -> Period:
    """The newest period of `freq` whose report was due before `as_of`."""
    kind = PeriodKind.MONTH if freq == Frequency.MONTHLY else PeriodKind.QUARTER
    step = _MONTHS[kind]
    p = Period(as_of.year, (as_of.month - 1) // step * step + 1, kind)
    while p.due_on() >= as_of:
        first = p.first_month - step
        p = Period(p.year - (first < 1), (first - 1) % 12 + 1, kind)
    return p
