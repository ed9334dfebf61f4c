"""Capital injections by source, and the regional fund's use."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

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
    InjectionCreate,
    InjectionPage,
    InjectionRead,
)
from guarantee_registry.api.views import capital_summary
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import capital
from guarantee_registry.domain.companies import Actor
from smefin.auth import Role

router = APIRouter(prefix="/api/v1/capital-injections", tags=["capital injections"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a capital injection")
async def inject(
    body: InjectionCreate, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> InjectionRead:
    """The office, a service or the company's own guarantor records capital put in."""
    principal.require(Role.GUARANTOR, *MANAGERS)
    inj = await capital.inject_capital(
        session,
        outbox,
        policy,
        company_id=body.company_id,
        amount=body.amount,
        injected_on=body.injected_on,
        source=body.source,
        county_code=body.county_code,
        note=body.note,
        actor=Actor.of(principal),
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


@router.get("/summary", summary="Capital by source, regional fund use and county matching")
async def summary(session: SessionDep, policy: PolicyDep, principal: PrincipalDep) -> CapitalSummary:
    """Aggregates for the office (and services)."""
    principal.require(*MANAGERS)
    return await capital_summary(session, policy)
