"""Guarantee companies: register, update (audited), read, history."""

from __future__ import annotations

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
    CapacityRead,
    CompanyCreate,
    CompanyPage,
    CompanyRead,
    CompanyUpdate,
    VersionRead,
)
from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import GuaranteeCompany
from guarantee_registry.domain import companies
from guarantee_registry.domain.companies import Actor
from guarantee_registry.domain.rules import Policy, capacity_of
from smefin.auth import Role
from smefin.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1/guarantee-companies", tags=["guarantee companies"])


async def company_reads(
    session: AsyncSession, companies_: list[GuaranteeCompany], policy: Policy
) -> list[CompanyRead]:
    """Companies with their capacity now, re-guarantee included (two grouped queries for the lot)."""
    ids = [c.id for c in companies_]
    figures = await repo.reguarantee_figures(session, ids)
    agreements = await repo.active_agreements(session, ids)
    out = []
    for c in companies_:
        cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
        ceded_, assumed = figures[c.id]
        agreement = agreements.get(c.id)
        out.append(
            CompanyRead(
                **c.model_dump(exclude={"outstanding"}),
                capacity=CapacityRead(
                    leverage_multiple=cap.multiple,
                    capacity_limit=cap.limit,
                    outstanding=c.outstanding,
                    remaining=cap.remaining,
                    single_client_limit=cap.single_client_limit,
                    leverage=cap.leverage,
                    ceded_liability=ceded_,
                    assumed_liability=assumed,
                    reguarantee_share=agreement.share if agreement else None,
                ),
            )
        )
    return out


async def company_read(session: AsyncSession, c: GuaranteeCompany, policy: Policy) -> CompanyRead:
    """One company with its capacity now."""
    return (await company_reads(session, [c], policy))[0]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a guarantee company")
async def register(
    body: CompanyCreate, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> CompanyRead:
    """A guarantor registers its own company; the office or a service may register any."""
    principal.require(Role.GUARANTOR, *MANAGERS)
    data = body.model_dump()
    if principal.role == Role.GUARANTOR:
        if data["owner_org_id"] not in (None, principal.org_id):
            raise Forbidden("a guarantor registers companies for its own organisation only")
        data["owner_org_id"] = principal.org_id
    elif data["owner_org_id"] is None:
        data["owner_org_id"] = principal.org_id
    c = await companies.register_company(session, outbox, policy, data, Actor.of(principal))
    return await company_read(session, c, policy)


@router.get("", summary="List guarantee companies with their capacity")
async def list_companies(
    session: SessionDep,
    policy: PolicyDep,
    principal: PrincipalDep,
    league_code: str | None = None,
    owner_org_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CompanyPage:
    """Registered companies (public facts every platform role may see: banks choose guarantors here)."""
    items, total = await repo.list_companies(
        session, league_code=league_code, owner_org_id=owner_org_id, limit=limit, offset=offset
    )
    return CompanyPage(
        items=await company_reads(session, list(items), policy), total=total, limit=limit, offset=offset
    )


async def _get(session: SessionDep, company_id: UUID) -> GuaranteeCompany:
    c = await repo.get_company(session, company_id)
    if c is None:
        raise NotFound(f"guarantee company {company_id} not found")
    return c


@router.get("/{company_id}", summary="One guarantee company")
async def get_company(
    company_id: UUID, session: SessionDep, policy: PolicyDep, principal: PrincipalDep
) -> CompanyRead:
    """A company with its capacity."""
    return await company_read(session, await _get(session, company_id), policy)


@router.patch("/{company_id}", summary="Change a guarantee company (a new audited version)")
async def update(
    company_id: UUID,
    body: CompanyUpdate,
    session: SessionDep,
    outbox: OutboxDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> CompanyRead:
    """The company's guarantor or the office changes facts; each change is kept as a version."""
    principal.require(Role.GUARANTOR, *MANAGERS)
    changes = body.model_dump(exclude_unset=True)
    if "owner_org_id" in changes and principal.role not in MANAGERS:
        raise Forbidden("only the office may move a company to another organisation")
    c = await companies.update_company(
        session,
        outbox,
        policy,
        company_id,
        changes,
        Actor.of(principal),
        lambda company: can_manage(principal, company),
    )
    return await company_read(session, c, policy)


@router.get("/{company_id}/history", summary="The audit trail of a guarantee company")
async def history(company_id: UUID, session: SessionDep, principal: PrincipalDep) -> list[VersionRead]:
    """Every version, newest first: what changed, who and when."""
    c = await _get(session, company_id)
    if principal.role not in MANAGERS:
        can_manage(principal, c)
    return [VersionRead.model_validate(v) for v in await repo.list_versions(session, company_id)]
