"""SQL of the SME ledger's operating reports and the programmes (monitoring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db.tables import Enterprise, OperatingReport, ProgrammeEnrolment


async def current_operating_report(
    session: AsyncSession, uscc: str, period: str, *, lock: bool = False
) -> OperatingReport | None:
    """The current version of one SME's report for one period."""
    stmt = select(OperatingReport).where(
        OperatingReport.uscc == uscc,
        OperatingReport.period == period,
        col(OperatingReport.superseded_at).is_(None),
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def operating_report_versions(
    session: AsyncSession, uscc: str, period: str
) -> Sequence[OperatingReport]:
    """Every version of one period, oldest first."""
    stmt = (
        select(OperatingReport)
        .where(OperatingReport.uscc == uscc, OperatingReport.period == period)
        .order_by(col(OperatingReport.version))
    )
    return (await session.exec(stmt)).all()


def _in_scope(
    stmt: Any,
    *,
    uscc: str | None,
    county_code: str | None,
    league_code: str | None,
    periods: Sequence[str] | None,
) -> Any:
    if uscc is not None:
        stmt = stmt.where(col(OperatingReport.uscc) == uscc)
    if county_code is not None:
        stmt = stmt.where(col(Enterprise.county_code) == county_code)
    if league_code is not None:
        stmt = stmt.where(col(Enterprise.league_code) == league_code)
    if periods is not None:
        stmt = stmt.where(col(OperatingReport.period).in_(list(periods)))
    return stmt


async def current_operating_reports(
    session: AsyncSession,
    *,
    uscc: str | None,
    county_code: str | None,
    league_code: str | None,
    periods: Sequence[str] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[OperatingReport], int]:
    """A page of current versions by enterprise, county, league and periods, and the total."""
    base = select(OperatingReport).join(Enterprise, col(Enterprise.uscc) == col(OperatingReport.uscc))
    base = _in_scope(
        base.where(col(OperatingReport.superseded_at).is_(None)),
        uscc=uscc,
        county_code=county_code,
        league_code=league_code,
        periods=periods,
    )
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).one()
    stmt = base.order_by(col(OperatingReport.uscc), col(OperatingReport.period)).limit(limit).offset(offset)
    return (await session.exec(stmt)).all(), int(total)


async def reports_with_enterprises(
    session: AsyncSession, periods: Sequence[str], league_code: str | None
) -> Sequence[tuple[OperatingReport, Enterprise]]:
    """Current versions in these periods, each with its enterprise (for roll-ups)."""
    stmt = (
        select(OperatingReport, Enterprise)
        .join(Enterprise, col(Enterprise.uscc) == col(OperatingReport.uscc))
        .where(col(OperatingReport.superseded_at).is_(None), col(OperatingReport.period).in_(list(periods)))
    )
    if league_code is not None:
        stmt = stmt.where(col(Enterprise.league_code) == league_code)
    return (await session.exec(stmt)).all()


async def first_reports(
    session: AsyncSession, periods: Sequence[str], league_code: str | None
) -> Sequence[OperatingReport]:
    """The first version of every report in these periods (when each period was first reported)."""
    stmt = (
        select(OperatingReport)
        .join(Enterprise, col(Enterprise.uscc) == col(OperatingReport.uscc))
        .where(col(OperatingReport.version) == 1, col(OperatingReport.period).in_(list(periods)))
    )
    if league_code is not None:
        stmt = stmt.where(col(Enterprise.league_code) == league_code)
    return (await session.exec(stmt)).all()


async def ledger_enterprises(session: AsyncSession, league_code: str | None) -> Sequence[Enterprise]:
    """Every enterprise in a county's ledger (those with a county), one league's or all."""
    stmt = select(Enterprise).where(col(Enterprise.county_code).is_not(None))
    if league_code is not None:
        stmt = stmt.where(col(Enterprise.league_code) == league_code)
    return (await session.exec(stmt.order_by(col(Enterprise.uscc)))).all()


async def get_enrolment(session: AsyncSession, uscc: str, programme: str) -> ProgrammeEnrolment | None:
    """One SME's enrolment in one programme."""
    return await session.get(ProgrammeEnrolment, (uscc, programme))


async def enrolments(
    session: AsyncSession, programme: str, league_code: str | None
) -> Sequence[tuple[ProgrammeEnrolment, Enterprise]]:
    """A programme's enrolled SMEs with their enterprise rows."""
    stmt = (
        select(ProgrammeEnrolment, Enterprise)
        .join(Enterprise, col(Enterprise.uscc) == col(ProgrammeEnrolment.uscc))
        .where(col(ProgrammeEnrolment.programme) == programme)
    )
    if league_code is not None:
        stmt = stmt.where(col(Enterprise.league_code) == league_code)
    return (await session.exec(stmt.order_by(col(ProgrammeEnrolment.uscc)))).all()


async def reports_of_many(
    session: AsyncSession, usccs: Sequence[str], years: Sequence[int]
) -> Sequence[OperatingReport]:
    """Current versions of many SMEs in the given years."""
    if not usccs:
        return []
    prefixes = [f"{y}-%" for y in years]
    stmt = select(OperatingReport).where(
        col(OperatingReport.uscc).in_(list(usccs)),
        col(OperatingReport.superseded_at).is_(None),
        or_(*(col(OperatingReport.period).like(p) for p in prefixes)),
    )
    return (await session.exec(stmt)).all()
