"""Disputes (异议): an enterprise flags a record; the flag shows on reports until resolved."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep, UsccQuery
from credit_info.api.schemas import DisputeCreate, DisputeRead, DisputeResolve
from credit_info.db import access
from credit_info.db import repositories as repo
from credit_info.db.tables import Dispute
from credit_info.domain import disputes

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DisputeRead)
async def open_dispute(body: DisputeCreate, session: SessionDep, principal: PrincipalDep) -> Dispute:
    """The enterprise disputes one of its records."""
    return await disputes.open_dispute(
        session=session, principal=principal, record_id=body.record_id, reason=body.reason
    )


@router.get("", response_model=list[DisputeRead])
async def list_disputes(
    session: SessionDep,
    principal: PrincipalDep,
    uscc: UsccQuery,
    open_only: bool = False,
) -> list[Dispute]:
    """An enterprise's disputes (itself or the office)."""
    access.require_own_file(principal, uscc)
    return list(await repo.disputes_of(session, uscc, open_only=open_only))


@router.post("/{dispute_id}/resolve", response_model=DisputeRead)
async def resolve_dispute(
    dispute_id: uuid.UUID,
    body: DisputeResolve,
    session: SessionDep,
    outbox: OutboxDep,
    principal: PrincipalDep,
) -> Dispute:
    """Close a dispute (office or the providing service); upheld withdraws the record and re-rates."""
    return await disputes.resolve_dispute(
        session=session,
        outbox=outbox,
        principal=principal,
        dispute_id=dispute_id,
        outcome=body.outcome,
        resolution=body.resolution,
    )
