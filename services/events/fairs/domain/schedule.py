"""The schedule: solve (preliminary, then final), pin or move meetings by hand, re-solve around them."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as repo
from fairs.db import projections
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair, Meeting, ScheduleRun
from fairs.domain import fairs, meeting_requests
from fairs.domain.scheduler import BankSeat, Candidate, FixedMeeting, InfeasibleFixed, Problem, check, solve
from fairs.domain.statuses import (
    FairStatus,
    MeetingSource,
    ParticipantRole,
    RequestStatus,
    ScheduleStatus,
)
from smefin.auth import Principal
from smefin.contracts import fairs as ev
from smefin.db import utcnow
from smefin.errors import Conflict
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
    # A declined meeting request means one side does not want to meet: never recommend that pair.
    declined = {
        (str(r.sme_registration_id), str(r.bank_registration_id))
        for r in await repo.requests_of(session, fair.id, None, RequestStatus.DECLINED)
    }
    best: dict[tuple[str, str], projections.OpenMatch] = {}
    for m in matches:
        key = (str(sme_by_uscc[m.uscc].id), str(bank_by_org[m.bank_org_id].id))
        if key in declined:
            continue
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


async def runs(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> list[ScheduleRun]:
    """The fair's solves with objective, bound and gap."""
    fair = await fairs.owned(session=session, principal=principal, fair_id=fair_id)
    return await repo.schedule_runs(session, fair.id)
