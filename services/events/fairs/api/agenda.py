"""A participant's agenda, as JSON and as an ICS file."""

import uuid

from fastapi import APIRouter, Response

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.api.schemas import AgendaItemRead, AgendaRead
from fairs.domain import agenda as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["agenda"])


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
