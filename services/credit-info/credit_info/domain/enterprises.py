"""Enterprises (中小企业基础数据库): location from the USCC, the declared county, the size class;
registering and updating them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import Enterprise
from credit_info.domain.ratings import recompute_rating
from smefin.auth import Principal, Role
from smefin.contracts.enterprises import EnterpriseProfile, EnterpriseRegistered, EnterpriseUpdated
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import (
    InvalidUscc,
    MissingIndicator,
    SizeClassification,
    UnknownDivision,
    classify,
    county,
    parse_uscc,
)

if TYPE_CHECKING:  # the request schema, read only for its fields
    from credit_info.api.schemas import EnterpriseCreate


def profile(ent: Enterprise) -> dict[str, Any]:
    """The enterprise as the event contracts carry it."""
    return EnterpriseProfile(
        uscc=ent.uscc,
        name=ent.name,
        league_code=ent.league_code,
        county_code=ent.county_code,
        industry=ent.industry,
        employees=ent.employees,
        revenue=ent.revenue,
        assets=ent.assets,
        size_class=ent.size_class,
        growth_programme=ent.growth_programme,
        cluster=ent.cluster,
    ).model_dump()


@dataclass(frozen=True)
class Location:
    """League and county of an enterprise."""

    league_code: str
    county_code: str


def _problem(field: str, message: str) -> Unprocessable:
    return Unprocessable(f"{field}: {message}", details=[{"field": field, "message": message}])


def locate(uscc: str, declared_county: str) -> Location:
    """League and county from the USCC's division digits, checked against the declared county."""
    try:
        parsed = parse_uscc(uscc)
    except InvalidUscc as exc:
        raise _problem("uscc", str(exc)) from None
    try:
        declared = county(declared_county)
    except UnknownDivision as exc:
        raise _problem("county_code", f"unknown county-level division in Inner Mongolia: {exc}") from None
    if declared.league_code != parsed.league_code:
        raise _problem(
            "county_code",
            f"county {declared.code} ({declared.name}) is in league {declared.league_code}, "
            f"but the USCC was issued in league {parsed.league_code}",
        )
    if parsed.county_code is not None and parsed.county_code != declared.code:
        raise _problem(
            "county_code",
            f"the USCC was issued in county {parsed.county_code}, not the declared {declared.code} ({declared.name})",
        )
    return Location(parsed.league_code, declared.code)


def size_class(
    industry: str, employees: int | None, revenue: Decimal | None, assets: Decimal | None
) -> SizeClassification:
    """The 2011 size class (中小企业划型), as a 422 when the figures cannot be classified."""
    try:
        return classify(industry, employees, revenue, assets)
    except (MissingIndicator, ValueError) as exc:
        raise _problem("industry", str(exc)) from None


async def register(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: EnterpriseCreate
) -> Enterprise:
    """Register an enterprise by USCC (an SME for itself, or the office / a service): sized, rated,
    announced (enterprise.registered)."""
    if principal.role == Role.SME:
        if principal.uscc != data.uscc:
            raise Forbidden("an SME may only register its own USCC")
    else:
        principal.require(Role.SERVICE, Role.OFFICE)
    where = locate(data.uscc, data.county_code)
    sized = size_class(data.industry, data.employees, data.revenue, data.assets)
    if await repo.get_enterprise(session, data.uscc) is not None:
        raise Conflict(f"enterprise {data.uscc} is already registered; update it with PATCH")
    ent = Enterprise(
        uscc=data.uscc,
        name=data.name,
        league_code=where.league_code,
        county_code=where.county_code,
        industry=data.industry,
        employees=data.employees,
        revenue=data.revenue,
        assets=data.assets,
        size_class=sized.size_class.value,
        size_standard_row=sized.standard_row,
        size_reasons=sized.reasons,
        growth_programme=data.growth_programme,
        cluster=data.cluster,
    )
    session.add(ent)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"enterprise {data.uscc} is already registered; update it with PATCH") from None
    await outbox.add(session, EnterpriseRegistered(**profile(ent)), subject=ent.uscc)
    await recompute_rating(session, outbox, ent.uscc)
    return ent


async def update(*, session: AsyncSession, outbox: Outbox, uscc: str, changes: dict[str, Any]) -> Enterprise:
    """Change a profile; the size class and the rating follow the new figures (enterprise.updated)."""
    ent = await repo.get_enterprise(session, uscc, lock=True)
    if ent is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    for key in ("name", "industry", "employees", "revenue", "assets", "growth_programme"):
        if key in changes and changes[key] is None:
            changes.pop(key)  # these cannot be cleared
    if changes.get("county_code") is not None:
        ent.county_code = locate(uscc, changes["county_code"]).county_code
    changes.pop("county_code", None)
    for key, value in changes.items():
        setattr(ent, key, value)
    sized = size_class(ent.industry, ent.employees, ent.revenue, ent.assets)
    ent.size_class, ent.size_standard_row, ent.size_reasons = (
        sized.size_class.value,
        sized.standard_row,
        sized.reasons,
    )
    ent.updated_at = utcnow()
    session.add(ent)
    await session.flush()
    await outbox.add(session, EnterpriseUpdated(**profile(ent)), subject=ent.uscc)
    await recompute_rating(session, outbox, ent.uscc)
    return ent
