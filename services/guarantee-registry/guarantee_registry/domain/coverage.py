"""Coverage (担保机构覆盖): which leagues, counties and zones have the guarantee company the policy asks for."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.domain.rules import CoverageReport, DivisionFigure, Obligation, Policy, coverage
from smefin.contracts.guarantees import CoverageChanged
from smefin.outbox import Outbox
from smefin.reference import county


async def build_report(session: AsyncSession, policy: Policy, year: int | None = None) -> CoverageReport:
    """Coverage from the companies and the office's figures (each division's latest, or `year`'s)."""
    companies = await repo.all_companies(session)
    counties = [
        DivisionFigure(r.county_code, county(r.county_code).name, r.league_code, r.year, r.fiscal_revenue)
        for r in await repo.county_revenues(session, year)
    ]
    zones = [
        DivisionFigure(z.code, z.name, z.league_code, s.year, s.annual_sales)
        for z, s in await repo.zones_with_sales(session, year)
    ]
    return coverage(companies, counties, zones, policy)


async def refresh_coverage(session: AsyncSession, outbox: Outbox, policy: Policy) -> list[Obligation]:
    """Recompute coverage and publish `coverage.changed` for each division whose compliance flipped."""
    await repo.advisory_lock(session, repo.LOCK_COVERAGE)
    report = await build_report(session, policy)
    states = await repo.compliance_states(session)
    flipped: list[Obligation] = []
    for o in report.all():
        # A league starts out of compliance; a county or zone without an obligation is compliant.
        previous = states.get((o.scope, o.code), o.scope != "league")
        if previous == o.compliant:
            continue
        flipped.append(o)
        await repo.set_compliance(session, o.scope, o.code, o.compliant)
        await outbox.add(
            session,
            CoverageChanged(
                scope=o.scope,
                code=o.code,
                name=o.name,
                league_code=o.league_code,
                compliant=o.compliant,
                previous_compliant=previous,
                shortfall=o.shortfall,
                counting_company_ids=o.counting_company_ids,
            ),
            subject=f"{o.scope}:{o.code}",
        )
    return flipped
