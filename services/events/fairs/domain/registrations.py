"""Registration: SMEs and banks sign up, the organizer validates each, banks declare tables and capacity."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as meetings_repo
from fairs.db import projections
from fairs.db import registrations as repo
from fairs.db.tables import Fair, Registration
from fairs.domain import fairs
from fairs.domain.statuses import (
    FairStatus,
    ParticipantRole,
    RegistrationStatus,
    RequestStatus,
)
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.reference import UnknownDivision, league_of


def slots_per_session(fair: Fair) -> int:
    """The most slots any session of the fair has."""
    counts: dict[int, int] = {}
    for s in fairs.slots(fair):
        counts[s.session] = counts.get(s.session, 0) + 1
    return max(counts.values(), default=0)


def _open_for_registration(fair: Fair) -> None:
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; registration is open only for an announced fair")
    if fair.starts_at <= utcnow():
        raise Conflict("the fair has started; registration is closed")


async def register(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    display_name: str | None,
    tables: int | None,
    capacity_per_session: int | None,
    note: str | None,
) -> Registration:
    """An SME (as its enterprise) or a bank (as its organisation) registers for a fair."""
    principal.require(Role.SME, Role.BANK)
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id, lock=True)
    _open_for_registration(fair)
    participant = repo.participant_id(principal)
    if participant is None:
        raise Forbidden("an SME token must name its enterprise (USCC) to register")
    if await repo.of_participant(session, fair.id, participant) is not None:
        raise Conflict("you are already registered for this fair")
    if principal.role == Role.SME:
        if tables is not None or capacity_per_session is not None:
            raise Unprocessable("tables and capacity_per_session are for banks; leave them out")
        try:
            league_code = league_of(participant[2:8]).code
        except UnknownDivision as exc:
            raise Unprocessable(f"your enterprise's USCC names no Inner Mongolia league: {exc}") from exc
        if league_code not in fair.league_codes:
            raise Unprocessable(
                f"your enterprise is in league {league_code}; this fair is for {', '.join(fair.league_codes)}"
            )
        known = await projections.enterprise(session, participant)
        name = display_name or (known.name if known else participant)
        reg = Registration(
            fair_id=fair.id,
            role=ParticipantRole.SME,
            participant_id=participant,
            org_id=principal.org_id,
            display_name=name,
            note=note,
        )
    else:
        if tables is None or capacity_per_session is None:
            raise Unprocessable("a bank declares its tables and the meetings it can staff per session")
        most = tables * slots_per_session(fair)
        if capacity_per_session > most:
            raise Unprocessable(
                f"{tables} table(s) hold at most {most} meetings per session; lower capacity_per_session"
            )
        if tables > fair.tables:
            raise Unprocessable(f"the venue has {fair.tables} tables in all; ask for fewer")
        reg = Registration(
            fair_id=fair.id,
            role=ParticipantRole.BANK,
            participant_id=participant,
            org_id=principal.org_id,
            display_name=display_name or participant,
            tables=tables,
            capacity_per_session=capacity_per_session,
            note=note,
        )
    session.add(reg)
    await session.flush()
    return reg


async def listed(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[Registration]:
    """A fair's registrations as the principal may see them."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    return await repo.readable(session, principal, fair)


async def one(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, registration_id: uuid.UUID
) -> Registration:
    """One registration the principal may see."""
    for r in await listed(session=session, principal=principal, fair_id=fair_id):
        if r.id == registration_id:
            return r
    raise NotFound("no such registration")


async def decide(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    registration_id: uuid.UUID,
    approve: bool,
) -> Registration:
    """The organizer validates a registration (a bank gets its venue tables) or rejects it."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; registrations can no longer be decided")
    reg = await repo.get(session, fair.id, registration_id, lock=True)
    if reg is None:
        raise NotFound("no such registration")
    if reg.status != RegistrationStatus.PENDING:
        raise Conflict(f"the registration is {reg.status}; only a pending one can be decided")
    if not approve:
        reg.status = RegistrationStatus.REJECTED
        return reg
    if reg.role == ParticipantRole.BANK:
        taken = await repo.tables_taken(session, fair.id)
        free = [n for n in range(1, fair.tables + 1) if n not in taken]
        if len(free) < reg.tables:
            raise Conflict(
                f"the venue has {len(free)} free table(s) and this bank asks for {reg.tables}; "
                "raise the fair's tables or reject the registration"
            )
        reg.table_numbers = free[: reg.tables]
    reg.status, reg.validated_at = RegistrationStatus.VALIDATED, utcnow()
    return reg


async def withdraw(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, registration_id: uuid.UUID
) -> Registration:
    """A participant withdraws: its requests lapse, its meetings go, its tables are freed."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id, lock=True)
    reg = await repo.get(session, fair.id, registration_id, lock=True)
    if reg is None or reg.participant_id != repo.participant_id(principal):
        raise NotFound("no such registration of yours")
    if reg.status in (RegistrationStatus.WITHDRAWN, RegistrationStatus.REJECTED):
        raise Conflict(f"the registration is already {reg.status}")
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; nothing to withdraw from")
    for req in await meetings_repo.holding_requests_of(session, [reg.id]):
        req.status, req.decided_at = RequestStatus.CANCELLED, utcnow()
    await meetings_repo.delete_unheld_of(session, reg.id)
    reg.status, reg.table_numbers = RegistrationStatus.WITHDRAWN, []
    return reg


async def check_in(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, registration_id: uuid.UUID
) -> Registration:
    """Check a participant in on the day (the organizer at the desk, or the participant itself)."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    reg = await repo.get(session, fair.id, registration_id, lock=True)
    is_organizer = principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id
    if reg is None or not (is_organizer or reg.participant_id == repo.participant_id(principal)):
        raise NotFound("no such registration")
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; check-in is for a fair that is on")
    if reg.status != RegistrationStatus.VALIDATED:
        raise Conflict(f"the registration is {reg.status}; only validated participants check in")
    if reg.checked_in_at is None:
        reg.checked_in_at = utcnow()
    return reg
