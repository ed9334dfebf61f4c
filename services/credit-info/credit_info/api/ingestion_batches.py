"""Bulk ingestion of credit records from data providers, idempotent on the batch id."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep
from credit_info.api.schemas import AcceptedRow, IngestionReport, RejectedRow
from credit_info.db import repositories as repo
from credit_info.domain.ingestion import FORMATS, BadFile, parse_rows
from credit_info.domain.records import FieldProblem
from credit_info.domain.services import CheckedRecord, check_record, recompute_rating
from credit_info.settings import Settings
from smefin.auth import Role
from smefin.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from smefin.openapi import text_body
from smefin.reference import normalize_uscc

router = APIRouter(prefix="/api/v1/ingestion-batches", tags=["ingestion-batches"])


class TooLarge(DomainError):
    """More rows than one batch may hold."""

    status_code = 413
    code = "too_large"


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
    principal.require(Role.SERVICE, Role.OFFICE)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = FORMATS.get(ctype)
    if fmt is None:
        raise Unprocessable(
            f"send the batch as one of: {', '.join(FORMATS)}; got {ctype or 'no content type'}"
        )
    body = await request.body()
    sha = hashlib.sha256(body).hexdigest()
    if not await repo.claim_batch(session, batch_id, principal.org_id[:100], fmt, sha):
        existing = await repo.get_batch(session, batch_id)
        assert existing is not None
        if existing.provider != principal.org_id[:100]:
            raise Forbidden(f"batch {batch_id} belongs to another provider")
        if existing.content_sha256 != sha:
            raise Conflict(
                f"batch {batch_id} was already submitted with different content; use a new batch id"
            )
        response.status_code = status.HTTP_200_OK
        return IngestionReport.model_validate(existing.report | {"replayed": True})
    try:
        rows = parse_rows(body, fmt)
    except BadFile as exc:
        raise Unprocessable(str(exc)) from None
    settings: Settings = request.app.state.settings
    if len(rows) > settings.max_ingestion_rows:
        raise TooLarge(f"batch has {len(rows)} rows; the limit is {settings.max_ingestion_rows} per batch")
    if not rows:
        raise Unprocessable("the batch has no rows")
    usccs = {normalize_uscc(str(r.get("uscc", ""))) for r in rows if isinstance(r, dict)}
    known = await repo.enterprises_known(session, sorted(usccs))
    accepted: list[AcceptedRow] = []
    rejected: list[RejectedRow] = []
    checked: list[tuple[int, CheckedRecord]] = []
    for number, raw in enumerate(rows, start=1):
        result = (
            raw
            if isinstance(raw, FieldProblem)
            else check_record(raw, known, provider=principal.org_id[:100], batch_id=batch_id)
        )
        if isinstance(result, CheckedRecord):
            checked.append((number, result))
        else:
            rejected.append(
                RejectedRow(row=number, errors=[result] if isinstance(result, FieldProblem) else result)
            )
    stored = await repo.existing_dedupe_keys(session, [c.values["dedupe_key"] for _, c in checked])
    seen: dict[str, int] = {}
    touched: set[str] = set()
    for number, rec in checked:
        key = rec.values["dedupe_key"]
        if key in stored or key in seen:
            where = "already stored" if key in stored else f"same as row {seen[key]} of this batch"
            rejected.append(
                RejectedRow(
                    row=number, errors=[FieldProblem(field="row", message=f"duplicate record: {where}")]
                )
            )
            continue
        record_id = await repo.insert_record_if_new(session, rec.values)
        if record_id is None:
            rejected.append(
                RejectedRow(row=number, errors=[FieldProblem(field="row", message="duplicate record")])
            )
            continue
        seen[key] = number
        touched.add(rec.values["uscc"])
        accepted.append(AcceptedRow(row=number, record_id=record_id))
    for uscc in sorted(touched):
        await recompute_rating(session, outbox, uscc)
    rejected.sort(key=lambda r: r.row)
    report = IngestionReport(
        batch_id=batch_id,
        format=fmt,
        rows=len(rows),
        accepted=len(accepted),
        rejected=len(rejected),
        accepted_rows=accepted,
        rejected_rows=rejected,
    )
    batch = await repo.get_batch(session, batch_id)
    assert batch is not None
    batch.accepted, batch.rejected, batch.report = (
        report.accepted,
        report.rejected,
        report.model_dump(mode="json"),
    )
    session.add(batch)
    return report


@router.get("/{batch_id}", response_model=IngestionReport)
async def get_batch(batch_id: str, session: SessionDep, principal: PrincipalDep) -> IngestionReport:
    """The report of an earlier batch (its provider or the office)."""
    principal.require(Role.SERVICE, Role.OFFICE)
    batch = await repo.get_batch(session, batch_id)
    if batch is None or (principal.role == Role.SERVICE and batch.provider != principal.org_id[:100]):
        raise NotFound(f"no batch {batch_id}")
    return IngestionReport.model_validate(batch.report)
