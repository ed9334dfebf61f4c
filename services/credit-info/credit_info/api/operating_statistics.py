"""The office's roll-ups of the operating reports (逐级上报汇总, 分类统计) and reporting timeliness."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from credit_info.api.deps import PrincipalDep, SessionDep
from credit_info.api.monitoring_schemas import (
    CSV_RESPONSE,
    FormatQuery,
    LeagueQuery,
    OverdueRead,
    RollupRead,
    TimelinessRead,
    csv_response,
)
from credit_info.domain import operating_statistics as stats
from credit_info.domain.operating_statistics import Dimension, Level
from credit_info.domain.periods import PERIOD_PATTERN

router = APIRouter(prefix="/api/v1/operating-statistics", tags=["operating-statistics"])

PeriodQuery = Annotated[
    str, Query(pattern=PERIOD_PATTERN, description="2026-03, 2026-Q1, 2026-H1 or 2026", examples=["2026-Q1"])
]
AsOfQuery = Annotated[date | None, Query(description="the day to judge by; today when omitted")]


@router.get("", response_model=RollupRead, responses=CSV_RESPONSE)
async def rollup(
    period: PeriodQuery,
    session: SessionDep,
    principal: PrincipalDep,
    level: Level = Level.LEAGUE,
    by: Dimension = Dimension.NONE,
    league_code: LeagueQuery = None,
    format: FormatQuery = "json",
) -> Any:
    """Figures per county, league or the region, optionally by size class, industry section or cluster,
    with the same period last year and the growth rate."""
    body = await stats.rollup(
        session=session, principal=principal, period=period, level=level, by=by, league_code=league_code
    )
    if format == "csv":
        return csv_response(body["items"], f"operating-{level.value}-{period}.csv")
    return body


@router.get("/timeliness", response_model=TimelinessRead, responses=CSV_RESPONSE)
async def timeliness(
    period: PeriodQuery,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    league_code: LeagueQuery = None,
    late_only: Annotated[bool, Query(description="only counties with late or missing reports")] = False,
    format: FormatQuery = "json",
) -> Any:
    """Per county: reports due in the period by `as_of`, on time, late and missing."""
    body = await stats.county_timeliness(
        session=session,
        principal=principal,
        period=period,
        as_of=as_of or date.today(),
        league_code=league_code,
        late_only=late_only,
    )
    if format == "csv":
        return csv_response(body["items"], f"timeliness-{period}.csv")
    return body


@router.get("/overdue", response_model=OverdueRead, responses=CSV_RESPONSE)
async def overdue(
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    period: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description="default: the latest due")
    ] = None,
    league_code: LeagueQuery = None,
    format: FormatQuery = "json",
) -> Any:
    """SMEs overdue per county (the latest due month above scale and quarter below, or `period`)."""
    body = await stats.overdue(
        session=session,
        principal=principal,
        as_of=as_of or date.today(),
        period=period,
        league_code=league_code,
    )
    if format == "csv":
        rows = [
            {
                "county_code": c["county_code"],
                "county_name": c["county_name"],
                "league_code": c["league_code"],
            }
            | sme
            for c in body["items"]
            for sme in c["overdue_smes"]
        ]
        return csv_response(
            rows,
            "overdue.csv",
            columns=[
                "county_code",
                "county_name",
                "league_code",
                "uscc",
                "name",
                "frequency",
                "missing_periods",
            ],
        )
    return body
