"""Policy monitoring and fair reports, as JSON and CSV for the office's dashboard."""

import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.domain import reports as domain
from smefin.db import utcnow

router = APIRouter(prefix="/api/v1/fairs", tags=["monitoring"])
_REPORT = TypeAdapter(domain.FairReport)
Year = Query(default=None, ge=2000, le=2100, description="calendar year (default: this year)")


@router.get("/monitoring", summary="Fairs held per league against the target of two a year")
async def monitoring(session: SessionDep, who: PrincipalDep, year: int | None = Year) -> list[dict[str, Any]]:
    """Every league, its fairs held and announced this year, and whether it met the target."""
    rows = await domain.monitoring(session=session, principal=who, year=year or utcnow().year)
    return [asdict(r) for r in rows]


@router.get("/monitoring.csv", summary="The monitoring table as CSV", response_class=Response)
async def monitoring_csv(session: SessionDep, who: PrincipalDep, year: int | None = Year) -> Response:
    """For the office's dashboard."""
    rows = await domain.monitoring(session=session, principal=who, year=year or utcnow().year)
    return Response(domain.monitoring_csv(rows), media_type="text/csv")


@router.get("/{fair_id}/report", summary="A fair's report")
async def report(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Any:
    """Meetings held, feedback, intentions and their amounts, loans that followed within 90 days."""
    # Through pydantic so amounts stay exact decimal strings (jsonable_encoder would make them floats).
    return _REPORT.dump_python(
        await domain.fair_report(session=session, principal=who, fair_id=fair_id), mode="json"
    )


@router.get(
    "/{fair_id}/report.csv", summary="A fair's report as CSV, one line per meeting", response_class=Response
)
async def report_csv(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Response:
    """For the office's dashboard."""
    r = await domain.fair_report(session=session, principal=who, fair_id=fair_id)
    return Response(domain.fair_report_csv(r), media_type="text/csv")
