"""The growth programme (成长型) and the innovation monitoring list (创新型): enrolment and progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep
from credit_info.api.monitoring_schemas import (
    CSV_RESPONSE,
    EnrolledPage,
    EnrolmentCreate,
    EnrolmentRead,
    FormatQuery,
    LeagueQuery,
    ProgrammeProgress,
    csv_response,
)
from credit_info.db.tables import ProgrammeEnrolment
from credit_info.domain import programmes
from credit_info.domain.programmes import GroupBy, Programme

router = APIRouter(prefix="/api/v1/programmes", tags=["programmes"])

YearQuery = Annotated[
    int | None, Query(ge=2000, le=2100, description="the year to compare; last year by default")
]


@router.post("/{programme}/enrolments", status_code=status.HTTP_201_CREATED, response_model=EnrolmentRead)
async def enrol(
    programme: Programme,
    body: EnrolmentCreate,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> ProgrammeEnrolment:
    """Enrol an SME with its baseline year (the office; a league office in its league)."""
    return await programmes.enrol(
        session=session,
        outbox=outbox,
        principal=principal,
        programme=programme,
        uscc=body.uscc,
        baseline_year=body.baseline_year,
    )


@router.get("/{programme}/enrolments", response_model=EnrolledPage, responses=CSV_RESPONSE)
async def enrolled(
    programme: Programme,
    session: SessionDep,
    principal: PrincipalDep,
    year: YearQuery = None,
    league_code: LeagueQuery = None,
    format: FormatQuery = "json",
) -> Any:
    """Every enrolled SME with its baseline and current figures and multiples."""
    body = await programmes.enrolled(
        session=session, principal=principal, programme=programme, year=year, league_code=league_code
    )
    if format == "csv":
        return csv_response(body["items"], f"{programme.value}-{body['year']}.csv")
    return body


@router.get("/{programme}/progress", response_model=ProgrammeProgress, responses=CSV_RESPONSE)
async def progress(
    programme: Programme,
    session: SessionDep,
    principal: PrincipalDep,
    year: YearQuery = None,
    by: GroupBy = GroupBy.LEAGUE,
    league_code: LeagueQuery = None,
    format: FormatQuery = "json",
) -> Any:
    """Toward doubling assets and revenue and 120,000 jobs, per league or cluster."""
    body = await programmes.progress(
        session=session, principal=principal, programme=programme, year=year, by=by, league_code=league_code
    )
    if format == "csv":
        return csv_response(body["groups"], f"{programme.value}-progress-{body['year']}.csv")
    return body
