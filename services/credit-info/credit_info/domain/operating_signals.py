"""Operating signals (经营状况) derived from an enterprise's records, published for differential pricing
(差别化利率): revenue growth, the tax credit grade, months of social insurance paid, utilities on time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import CreditRecord
from credit_info.domain.records import CreditSource
from smefin.contracts.enterprises import OperatingSignalsUpdated
from smefin.db import utcnow
from smefin.outbox import Outbox

SIGNAL_SOURCES = frozenset(
    {CreditSource.TAX, CreditSource.SOCIAL_INSURANCE, CreditSource.UTILITIES, CreditSource.OPERATING}
)
CENT = Decimal("0.01")


def _latest_year(records: Sequence[CreditRecord], source: CreditSource) -> list[dict[str, Any]]:
    payloads = [r.payload for r in records if r.source == source]
    if not payloads:
        return []
    year = max(int(p["year"]) for p in payloads)
    return [p for p in payloads if int(p["year"]) == year]


def _year_before(period: str) -> str:
    """The same month or quarter a year earlier ("2026-03" -> "2025-03", "2026-Q1" -> "2025-Q1")."""
    m = re.fullmatch(r"(\d{4})(-.*)", period)
    assert m is not None  # periods are validated on the way in
    return f"{int(m.group(1)) - 1}{m.group(2)}"


def revenue_growth(records: Sequence[CreditRecord]) -> Decimal | None:
    """Year-on-year revenue growth in percent for the latest period that has its year-earlier twin."""
    by_period = {
        r.payload["period"]: Decimal(str(r.payload["revenue"]))
        for r in records
        if r.source == CreditSource.OPERATING
    }
    for period in sorted(by_period, reverse=True):
        before = by_period.get(_year_before(period))
        if before is not None and before > 0:
            return ((by_period[period] / before - 1) * 100).quantize(CENT, ROUND_HALF_UP)
    return None


def derive(records: Sequence[CreditRecord]) -> dict[str, Any]:
    """The signals from live records (None where the record holds nothing to derive one from)."""
    tax = _latest_year(records, CreditSource.TAX)
    social = _latest_year(records, CreditSource.SOCIAL_INSURANCE)
    utilities = _latest_year(records, CreditSource.UTILITIES)
    # Several tax records of one year: the worst grade stands (A best ... D worst).
    order = "ABMCD"
    months = sum(int(p["months_on_time"]) + int(p.get("months_late", 0)) for p in utilities)
    on_time = sum(int(p["months_on_time"]) for p in utilities)
    return {
        "revenue_growth_percent": revenue_growth(records),
        "tax_grade": max((p["grade"] for p in tax), key=order.index) if tax else None,
        "social_insurance_months": min(int(p["months_paid"]) for p in social) if social else None,
        "utilities_on_time_percent": (Decimal(on_time * 100) / months).quantize(CENT, ROUND_HALF_UP)
        if months
        else None,
    }


async def publish_signals(
    session: AsyncSession, outbox: Outbox, uscc: str, today: date | None = None
) -> OperatingSignalsUpdated | None:
    """Publish the enterprise's current signals (operating_signals.updated), if any record yields one."""
    records = [
        r
        for r in await repo.records_of(session, uscc, today=today or date.today())
        if r.source in SIGNAL_SOURCES
    ]
    if not records:
        return None
    payload = OperatingSignalsUpdated(uscc=uscc, as_of=utcnow(), **derive(records))
    await outbox.add(session, payload, subject=uscc)
    return payload
