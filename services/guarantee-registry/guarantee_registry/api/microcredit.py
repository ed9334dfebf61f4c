"""Microcredit companies (小额贷款公司): the registry, and coverage per county and zone beside guarantee coverage."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from guarantee_registry.api.coverage import YearQuery
from guarantee_registry.api.deps import PolicyDep, PrincipalDep, SessionDep
from guarantee_registry.api.schemas import DivisionCode, Name, Strict, ZoneCode
from guarantee_registry.db.tables import MicrocreditCompany
from guarantee_registry.domain import microcredit
from smefin.reference import UsccStr
from smefin.schemas import PositiveMoney

router = APIRouter(prefix="/api/v1/microcredit-companies", tags=["microcredit-companies"])
LeagueQuery = Annotated[str | None, Query(pattern=r"^\d{6}$")]


class MicrocreditCreate(Strict):
    """Register a licensed microcredit company in its county (and zone, if it sits in one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "uscc": "91150102MA00000017",
                    "name": "新城区惠农小额贷款有限公司",
                    "county_code": "150102",
                    "licence_number": "蒙小贷001",
                    "registered_capital": "50000000.00",
                }
            ]
        }
    )

    uscc: UsccStr
    name: Name
    county_code: DivisionCode
    zone_code: ZoneCode | None = None
    licence_number: Annotated[str, Field(min_length=1, max_length=64)]
    registered_capital: PositiveMoney


class MicrocreditRead(BaseModel):
    """A microcredit company in the registry."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    uscc: str
    name: str
    league_code: str
    county_code: str
    zone_code: str | None
    licence_number: str
    registered_capital: Decimal
    status: str
    created_at: datetime


class PlaceCoverage(BaseModel):
    """A county or zone: microcredit companies beside guarantee companies and the guarantee obligation."""

    scope: str
    code: str
    name: str
    league_code: str
    microcredit_companies: int
    microcredit_company_names: list[str]
    microcredit_covered: bool
    guarantee_companies: int
    guarantee_company_names: list[str]
    guarantee_obligated: bool | None
    guarantee_compliant: bool | None


class LeagueMicrocredit(BaseModel):
    """A league's counties and zones with a microcredit company."""

    league_code: str
    counties: int
    counties_covered: int
    counties_covered_percent: Decimal | None
    zones: int
    zones_covered: int


class MicrocreditCoverage(BaseModel):
    """Microcredit coverage (各旗县、开发区都要建立小额贷款公司) beside guarantee coverage."""

    league_code: str | None
    counties: int
    counties_covered: int
    counties_covered_percent: Decimal | None
    zones: int
    zones_covered: int
    zones_covered_percent: Decimal | None
    leagues: list[LeagueMicrocredit]
    items: list[PlaceCoverage]


@router.post("", status_code=201, response_model=MicrocreditRead)
async def register(
    body: MicrocreditCreate, session: SessionDep, principal: PrincipalDep
) -> MicrocreditCompany:
    """The office (a league office in its league) records a microcredit company."""
    return await microcredit.register(session=session, principal=principal, data=body)


@router.get("", response_model=list[MicrocreditRead])
async def list_companies(
    session: SessionDep,
    principal: PrincipalDep,
    league_code: LeagueQuery = None,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> list[MicrocreditCompany]:
    """The registry, one league's or county's."""
    return await microcredit.listed(
        session=session, principal=principal, league_code=league_code, county_code=county_code
    )


@router.get(
    "/coverage",
    response_model=MicrocreditCoverage,
    responses={200: {"content": {"text/csv": {}}}},
    summary="Microcredit coverage per county and zone, beside guarantee coverage",
)
async def coverage(
    session: SessionDep,
    policy: PolicyDep,
    principal: PrincipalDep,
    league_code: LeagueQuery = None,
    year: YearQuery = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Which counties and development zones have a microcredit company, and their guarantee coverage."""
    body = await microcredit.coverage(
        session=session, principal=principal, policy=policy, league_code=league_code, year=year
    )
    if format != "csv":
        return body
    buf = io.StringIO()
    cols = list(PlaceCoverage.model_fields)
    w = csv.writer(buf)
    w.writerow(cols)
    for r in body["items"]:
        w.writerow(
            ["; ".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else r[c]) for c in cols]
        )
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="microcredit-coverage.csv"'},
    )
