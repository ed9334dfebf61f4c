"""Disputes (异议): an enterprise flags a record; the flag shows on reports until resolved."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import Dispute
from credit_info.domain.ratings import recompute_rating
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound
from smefin.outbox import Outbox


async def open_dispute(
    *, session: AsyncSession, principal: Principal, record_id: uuid.UUID, reason: str
) -> Dispute:
    """The enterprise disputes one of its own records; one open dispute per record."""
    principal.require(Role.SME)
    record = await repo.get_record(session, record_id)
    if record is None or record.uscc != principal.uscc:
        raise NotFound(f"no record {record_id} in your file")
    if await repo.open_dispute_for(session, record.id) is not None:
        raise Conflict("this record already has an open dispute")
    dispute = Dispute(record_id=record.id, uscc=record.uscc, reason=reason, opened_by=principal.subject)
    session.add(dispute)
    await session.flush()
    return dispute


async def resolve_dispute(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    dispute_id: uuid.UUID,
    outcome: Literal["upheld", "rejected"],
    resolution: str,
) -> Dispute:
    """Close a dispute (office or the providing service); upheld withdraws the record and re-rates."""
    principal.require(Role.OFFICE, Role.SERVICE)
    dispute = await repo.get_dispute(session, dispute_id, lock=True)
    if dispute is None:
        raise NotFound(f"no dispute {dispute_id}")
    if dispute.status != "open":
        raise Conflict(f"dispute {dispute_id} is already resolved")
    dispute.status, dispute.outcome, dispute.resolution = "resolved", outcome, resolution
    dispute.resolved_at = utcnow()
    session.add(dispute)
    if outcome == "upheld":
        record = await repo.get_record(session, dispute.record_id)
        if record is not None:
            record.withdrawn = True
            session.add(record)
    await session.flush()
    if outcome == "upheld":
        await recompute_rating(session, outbox, dispute.uscc)
    return dispute
