"""SQL over invitations."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db.tables import Invitation
from smefin.db import utcnow


async def upsert(
    session: AsyncSession,
    *,
    fair_id: uuid.UUID,
    participant_id: str,
    role: str,
    reasons: list[str],
    best_score: Decimal | None,
    matches: int,
) -> None:
    """Invite a participant, or refresh the reasons of an earlier invitation."""
    table: Table = Invitation.__table__  # type: ignore[attr-defined]
    values = {
        "id": uuid.uuid4(),
        "fair_id": fair_id,
        "participant_id": participant_id,
        "role": role,
        "reasons": reasons,
        "best_score": best_score,
        "matches": matches,
        "created_at": utcnow(),
    }
    stmt = insert(table).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["fair_id", "participant_id"],
            set_={"reasons": reasons, "best_score": best_score, "matches": matches},
        )
    )


async def of_fair(session: AsyncSession, fair_id: uuid.UUID) -> list[Invitation]:
    """A fair's invitations, banks first."""
    q = select(Invitation).where(Invitation.fair_id == fair_id)
    return list(await session.exec(q.order_by(col(Invitation.role), col(Invitation.participant_id))))
