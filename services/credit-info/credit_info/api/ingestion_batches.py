"""Bulk ingestion of credit records from data providers, idempotent on the batch id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep
from credit_info.api.schemas import IngestionReport
from credit_info.domain import ingestion_batches
from credit_info.settings import Settings
from smefin.openapi import text_body

router = APIRouter(prefix="/api/v1/ingestion-batches", tags=["ingestion-batches"])

BatchId = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestionReport,
    responses={
        200: {"model": IngestionReport, "description": "The batch id was seen before: its first report"}
    },
    openapi_extra=text_body(
        {
            "text/csv": "uscc,source,occurred_on,ref,year,grade,taxes_paid\n",
            "application/x-ndjson": '{"uscc": "...", "source": "tax", "occurred_on": "2026-04-30"}\n',
        },
        "the batch file: CSV with a header row, or one JSON object per line",
    ),
)
async def ingest_batch(
    batch_id: BatchId,
    request: Request,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> IngestionReport:
    """Ingest a CSV or JSON-lines file row by row; a re-submitted batch id answers the first report."""
    settings: Settings = request.app.state.settings
    report, replayed = await ingestion_batches.ingest_batch(
        session=session,
        outbox=outbox,
        principal=principal,
        batch_id=batch_id,
        content_type=request.headers.get("content-type"),
        body=await request.body(),
        max_rows=settings.max_ingestion_rows,
    )
    if replayed:
        response.status_code = status.HTTP_200_OK
    return IngestionReport.model_validate(report)


@router.get("/{batch_id}", response_model=IngestionReport)
async def get_batch(batch_id: str, session: SessionDep, principal: PrincipalDep) -> IngestionReport:
    """The report of an earlier batch (its provider or the office)."""
    return IngestionReport.model_validate(
        await ingestion_batches.batch_report(session=session, principal=principal, batch_id=batch_id)
    )
