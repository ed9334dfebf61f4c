"""The office's per-year figures behind coverage: county fiscal revenue (财政收入) and development zones' sales.

Each write recomputes coverage in the same unit of work, so a flipped obligation is announced with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import CountyFiscalRevenue, DevelopmentZone, ZoneAnnualSales
from guarantee_registry.domain.companies import check_divisions
from guarantee_registry.domain.coverage import refresh_coverage
from guarantee_registry.domain.rules import MANAGERS, Policy
from smefin.auth import Principal
from smefin.errors import NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import UnknownDivision, county


@dataclass(frozen=True)
class RevenueRow:
    """One county-year of fiscal revenue."""

    county_code: str
    year: int
    fiscal_revenue: Decimal


@dataclass(frozen=True)
class ZoneRow:
    """A development zone and one year of its sales."""

    zone_code: str
    name: str
    league_code: str
    county_code: str | None
    year: int
    annual_sales: Decimal


def _county_league(code: str) -> str:
    try:
        return county(code).league_code
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None


async def _store_revenue(session: AsyncSession, row: RevenueRow, who: str) -> None:
    await repo.upsert_county_revenue(
        session,
        CountyFiscalRevenue(
            county_code=row.county_code,
            year=row.year,
            league_code=_county_league(row.county_code),
            fiscal_revenue=row.fiscal_revenue,
            updated_by=who,
        ),
    )


async def _store_zone(
    session: AsyncSession, *, code: str, name: str, league_code: str, county_code: str | None, who: str
) -> None:
    check_divisions(league_code, county_code)
    await repo.upsert_zone(
        session,
        DevelopmentZone(
            code=code, name=name, league_code=league_code, county_code=county_code, updated_by=who
        ),
    )


async def _store_sales(session: AsyncSession, zone_code: str, year: int, sales: Decimal, who: str) -> None:
    await repo.upsert_zone_sales(
        session, ZoneAnnualSales(zone_code=zone_code, year=year, annual_sales=sales, updated_by=who)
    )


async def set_fiscal_revenues(
    *, session: AsyncSession, outbox: Outbox, policy: Policy, principal: Principal, rows: list[RevenueRow]
) -> None:
    """Counties above 5bn yuan of fiscal revenue need a guarantee company of their own; all rows or none."""
    principal.require(*MANAGERS)
    for row in rows:
        await _store_revenue(session, row, principal.subject)
    await refresh_coverage(session, outbox, policy)


async def set_zones(
    *, session: AsyncSession, outbox: Outbox, policy: Policy, principal: Principal, rows: list[ZoneRow]
) -> None:
    """Register or change zones with a year of sales each; all rows or none."""
    principal.require(*MANAGERS)
    for row in rows:
        await _store_zone(
            session,
            code=row.zone_code,
            name=row.name,
            league_code=row.league_code,
            county_code=row.county_code,
            who=principal.subject,
        )
        await _store_sales(session, row.zone_code, row.year, row.annual_sales, principal.subject)
    await refresh_coverage(session, outbox, policy)


async def set_zone(
    *,
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    principal: Principal,
    zone_code: str,
    name: str,
    league_code: str,
    county_code: str | None,
) -> None:
    """Register or change a development zone (no sales figure)."""
    principal.require(*MANAGERS)
    await _store_zone(
        session,
        code=zone_code,
        name=name,
        league_code=league_code,
        county_code=county_code,
        who=principal.subject,
    )
    await refresh_coverage(session, outbox, policy)


async def set_zone_sales(
    *,
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    principal: Principal,
    zone_code: str,
    year: int,
    annual_sales: Decimal,
) -> DevelopmentZone:
    """Zones above 10bn yuan of sales need a guarantee company of their own."""
    principal.require(*MANAGERS)
    zone = await repo.get_zone(session, zone_code)
    if zone is None:
        raise NotFound(
            f"development zone {zone_code} not found; PUT /api/v1/divisions/zones/{zone_code} first"
        )
    await _store_sales(session, zone_code, year, annual_sales, principal.subject)
    await refresh_coverage(session, outbox, policy)
    return zone
