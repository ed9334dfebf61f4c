"""Credit records by source (信用记录)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status

from credit_info.api.deps import OutboxDep, PrincipalDep, PurposeQuery, SessionDep, UsccQuery, authorize_read
from credit_info.api.schemas import CreditRecordCreate, CreditRecordPage, CreditRecordRead
from credit_info.db import repositories as repo
from credit_info.db.tables import CreditRecord
from credit_info.domain import credit_records
from credit_info.domain.records import CreditSource
from smefin.errors import NotFound

router = APIRouter(prefix="/api/v1/credit-records", tags=["credit-records"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CreditRecordRead)
async def add_record(
    body: CreditRecordCreate, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> CreditRecord:
    """Add one record (data providers: service role; or the office); the rating is recomputed."""
    return await credit_records.add_record(
        session=session, outbox=outbox, principal=principal, raw=body.model_dump(mode="json")
    )


@router.get("", response_model=CreditRecordPage)
async def list_records(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    uscc: UsccQuery,
    source: CreditSource | None = None,
    purpose: PurposeQuery = None,
) -> CreditRecordPage:
    """An enterprise's live records (negative ones older than five years left out)."""
    await authorize_read(request, session, principal, uscc, "credit-records", purpose)
    if await repo.get_enterprise(session, uscc) is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    rows = await repo.records_of(session, uscc, today=date.today(), source=source.value if source else None)
    return CreditRecordPage(items=[CreditRecordRead.model_validate(r) for r in rows], total=len(rows))
