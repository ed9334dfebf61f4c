"""A participant's agenda: its meetings with times, tables and counterparts, as data and as ICS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event
from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import meetings as meetings_repo
from fairs.db import registrations as registrations_repo
from fairs.db.tables import Fair, Registration
from fairs.domain import fairs
from fairs.domain.statuses import ParticipantRole
from smefin.auth import Principal, Role
from smefin.errors import NotFound, Unprocessable


@dataclass(frozen=True)
class AgendaItem:
    """One meeting on a participant's agenda."""

    meeting_id: uuid.UUID
    slot: int
    starts_at: datetime
    ends_at: datetime
    table_no: int
    counterpart_registration_id: uuid.UUID
    counterpart: str
    status: str
    source: str


@dataclass(frozen=True)
class Agenda:
    """A participant's day at a fair."""

    fair: Fair
    registration: Registration
    schedule_status: str
    items: list[AgendaItem]


async def agenda(
    *, session: AsyncSession, principal: Principal, fair_id: uuid.UUID, registration_id: uuid.UUID | None
) -> Agenda:
    """The caller's own agenda, or (for the organizer) any participant's."""
    fair = await fairs.get(session=session, principal=principal, fair_id=fair_id)
    organizer = principal.role == Role.ORGANIZER and principal.org_id == fair.organizer_org_id
    if organizer:
        if registration_id is None:
            raise Unprocessable("name the participant: ?registration_id=...")
        reg = await registrations_repo.get(session, fair.id, registration_id)
    else:
        me = registrations_repo.participant_id(principal)
        reg = await registrations_repo.of_participant(session, fair.id, me) if me else None
        if reg is not None and registration_id is not None and reg.id != registration_id:
            reg = None
    if reg is None:
        raise NotFound("no such participant of this fair")
    slots = fairs.slots(fair)
    others = {r.id: r for r in await registrations_repo.readable(session, principal, fair)}
    items = []
    for m in await meetings_repo.meetings_of(session, fair.id, reg.id):
        other_id = m.bank_registration_id if reg.role == ParticipantRole.SME else m.sme_registration_id
        other = others.get(other_id)
        s = slots[m.slot]
        items.append(
            AgendaItem(
                meeting_id=m.id,
                slot=m.slot,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                table_no=m.table_no,
                counterpart_registration_id=other_id,
                counterpart=other.display_name if other else "(participant)",
                status=m.status,
                source=m.source,
            )
        )
    return Agenda(fair=fair, registration=reg, schedule_status=fair.schedule_status, items=items)


def to_ics(a: Agenda) -> bytes:
    """The agenda as an iCalendar file (RFC 5545), one event per meeting."""
    cal = Calendar()
    cal.add("prodid", "-//smefin//fairs agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{a.fair.name} – {a.registration.display_name}")
    where = a.fair.venue or a.fair.online_url or ""
    for item in a.items:
        e = Event()
        e.add("uid", f"{item.meeting_id}@fairs.smefin")
        e.add("dtstamp", a.fair.updated_at)
        e.add("dtstart", item.starts_at)
        e.add("dtend", item.ends_at)
        e.add("summary", f"{a.fair.name}: meeting with {item.counterpart} (table {item.table_no})")
        e.add("location", f"{where}, table {item.table_no}" if where else f"table {item.table_no}")
        e.add("status", "TENTATIVE" if a.schedule_status != "final" else "CONFIRMED")
        cal.add_component(e)
    data: bytes = cal.to_ical()
    return data
