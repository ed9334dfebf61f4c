"""Meetings: the plan by hand (pin, move, remove) and the day (held or missed, structured feedback,
signed intentions 签约意向).

`meeting.held` and `intention.signed` carry the match and product the pair came from, so
loan-matching labels that match.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as repo
from fairs.db import projections
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair, Feedback, Intention, Meeting
from fairs.domain import board as booking
from fairs.domain import fairs
from fairs.domain.statuses import (
    FairStatus,
    MeetingSource,
    MeetingStatus,
    ParticipantRole,
    RegistrationStatus,
    RequestStatus,
    ScheduleStatus,
)
from smefin.auth import Principal, Role
from smefin.contracts import fairs as ev
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox


async def _meeting(
    session: AsyncSession, principal: Principal, fair_id: uuid.UUID, meeting_id: uuid.UUID
) -> tuple[Fair, Meeting, ParticipantRole | None]:
    """The meeting and the side the principal is on (None for the organizer); 404 for outsiders."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    m = await repo.meeting(session, fair.id, meeting_id, lock=True)
    if m is None:
        raise NotFound("no such meeting")
    if principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id:
        return fair, m, None
    me = registrations_repo.participant_id(principal)
    if me is not None and me == m.uscc and principal.role == Role.SME:
        return fair, m, ParticipantRole.SME
    if me is not None and me == m.bank_org_id and principal.role == Role.BANK:
        return fair, m, ParticipantRole.BANK
    raise NotFound("no such meeting")


def _editable(fair: Fair) -> None:
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; its schedule can no longer change")


def _on(fair: Fair) -> None:
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; outcomes are recorded while it is on")
    if fair.schedule_status != ScheduleStatus.FINAL:
        raise Conflict("the schedule is not final yet; outcomes are recorded on the final schedule")


async def record_outcome(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    held: bool,
) -> Meeting:
    """The meeting took place (`meeting.held`) or one side did not come."""
    fair, m, _ = await _meeting(session, principal, fair_id, meeting_id)
    _on(fair)
    if m.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"the meeting is already recorded as {m.status}")
    if not held:
        m.status = MeetingStatus.NO_SHOW
        return m
    sme = await registrations_repo.get(session, fair.id, m.sme_registration_id)
    bank = await registrations_repo.get(session, fair.id, m.bank_registration_id)
    absent = [r.display_name for r in (sme, bank) if r is not None and r.checked_in_at is None]
    if absent:
        raise Conflict(f"check in {', '.join(absent)} before recording the meeting as held")
    m.status, m.held_at = MeetingStatus.HELD, utcnow()
    await outbox.add(
        session,
        ev.MeetingHeld(
            fair_id=fair.id,
            meeting_id=m.id,
            uscc=m.uscc,
            bank_org_id=m.bank_org_id,
            match_id=m.match_id,
            product_id=m.product_id,
        ),
        subject=str(fair.id),
    )
    return m


async def give_feedback(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    outcome: str,
    comment: str | None,
) -> Feedback:
    """One side says how the meeting went (once)."""
    fair, m, side = await _meeting(session, principal, fair_id, meeting_id)
    if side is None:
        raise Forbidden("feedback comes from the SME or the bank of the meeting")
    if m.status == MeetingStatus.SCHEDULED:
        raise Conflict("record whether the meeting was held before giving feedback")
    if await repo.feedback_by(session, m.id, side) is not None:
        raise Conflict("you have already given feedback on this meeting")
    fb = Feedback(meeting_id=m.id, fair_id=fair.id, by_role=side, outcome=outcome, comment=comment)
    session.add(fb)
    await session.flush()
    return fb


async def sign_intention(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    amount: Decimal,
    product_id: uuid.UUID | None,
) -> Intention:
    """The bank (or the organizer for it) records a signed financing intention at a held meeting."""
    fair, m, side = await _meeting(session, principal, fair_id, meeting_id)
    if side == ParticipantRole.SME:
        raise Forbidden("the bank of the meeting, or the organizer, records the signed intention")
    _on(fair)
    if m.status != MeetingStatus.HELD:
        raise Conflict(f"the meeting is {m.status}; an intention is signed at a held meeting")
    if await repo.intention_of(session, m.id) is not None:
        raise Conflict("an intention is already recorded for this meeting")
    intention = Intention(
        fair_id=fair.id,
        meeting_id=m.id,
        uscc=m.uscc,
        bank_org_id=m.bank_org_id,
        amount=amount,
        product_id=product_id or m.product_id,
        match_id=m.match_id,
    )
    session.add(intention)
    await session.flush()
    await outbox.add(
        session,
        ev.IntentionSigned(
            fair_id=fair.id,
            meeting_id=m.id,
            uscc=m.uscc,
            bank_org_id=m.bank_org_id,
            amount=amount,
            match_id=intention.match_id,
            product_id=intention.product_id,
        ),
        subject=str(fair.id),
    )
    return intention


