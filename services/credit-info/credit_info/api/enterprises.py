"""Enterprises: the SME basic database (中小企业基础数据库)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from credit_info.api.deps import (
    OutboxDep,
    PrincipalDep,
    PurposeQuery,
    SessionDep,
    UsccPath,
    authorize_read,
)
from credit_info.api.schemas import (
    EnterpriseCreate,
    EnterprisePage,
    EnterpriseRead,
    EnterpriseUpdate,
    LookupPage,
    LookupRead,
)
from credit_info.db import access
from credit_info.db import repositories as repo
from credit_info.db.tables import Enterprise
from credit_info.domain import enterprises
from smefin.auth import Role, league_scope
from smefin.errors import NotFound
from smefin.reference import IndustryCodeStr, SizeClass
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprises"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EnterpriseRead)
async def register_enterprise(
    body: EnterpriseCreate, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> Enterprise:
    """Register an enterprise by USCC: an SME for itself, or the office / a service."""
    return await enterprises.register(session=session, outbox=outbox, principal=principal, data=body)


@router.patch("/{uscc}", response_model=EnterpriseRead)
async def update_enterprise(
    uscc: UsccPath, body: EnterpriseUpdate, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> Enterprise:
    """Update an enterprise's profile; the size class and rating follow the new figures."""
    access.require_own_file(principal, uscc)
    return await enterprises.update(
        session=session, outbox=outbox, uscc=uscc, changes=body.model_dump(exclude_unset=True)
    )


@router.get("", response_model=EnterprisePage)
async def search_enterprises(
    session: SessionDep,
    principal: PrincipalDep,
    league_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    industry: IndustryCodeStr | None = None,
    size_class: SizeClass | None = None,
    growth_programme: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EnterprisePage:
    """Search the database by league, county, industry and size class (office and services)."""
    principal.require(Role.OFFICE, Role.LEAGUE_OFFICE, Role.SERVICE)
    filters = {
        # A league office searches its own league only (盟市窗口平台).
        "league_code": league_scope(principal, league_code),
        "county_code": county_code,
        "industry": industry,
        "size_class": size_class.value if size_class else None,
        "growth_programme": growth_programme,
    }
    rows, total = await repo.search_enterprises(session, filters, limit, offset)
    return EnterprisePage(
        items=[EnterpriseRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{uscc}", response_model=EnterpriseRead)
async def get_enterprise(
    uscc: UsccPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    purpose: PurposeQuery = None,
) -> Enterprise:
    """One enterprise: itself, the office, or a bank with a live consent (logged)."""
    await authorize_read(request, session, principal, uscc, "enterprise", purpose)
    ent = await repo.get_enterprise(session, uscc)
    if ent is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    return ent


@router.get("/{uscc}/lookups", response_model=LookupPage)
async def list_lookups(
    uscc: UsccPath,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> LookupPage:
    """Who looked at the enterprise's file, when, why and under which consent (查询记录)."""
    access.require_own_file(principal, uscc)
    rows, total = await repo.lookups_of(session, uscc, limit, offset)
    return LookupPage(
        items=[LookupRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
