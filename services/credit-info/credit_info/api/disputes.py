"""Disputes (异议): an enterprise flags a record; the flag shows on reports until resolved."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep, UsccQuery, require_own_or_office
from credit_info.api.schemas import DisputeCreate, DisputeRead, DisputeResolve
from credit_info.db import repositories as repo
from credit_info.db.tables import Dispute
from credit_info.domain.services import recompute_rating
from smefin.auth import Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DisputeRead)
async def open_dispute(body: DisputeCreate, session: SessionDep, principal: PrincipalDep) -> Dispute:
    """The enterprise disputes one of its records."""
    principal.require(Role.SME)
    record = await repo.get_record(session, body.record_id)
    if record is None or record.uscc != principal.uscc:
        raise NotFound(f"no record {body.record_id} in your file")
    if await repo.open_dispute_for(session, record.id) is not None:
        raise Conflict("this record already has an open dispute")
    dispute = Dispute(record_id=record.id, uscc=record.uscc, reason=body.reason, opened_by=principal.subject)
    session.add(dispute)
    await session.flush()
    return dispute


@router.get("", response_model=list[DisputeRead])
async def list_disputes(
    session: SessionDep,
    principal: PrincipalDep,
    uscc: UsccQuery,
    open_only: bool = False,
) -> list[Dispute]:
    """An enterprise's disputes (itself or the office)."""
    require_own_or_office(principal, uscc)
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
    principal.require(Role.OFFICE, Role.SERVICE)
    dispute = await repo.get_dispute(session, dispute_id, lock=True)
    if dispute is None:
        raise NotFound(f"no dispute {dispute_id}")
    if dispute.status != "open":
        raise Conflict(f"dispute {dispute_id} is already resolved")
    dispute.status, dispute.outcome, dispute.resolution = "resolved", body.outcome, body.resolution
    dispute.resolved_at = utcnow()
    session.add(dispute)
    if body.outcome == "upheld":
        record = await repo.get_record(session, dispute.record_id)
        if record is not None:
            record.withdrawn = True
            session.add(record)
    await session.flush()
    if body.outcome == "upheld":
        await recompute_rating(session, outbox, dispute.uscc)
    return dispute
