"""Views more than one router shows (capital on its own page and inside coverage), kept here so
routers never import each other."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.api.schemas import CapitalSummary, CountyCapital, FundUse
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain.rules import CapitalSource, Policy, money
from smefin.reference import UnknownDivision, county


async def capital_summary(session: AsyncSession, policy: Policy) -> CapitalSummary:
    """Capital by source, the regional fund against its total, each county's matching."""
    by_source = {s.value: Decimal("0") for s in CapitalSource} | await repo.injected_by_source(session)
    used = by_source[CapitalSource.REGIONAL_SPECIAL_FUND.value]
    total = policy.regional_fund_total
    rows: dict[str, dict[str, Decimal]] = {}
    leagues: dict[str, str] = {}
    for county_code, league_code, source, amount in await repo.injected_by_county_and_source(session):
        if county_code is None:
            continue
        rows.setdefault(county_code, {}).setdefault(source, Decimal("0"))
        rows[county_code][source] += amount
        leagues[county_code] = league_code
    counties = []
    for code in sorted(rows):
        try:
            name = county(code).name
        except UnknownDivision:
            name = code
        r = rows[code]
        counties.append(
            CountyCapital(
                county_code=code,
                county_name=name,
                league_code=leagues[code],
                **{s.value: r.get(s.value, Decimal("0")) for s in CapitalSource},
            )
        )
    return CapitalSummary(
        by_source=by_source,
        regional_fund=FundUse(
            total=total,
            used=used,
            remaining=total - used,
            used_percent=money(used * 100 / total) if total > 0 else Decimal("0"),
        ),
        counties=counties,
    )
