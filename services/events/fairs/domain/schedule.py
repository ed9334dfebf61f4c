"""The schedule: solve (preliminary, then final), pin or move meetings by hand, re-solve around them."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as repo
from fairs.db import projections
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair, Meeting, ScheduleRun
from fairs.domain import board as booking
from fairs.domain import fairs, meeting_requests
from fairs.domain.scheduler import BankSeat, Candidate, FixedMeeting, InfeasibleFixed, Problem, check, solve
from fairs.domain.status import (
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
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox


def _editable(fair: Fair) -> None:
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; its schedule can no longer change")


async def run(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, fair_id: uuid.UUID, final: bool
) -> ScheduleRun:
    """Place accepted requests and pins first, then the best recommended pairs by match score."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    _editable(fair)
    now = utcnow()
    await meeting_requests.expire_due(session=session, fair=fair, now=now)
    if await repo.recorded_outcomes(session, fair.id):
        raise Conflict("meetings of this fair have already taken place; the schedule is fixed")
    pending = await repo.holding_requests(session, fair.id, pending_only=True)
    if final and pending:
        raise Conflict(
            f"{len(pending)} meeting request(s) are still pending until "
            f"{fairs.requests_close_at(fair).isoformat()}; close requests before the final schedule"
        )
    await repo.delete_recommended(session, fair.id)
    smes = await registrations_repo.validated(session, fair.id, ParticipantRole.SME)
    banks = await registrations_repo.validated(session, fair.id, ParticipantRole.BANK)
    kept = await repo.meetings_of(session, fair.id)
    sme_by_uscc = {r.participant_id: r for r in smes}
    bank_by_org = {r.participant_id: r for r in banks}
    matches = await projections.open_matches(session, usccs=list(sme_by_uscc), banks=list(bank_by_org))
    best: dict[tuple[str, str], projections.OpenMatch] = {}
    for m in matches:
        key = (str(sme_by_uscc[m.uscc].id), str(bank_by_org[m.bank_org_id].id))
        if key not in best or m.score > best[key].score:
            best[key] = m
    fixed = [
        FixedMeeting(str(m.sme_registration_id), str(m.bank_registration_id), m.slot, m.table_no)
        for m in kept
    ]
    # Pending requests hold their slot in a preliminary schedule without becoming meetings yet.
    holds = [FixedMeeting(str(r.sme_registration_id), str(r.bank_registration_id), r.slot) for r in pending]
    problem = Problem(
        slot_sessions=[s.session for s in fairs.slots(fair)],
        smes=[str(r.id) for r in smes],
        banks=[BankSeat(str(r.id), tuple(r.table_numbers), r.capacity_per_session) for r in banks],
        candidates=[Candidate(s, b, float(m.score)) for (s, b), m in best.items()],
        fixed=fixed + holds,
    )
    try:
        # Off the event loop: a large fair takes a noticeable fraction of a second.
        schedule = await asyncio.to_thread(solve, problem)
    except InfeasibleFixed as exc:  # pragma: no cover - the board refuses such bookings up front
        raise Conflict(str(exc)) from exc
    broken = check(problem, schedule)
    if broken:  # pragma: no cover - a solver bug must never reach the participants
        raise RuntimeError(f"scheduler produced an invalid schedule: {broken[:3]}")
    sme_reg = {str(r.id): r for r in smes}
    bank_reg = {str(r.id): r for r in banks}
    placed = 0
    for p in schedule.placements:
        if p.fixed:
            continue
        m = best[(p.sme, p.bank)]
        session.add(
            Meeting(
                fair_id=fair.id,
                sme_registration_id=sme_reg[p.sme].id,
                bank_registration_id=bank_reg[p.bank].id,
                uscc=m.uscc,
                bank_org_id=m.bank_org_id,
                slot=p.slot,
                table_no=p.table,
                source=MeetingSource.RECOMMENDED,
                match_id=m.match_id,
                product_id=m.product_id,
                score=m.score,
            )
        )
        placed += 1
    kind = ScheduleStatus.FINAL if final else ScheduleStatus.PRELIMINARY
    run_row = ScheduleRun(
        fair_id=fair.id,
        kind=kind,
        meetings=placed + len(kept),
        fixed=len(kept),
        objective=round(schedule.objective, 6),
        bound=round(schedule.bound, 6),
        gap=round(schedule.gap, 6),
        seconds=round(schedule.seconds, 4),
        solver=schedule.solver,
    )
    session.add(run_row)
    fair.schedule_status, fair.updated_at = kind, now
    if final:
        await outbox.add(
            session,
            ev.FairSchedulePublished(fair_id=fair.id, meetings=run_row.meetings),
            subject=str(fair.id),
        )
    await session.flush()
    return run_row


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


async def runs(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[ScheduleRun]:
    """The fair's solves with objective, bound and gap."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id)
    return await repo.schedule_runs(session, fair.id)
