"""A participant's agenda, as JSON and as an ICS file."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.api.schemas import AgendaItemRead, AgendaRead
from fairs.domain import agenda as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["agenda"])
_templates = Environment(
    loader=PackageLoader("fairs", "web/templates"), autoescape=select_autoescape(["html"])
)
# Inner Mongolia keeps China Standard Time; participants read the sheet in local time.
_LOCAL = ZoneInfo("Asia/Shanghai")


def _local(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return at.astimezone(_LOCAL).strftime(fmt)


@router.get("/{fair_id}/agenda", response_model=AgendaRead, summary="My agenda")
async def agenda(
    fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep, registration_id: uuid.UUID | None = None
) -> AgendaRead:
    """The caller's meetings in time order (the organizer names a participant)."""
    a = await domain.agenda(session=session, principal=who, fair_id=fair_id, registration_id=registration_id)
    return AgendaRead(
        fair_id=a.fair.id,
        fair_name=a.fair.name,
        registration_id=a.registration.id,
        participant=a.registration.display_name,
        schedule_status=a.schedule_status,
        venue=a.fair.venue,
        online_url=a.fair.online_url,
        items=[AgendaItemRead.model_validate(i) for i in a.items],
    )


@router.get("/{fair_id}/agenda.ics", summary="My agenda as an ICS calendar file", response_class=Response)
async def agenda_ics(
    fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep, registration_id: uuid.UUID | None = None
) -> Response:
    """One calendar event per meeting (tentative until the schedule is final)."""
    a = await domain.agenda(session=session, principal=who, fair_id=fair_id, registration_id=registration_id)
    return Response(
        domain.to_ics(a),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="agenda-{a.registration.id}.ics"'},
    )


@router.get("/{fair_id}/agenda/print", response_class=HTMLResponse, summary="My agenda as a printable sheet")
async def agenda_sheet(
    fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep, registration_id: uuid.UUID | None = None
) -> HTMLResponse:
    """One page to print and bring: times in local time, table numbers, counterparts, room for notes."""
    a = await domain.agenda(session=session, principal=who, fair_id=fair_id, registration_id=registration_id)
    return HTMLResponse(_templates.get_template("agenda.html").render(a=a, local=_local))
