"""Capital injections by source, and the regional fund's use."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from fastapi import APIRouter, status
from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.api.deps import (
    MANAGERS,
    Limit,
    Offset,
    OutboxDep,
    PolicyDep,
    PrincipalDep,
    SessionDep,
    can_manage,
)
from guarantee_registry.api.schemas import (
    CapitalSummary,
    CountyCapital,
    FundUse,
    InjectionCreate,
    InjectionPage,
    InjectionRead,
)
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import services
from guarantee_registry.domain.rules import CapitalSource, Policy, money
from smefin.auth import Role
from smefin.reference import UnknownDivision, county

router = APIRouter(prefix="/api/v1/capital-injections", tags=["capital injections"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a capital injection")
async def inject(
    body: InjectionCreate, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> InjectionRead:
    """The office, a service or the company's own guarantor records capital put in."""
    principal.require(Role.GUARANTOR, *MANAGERS)
    inj = await services.inject_capital(
        session,
        outbox,
        policy,
        company_id=body.company_id,
        amount=body.amount,
        injected_on=body.injected_on,
        source=body.source,
        county_code=body.county_code,
        note=body.note,
        actor=services.Actor.of(principal),
        authorize=lambda c: can_manage(principal, c),
    )
    return InjectionRead.model_validate(inj)


@router.get("", summary="List capital injections")
async def list_injections(
    session: SessionDep,
    principal: PrincipalDep,
    company_id: UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> InjectionPage:
    """The office sees all; a guarantor its own companies'."""
    principal.require(Role.GUARANTOR, *MANAGERS)
    ids: list[UUID] | None = [company_id] if company_id else None
    if principal.role == Role.GUARANTOR:
        own = await repo.company_ids_of_org(session, principal.org_id)
        ids = [i for i in (ids or own) if i in own]
    items, total = await repo.list_injections(session, company_ids=ids, limit=limit, offset=offset)
    return InjectionPage(
        items=[InjectionRead.model_validate(i) for i in items], total=total, limit=limit, offset=offset
    )


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


@router.get("/summary", summary="Capital by source, regional fund use and county matching")
async def summary(session: SessionDep, policy: PolicyDep, principal: PrincipalDep) -> CapitalSummary:
    """Aggregates for the office (and services)."""
    principal.require(*MANAGERS)
    return await capital_summary(session, policy)