async def meetings(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[Meeting]:
    """The organizer sees every meeting; a participant its own."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    if principal.role == Role.OFFICE or (
        principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id
    ):
        return await repo.meetings_of(session, fair.id)
    me = registrations_repo.participant_id(principal)
    reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
    return await repo.meetings_of(session, fair.id, reg.id) if reg else []


async def pin(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    sme_registration_id: uuid.UUID,
    bank_registration_id: uuid.UUID,
    slot: int,
    table_no: int | None,
) -> Meeting:
    """The organizer sets a meeting by hand; it stays put when the rest is re-solved."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    _editable(fair)
    sme = await registrations_repo.get(session, fair.id, sme_registration_id)
    bank = await registrations_repo.get(session, fair.id, bank_registration_id)
    if sme is None or bank is None or sme.role != ParticipantRole.SME or bank.role != ParticipantRole.BANK:
        raise Unprocessable("name an SME registration and a bank registration of this fair")
    if sme.status != RegistrationStatus.VALIDATED or bank.status != RegistrationStatus.VALIDATED:
        raise Conflict("both participants must be validated first")
    # The pair may already sit in the scheduler's plan: pinning moves it rather than duplicating it.
    existing = next(
        (m for m in await repo.meetings_of(session, fair.id, sme.id) if m.bank_registration_id == bank.id),
        None,
    )
    if existing is not None:
        return await move(
            session=session,
            principal=principal,
            fair_id=fair.id,
            meeting_id=existing.id,
            slot=slot,
            table_no=table_no,
        )
    board = await booking.load(session, fair)
    board.require_slot(slot)
    problems = board.problems(sme.id, bank.id, slot, table_no)
    if problems:
        raise Conflict("; ".join(problems), details=problems)
    table = table_no if table_no is not None else board.free_table(bank.id, slot)
    assert table is not None  # the board just said a table is free
    match = await projections.best_match(session, sme.participant_id, bank.participant_id)
    meeting = Meeting(
        fair_id=fair.id,
        sme_registration_id=sme.id,
        bank_registration_id=bank.id,
        uscc=sme.participant_id,
        bank_org_id=bank.participant_id,
        slot=slot,
        table_no=table,
        source=MeetingSource.PINNED,
        pinned=True,
        match_id=match.match_id if match else None,
        product_id=match.product_id if match else None,
        score=match.score if match else None,
    )
    session.add(meeting)
    await session.flush()
    return meeting


async def move(
    *,
    session: AsyncSession,
    principal: Principal,
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    slot: int,
    table_no: int | None,
) -> Meeting:
    """Move a meeting to another slot (and table); it is pinned there."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    _editable(fair)
    m = await repo.meeting(session, fair.id, meeting_id, lock=True)
    if m is None:
        raise NotFound("no such meeting")
    if m.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"the meeting is {m.status}; it can no longer move")
    board = await booking.load(session, fair)
    board.require_slot(slot)
    problems = [
        p for p in board.problems(m.sme_registration_id, m.bank_registration_id, slot, table_no, ignore=m.id)
    ]
    if problems:
        raise Conflict("; ".join(problems), details=problems)
    table = table_no if table_no is not None else board.free_table(m.bank_registration_id, slot, ignore=m.id)
    assert table is not None
    m.slot, m.table_no, m.pinned = slot, table, True
    if m.request_id is not None:
        req = await repo.request(session, fair.id, m.request_id)
        if req is not None and req.status == RequestStatus.ACCEPTED:
            req.slot = slot  # the request's hold follows its meeting
    await session.flush()
    return m


async def unpin(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, meeting_id: uuid.UUID
) -> None:
    """Remove a meeting from the plan (a pinned or recommended one; requests are withdrawn by their sender)."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    _editable(fair)
    m = await repo.meeting(session, fair.id, meeting_id, lock=True)
    if m is None:
        raise NotFound("no such meeting")
    if m.status != MeetingStatus.SCHEDULED or m.source == MeetingSource.REQUEST:
        raise Conflict("only a scheduled pinned or recommended meeting can be removed by the organizer")
    await session.delete(m)
