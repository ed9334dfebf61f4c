"""SQL over registrations: who takes part in a fair, and who may see whom."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db.tables import Fair, Registration
from fairs.domain.statuses import ParticipantRole, RegistrationStatus
from smefin.auth import Principal, Role


def participant_id(principal: Principal) -> str | None:
    """Who the principal takes part as: an SME as its USCC, a bank as its organisation."""
    if principal.role == Role.SME:
        return principal.uscc
    if principal.role == Role.BANK:
        return principal.org_id
    return None


async def readable(session: AsyncSession, principal: Principal, fair: Fair) -> list[Registration]:
    """A fair's registrations as this principal may see them: the organizer and the office all,
    a participant its own and every validated one."""
    q = select(Registration).where(Registration.fair_id == fair.id)
    if not (
        principal.role in (Role.OFFICE, Role.SERVICE)
        or (principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id)
    ):
        visible = col(Registration.status) == RegistrationStatus.VALIDATED
        me = participant_id(principal)
        q = q.where(or_(visible, col(Registration.participant_id) == me) if me else visible)
    return list(await session.exec(q.order_by(col(Registration.role), col(Registration.created_at))))


async def get(
    session: AsyncSession, fair_id: uuid.UUID, registration_id: uuid.UUID, *, lock: bool = False
) -> Registration | None:
    """One registration of a fair."""
    q = select(Registration).where(Registration.fair_id == fair_id, Registration.id == registration_id)
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()


async def of_participant(session: AsyncSession, fair_id: uuid.UUID, participant: str) -> Registration | None:
    """A participant's registration for a fair."""
    q = select(Registration).where(
        Registration.fair_id == fair_id, Registration.participant_id == participant
    )
    return (await session.exec(q)).first()


async def validated(
    session: AsyncSession, fair_id: uuid.UUID, role: ParticipantRole | None = None
) -> list[Registration]:
    """Validated participants of a fair (optionally one side)."""
    q = select(Registration).where(
        Registration.fair_id == fair_id, Registration.status == RegistrationStatus.VALIDATED
    )
    if role is not None:
        q = q.where(Registration.role == role)
    return list(await session.exec(q.order_by(col(Registration.created_at))))


async def tables_taken(session: AsyncSession, fair_id: uuid.UUID) -> set[int]:
    """Venue table numbers already given to validated banks."""
    rows = await validated(session, fair_id, ParticipantRole.BANK)
    return {n for r in rows for n in r.table_numbers}
