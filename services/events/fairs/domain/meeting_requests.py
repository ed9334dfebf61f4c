"""Meeting requests: either side asks for a meeting in a slot; the other accepts or declines.

A pending or accepted request holds its slot for both sides. When the fair's request window closes,
pending requests expire, or are accepted where the fair says so (auto-accept).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as repo
from fairs.db import projections
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair, Meeting, MeetingRequest, Registration
from fairs.domain import board as booking
from fairs.domain import fairs
from fairs.domain.statuses import (
    FairStatus,
    MeetingSource,
    MeetingStatus,
    ParticipantRole,
    RegistrationStatus,
    RequestStatus,
)
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound


def _window_open(fair: Fair, now: datetime) -> None:
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; meeting requests are for an announced fair")
    close = fairs.requests_close_at(fair)
    if now >= close:
        raise Conflict(f"meeting requests for this fair closed at {close.isoformat()}")


async def _me(session: AsyncSession, principal: Principal, fair: Fair) -> Registration:
    me = registrations_repo.participant_id(principal)
    reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
    if reg is None or reg.status != RegistrationStatus.VALIDATED:
        raise Forbidden("only validated participants of this fair can send or answer meeting requests")
    return reg


async def send(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    to_registration_id: uuid.UUID,
    slot: int,
    note: str | None,
) -> MeetingRequest:
    """Ask the other side for a meeting in a slot; the slot is held for both while pending."""
    # The fair row lock serialises holds, so two requests cannot take the last seat at once.
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id, lock=True)
    now = utcnow()
    _window_open(fair, now)
    me = await _me(session, principal, fair)
    other = await registrations_repo.get(session, fair.id, to_registration_id)
    if other is None or other.status != RegistrationStatus.VALIDATED:
        raise Conflict("that participant is not validated for this fair (pending, withdrawn or unknown)")
    if other.role == me.role:
        raise Conflict("meetings are between an SME and a bank")
    sme, bank = (me, other) if me.role == ParticipantRole.SME else (other, me)
    board = await booking.load(session, fair)
    board.require_slot(slot)
    problems = board.problems(sme.id, bank.id, slot)
    if problems:
        raise Conflict("; ".join(problems), details=problems)
    req = MeetingRequest(
        fair_id=fair.id,
        from_registration_id=me.id,
        to_registration_id=other.id,
        sme_registration_id=sme.id,
        bank_registration_id=bank.id,
        slot=slot,
        note=note,
    )
    session.add(req)
    await session.flush()
    return req


async def listed(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, status: str | None
) -> list[MeetingRequest]:
    """The organizer sees every request of the fair; a participant the ones it sent or received."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    if principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id:
        return await repo.requests_of(session, fair.id, None, status)
    me = registrations_repo.participant_id(principal)
    reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
    return await repo.requests_of(session, fair.id, reg.id, status) if reg else []


async def _answerable(
    session: AsyncSession, principal: Principal, fair_id: uuid.UUID, request_id: uuid.UUID
) -> tuple[Fair, MeetingRequest]:
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id, lock=True)
    now = utcnow()
    await expire_due(session=session, fair=fair, now=now)
    req = await repo.request(session, fair.id, request_id, lock=True)
    me = registrations_repo.participant_id(principal)
    reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
    if req is None or reg is None or reg.id not in (req.from_registration_id, req.to_registration_id):
        raise NotFound("no such meeting request of yours")
    if reg.id != req.to_registration_id:
        raise Forbidden("only the participant who received the request can answer it")
    if req.status != RequestStatus.PENDING:
        raise Conflict(f"the request is {req.status}; only a pending request can be answered")
    _window_open(fair, now)
    return fair, req


async def accept(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, request_id: uuid.UUID
) -> MeetingRequest:
    """Accept a request: it becomes a meeting in its slot, at a free table of the bank."""
    fair, req = await _answerable(session, principal, fair_id, request_id)
    if not await _to_meeting(session, fair, req):
        raise Conflict(f"slot {req.slot} is no longer free for both sides; decline and propose another slot")
    return req


async def decline(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, request_id: uuid.UUID
) -> MeetingRequest:
    """Decline a request: the slot is free again."""
    _, req = await _answerable(session, principal, fair_id, request_id)
    req.status, req.decided_at = RequestStatus.DECLINED, utcnow()
    return req


async def withdraw(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, request_id: uuid.UUID
) -> MeetingRequest:
    """The sender takes a request back (an accepted one loses its meeting, unless it was held)."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id, lock=True)
    req = await repo.request(session, fair.id, request_id, lock=True)
    me = registrations_repo.participant_id(principal)
    reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
    if req is None or reg is None or reg.id != req.from_registration_id:
        raise NotFound("no such meeting request sent by you")
    if req.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise Conflict(f"the request is {req.status}; nothing to withdraw")
    meeting = await repo.meeting_of_request(session, req.id)
    if meeting is not None:
        if meeting.status != MeetingStatus.SCHEDULED:
            raise Conflict("the meeting has already taken place")
        await session.delete(meeting)
    req.status, req.decided_at = RequestStatus.CANCELLED, utcnow()
    return req


async def _to_meeting(session: AsyncSession, fair: Fair, req: MeetingRequest) -> bool:
    """Turn a request into a meeting if its slot is still bookable; False when it is not."""
    # A preliminary schedule may already have placed this pair elsewhere: the request wins.
    for m in await repo.meetings_of(session, fair.id, req.sme_registration_id):
        if (
            m.bank_registration_id == req.bank_registration_id
            and m.source == MeetingSource.RECOMMENDED
            and not m.pinned
        ):
            await session.delete(m)
    await session.flush()
    board = await booking.load(session, fair)
    if board.problems(req.sme_registration_id, req.bank_registration_id, req.slot, ignore=req.id):
        return False
    table = board.free_table(req.bank_registration_id, req.slot, ignore=req.id)
    if table is None:
        return False
    sme = await registrations_repo.get(session, fair.id, req.sme_registration_id)
    bank = await registrations_repo.get(session, fair.id, req.bank_registration_id)
    assert sme is not None
    assert bank is not None
    match = await projections.best_match(session, sme.participant_id, bank.participant_id)
    session.add(
        Meeting(
            fair_id=fair.id,
            sme_registration_id=sme.id,
            bank_registration_id=bank.id,
            uscc=sme.participant_id,
            bank_org_id=bank.participant_id,
            slot=req.slot,
            table_no=table,
            source=MeetingSource.REQUEST,
            request_id=req.id,
            match_id=match.match_id if match else None,
            product_id=match.product_id if match else None,
            score=match.score if match else None,
        )
    )
    req.status, req.decided_at = RequestStatus.ACCEPTED, utcnow()
    await session.flush()
    return True


async def expire_due(*, session: AsyncSession, fair: Fair, now: datetime) -> int:
    """Once the request window has closed: pending requests expire, or are accepted (auto-accept)."""
    if now < fairs.requests_close_at(fair):
        return 0
    n = 0
    for req in await repo.holding_requests(session, fair.id, pending_only=True):
        if not (fair.auto_accept and await _to_meeting(session, fair, req)):
            req.status, req.decided_at = RequestStatus.EXPIRED, now
        n += 1
    return n


async def close_requests(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> Fair:
    """The organizer closes the request window now (before the final schedule)."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; it has no open request window")
    now = utcnow()
    if now < fairs.requests_close_at(fair):
        fair.requests_close_at = now
    await expire_due(session=session, fair=fair, now=now)
    return fair
