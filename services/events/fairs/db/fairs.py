"""SQL over fairs, with visibility decided in one place: `readable`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from fairs.db.tables import Fair
from fairs.domain.statuses import FairStatus
from smefin.auth import Principal, Role

PUBLIC = (FairStatus.PUBLISHED, FairStatus.HELD)


def readable(principal: Principal) -> SelectOfScalar[Fair]:
    """Fairs this principal may see: the office every fair, an organizer its own and announced ones,
    everyone else announced ones."""
    q = select(Fair)
    if principal.role in (Role.OFFICE, Role.SERVICE):
        return q
    public = col(Fair.status).in_(PUBLIC)
    if principal.role == Role.ORGANIZER:
        return q.where(or_(public, col(Fair.organizer_org_id) == principal.org_id))
    return q.where(public)


async def get_readable(
    session: AsyncSession, principal: Principal, fair_id: uuid.UUID, *, lock: bool = False
) -> Fair | None:
    """One fair if the principal may see it (locked for this transaction when `lock`)."""
    q = readable(principal).where(Fair.id == fair_id)
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    league_code: str | None,
    limit: int,
    offset: int,
) -> list[Fair]:
    """A page of visible fairs, soonest first."""
    q = readable(principal)
    if status is not None:
        q = q.where(Fair.status == status)
    if league_code is not None:
        q = q.where(col(Fair.league_codes).op("@>")(type_coerce([league_code], JSONB)))
    q = q.order_by(col(Fair.starts_at), col(Fair.id)).limit(limit).offset(offset)
    return list(await session.exec(q))


async def announced_or_held_between(session: AsyncSession, start: datetime, end: datetime) -> list[Fair]:
    """Fairs held (or announced, for the plan) that start in [start, end)."""
    q = select(Fair).where(
        col(Fair.status).in_(PUBLIC), col(Fair.starts_at) >= start, col(Fair.starts_at) < end
    )
    return list(await session.exec(q))


async def with_open_requests_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Announced fairs whose request window has closed (their pending requests may need expiring)."""
    q = select(Fair.id).where(
        Fair.status == FairStatus.PUBLISHED,
        or_(
            col(Fair.requests_close_at) <= now,
            (col(Fair.requests_close_at).is_(None)) & (col(Fair.starts_at) <= now),
        ),
    )
    return list(await session.exec(q))


def apply(fair: Fair, changes: dict[str, Any]) -> None:
    """Copy validated changes onto a fair."""
    for key, value in changes.items():
        setattr(fair, key, value)


async def get_by_id(session: AsyncSession, fair_id: uuid.UUID, *, lock: bool = False) -> Fair | None:
    """A fair by id, for system work (sweeps), not for a caller."""
    q = select(Fair).where(Fair.id == fair_id)
    if lock:
        q = q.with_for_update(skip_locked=True)
    return (await session.exec(q)).first()
