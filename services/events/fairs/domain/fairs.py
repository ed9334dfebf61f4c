"""Fairs (银企对接会): an organizer drafts, edits, publishes, cancels and closes them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import fairs as repo
from fairs.db import meetings as meetings_repo
from fairs.db.tables import Fair
from fairs.domain.slots import Session, Slot, session_problems, slots_of
from fairs.domain.statuses import FairStatus, MeetingStatus, ScheduleStatus
from smefin.auth import Principal, Role
from smefin.contracts import fairs as ev
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import UnknownDivision, league

EDITABLE = {
    "name",
    "league_codes",
    "industries",
    "venue",
    "online_url",
    "sessions",
    "slot_minutes",
    "tables",
    "requests_close_at",
    "auto_accept",
}


def sessions_of(fair: Fair) -> list[Session]:
    """The fair's sessions as times."""
    return [
        Session(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
        for s in fair.sessions
    ]


def slots(fair: Fair) -> list[Slot]:
    """The fair's meeting slots."""
    return slots_of(sessions_of(fair), fair.slot_minutes)


def requests_close_at(fair: Fair) -> datetime:
    """When pending meeting requests expire (or are auto-accepted): the set time, else the start."""
    return fair.requests_close_at or fair.starts_at


def _checked(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Validate a fair's fields together; the stored form of sessions; refuse with every problem."""
    problems: list[str] = []
    for code in values.get("league_codes", []):
        try:
            league(code)
        except UnknownDivision as exc:
            problems.append(str(exc))
    if not values.get("league_codes"):
        problems.append("name at least one league the fair is for")
    if not values.get("venue") and not values.get("online_url"):
        problems.append("give a venue or an online link")
    sessions = [Session(s["starts_at"], s["ends_at"]) for s in values["sessions"]]
    problems += session_problems(sessions, values["slot_minutes"])
    if not problems:
        if sessions[0].starts_at <= now:
            problems.append("the fair would start in the past; choose a future date")
        close = values.get("requests_close_at")
        if close is not None and not now < close <= sessions[0].starts_at:
            problems.append("requests_close_at must be in the future and no later than the fair's start")
    if problems:
        raise Unprocessable("; ".join(problems), details=problems)
    out = dict(values)
    out["sessions"] = [
        {"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()} for s in sessions
    ]
    out["starts_at"], out["ends_at"] = sessions[0].starts_at, sessions[-1].ends_at
    out["league_codes"] = sorted(set(values["league_codes"]))
    return out


def _as_values(fair: Fair) -> dict[str, Any]:
    values = {k: getattr(fair, k) for k in EDITABLE}
    values["sessions"] = [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in sessions_of(fair)]
    return values


async def get(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, lock: bool = False) -> Fair:
    """A fair the principal may see (404 otherwise)."""
    fair = await repo.get_readable(session, principal, fair_id, lock=lock)
    if fair is None:
        raise NotFound("no such fair")
    return fair


async def owned(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, lock: bool = False
) -> Fair:
    """A fair the principal organizes (404 if invisible, 403 if someone else's)."""
    fair = await get(session=session, principal=principal, fair_id=fair_id, lock=lock)
    if principal.role != Role.ORGANIZER or fair.organizer_org_id != principal.org_id:
        raise Forbidden("only the fair's own organizer may do this")
    return fair


async def page(
    *,
    session: AsyncSession,
    principal: Principal,
    status: str | None,
    league_code: str | None,
    limit: int,
    offset: int,
) -> list[Fair]:
    """A page of the fairs the principal may see, soonest first."""
    return await repo.page(
        session, principal, status=status, league_code=league_code, limit=limit, offset=offset
    )


async def create(*, session: AsyncSession, principal: Principal, values: dict[str, Any]) -> Fair:
    """An organizer drafts a fair."""
    principal.require(Role.ORGANIZER)
    fair = Fair(organizer_org_id=principal.org_id, **_checked(values, utcnow()))
    session.add(fair)
    await session.flush()
    return fair


async def update(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, changes: dict[str, Any]
) -> Fair:
    """Edit a draft; an announced fair is changed only by cancelling it."""
    fair = await owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status != FairStatus.DRAFT:
        raise Conflict(f"the fair is {fair.status}; only a draft can be edited")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise Unprocessable(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    repo.apply(fair, _checked(_as_values(fair) | changes, utcnow()))
    fair.updated_at = utcnow()
    return fair


async def publish(*, session: AsyncSession, outbox: Outbox, principal: Principal, fair_id: uuid.UUID) -> Fair:
    """Announce a draft: registrations open and `fair.published` goes out."""
    fair = await owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status != FairStatus.DRAFT:
        raise Conflict(f"the fair is {fair.status}; only a draft can be published")
    now = utcnow()
    if fair.starts_at <= now:
        raise Conflict("the fair's start has passed; move its sessions to a future date first")
    fair.status, fair.published_at, fair.updated_at = FairStatus.PUBLISHED, now, now
    await outbox.add(
        session,
        ev.FairPublished(
            fair_id=fair.id,
            name=fair.name,
            league_code=fair.league_codes[0],
            starts_at=fair.starts_at,
            league_codes=fair.league_codes,
        ),
        subject=str(fair.id),
    )
    return fair


async def cancel(*, session: AsyncSession, principal: Principal, fair_id: uuid.UUID) -> Fair:
    """Call a fair off (a draft or an announced fair that has not been held)."""
    fair = await owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status not in (FairStatus.DRAFT, FairStatus.PUBLISHED):
        raise Conflict(f"the fair is {fair.status}; it can no longer be cancelled")
    if await meetings_repo.recorded_outcomes(session, fair.id):
        raise Conflict("meetings of this fair have already taken place; close it instead")
    now = utcnow()
    fair.status, fair.cancelled_at, fair.updated_at = FairStatus.CANCELLED, now, now
    return fair


async def close(*, session: AsyncSession, outbox: Outbox, principal: Principal, fair_id: uuid.UUID) -> Fair:
    """Record that the fair was held: it counts towards its leagues' target of two a year."""
    fair = await owned(session=session, principal=principal, fair_id=fair_id, lock=True)
    if fair.status != FairStatus.PUBLISHED:
        raise Conflict(f"the fair is {fair.status}; only an announced fair can be closed as held")
    if fair.schedule_status != ScheduleStatus.FINAL:
        raise Conflict("publish the final schedule before closing the fair")
    meetings = await meetings_repo.meetings_of(session, fair.id)
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    if not held:
        raise Conflict("no meeting is recorded as held yet; record outcomes before closing the fair")
    intentions = await meetings_repo.intentions_of(session, fair.id)
    now = utcnow()
    fair.status, fair.held_at, fair.updated_at = FairStatus.HELD, now, now
    await outbox.add(
        session,
        ev.FairHeld(
            fair_id=fair.id,
            league_codes=fair.league_codes,
            held_on=fair.starts_at.date(),
            meetings_held=len(held),
            intentions=len(intentions),
            intention_amount=sum((i.amount for i in intentions), start=Decimal("0.00")),
        ),
        subject=str(fair.id),
    )
    return fair
