"""Operating reports of the SME ledger (中小企业台账): monthly above designated size, quarterly below."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep, UsccPath
from credit_info.api.monitoring_schemas import (
    LeagueQuery,
    OperatingImportReport,
    OperatingReportCorrection,
    OperatingReportCreate,
    OperatingReportPage,
    OperatingReportRead,
)
from credit_info.db.tables import OperatingReport
from credit_info.domain import operating_reports
from credit_info.domain.periods import PERIOD_PATTERN, REPORT_PERIOD_PATTERN
from credit_info.settings import Settings
from smefin.openapi import text_body
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/operating-reports", tags=["operating-reports"])

ReportPeriod = Annotated[str, Path(pattern=REPORT_PERIOD_PATTERN, examples=["2026-Q1"])]
BatchId = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
CountyQuery = Annotated[str, Query(pattern=r"^\d{6}$", examples=["150102"])]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OperatingReportRead)
async def submit_report(
    body: OperatingReportCreate, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> OperatingReport:
    """File a period's report: the SME itself, or the office, its league office or a county system."""
    return await operating_reports.submit(session=session, outbox=outbox, principal=principal, data=body)


@router.put("/{uscc}/{period}", response_model=OperatingReportRead)
async def correct_report(
    uscc: UsccPath,
    period: ReportPeriod,
    body: OperatingReportCorrection,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> OperatingReport:
    """Correct a reported period: a new version; the earlier ones stay in the history."""
    return await operating_reports.correct(
        session=session, outbox=outbox, principal=principal, uscc=uscc, period=period, data=body
    )


@router.get("", response_model=OperatingReportPage)
async def list_reports(
    session: SessionDep,
    principal: PrincipalDep,
    uscc: Annotated[str | None, Query(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")] = None,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    league_code: LeagueQuery = None,
    period: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description="a month, quarter, half or year")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OperatingReportPage:
    """Current versions: an SME sees its own; the office (a league office: its league) any."""
    rows, total = await operating_reports.reports(
        session=session,
        principal=principal,
        uscc=uscc,
        county_code=county_code,
        league_code=league_code,
        period=period,
        limit=limit,
        offset=offset,
    )
    items = [OperatingReportRead.model_validate(r) for r in rows]
    return OperatingReportPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{uscc}/{period}/versions", response_model=list[OperatingReportRead])
async def report_versions(
    uscc: UsccPath, period: ReportPeriod, session: SessionDep, principal: PrincipalDep
) -> list[OperatingReport]:
    """Every version of a period's report, oldest first."""
    return list(
        await operating_reports.versions(session=session, principal=principal, uscc=uscc, period=period)
    )


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=OperatingImportReport,
    responses={
        200: {"model": OperatingImportReport, "description": "The batch id was seen before: its first report"}
    },
    openapi_extra=text_body(
        {
            "text/csv": "uscc,period,output_value,sales_revenue,profit,taxes_paid,employees,exports,energy_use,"
            "reported_on,correction_reason\n",
            "application/x-ndjson": '{"uscc": "...", "period": "2026-Q1", "output_value": "2300.00", ...}\n',
        },
        "a county's reports: CSV with a header row, or one JSON object per line",
    ),
)
async def import_reports(
    county_code: CountyQuery,
    batch_id: BatchId,
    request: Request,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> OperatingImportReport:
    """A county's bulk file, row by row: good rows stored, each bad row reported with its line."""
    settings: Settings = request.app.state.settings
    report, replayed = await operating_reports.import_file(
        session=session,
        outbox=outbox,
        principal=principal,
        county_code=county_code,
        batch_id=batch_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
        max_rows=settings.max_ingestion_rows,
    )
    if replayed:
        response.status_code = status.HTTP_200_OK
    return OperatingImportReport.model_validate(report)
