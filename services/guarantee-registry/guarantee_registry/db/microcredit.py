"""SQL of the microcredit-company registry."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db.tables import MicrocreditCompany


async def by_uscc(session: AsyncSession, uscc: str) -> MicrocreditCompany | None:
    """The microcredit company with this USCC."""
    return (await session.exec(select(MicrocreditCompany).where(MicrocreditCompany.uscc == uscc))).first()


async def listed(
    session: AsyncSession, *, league_code: str | None, county_code: str | None, operating_only: bool
) -> list[MicrocreditCompany]:
    """Microcredit companies, one league's or county's or all, by county then name."""
    q = select(MicrocreditCompany)
    if league_code is not None:
        q = q.where(col(MicrocreditCompany.league_code) == league_code)
    if county_code is not None:
        q = q.where(col(MicrocreditCompany.county_code) == county_code)
    if operating_only:
        q = q.where(col(MicrocreditCompany.status) == "operating")
    q = q.order_by(col(MicrocreditCompany.county_code), col(MicrocreditCompany.name))
    return list(await session.exec(q))
