"""The schedule: solve (preliminary or final) and the record of every solve."""

import uuid

from fastapi import APIRouter

from fairs.api.deps import OutboxDep, PrincipalDep, SessionDep
from fairs.api.schemas import ScheduleRequest, ScheduleRunRead
from fairs.db.tables import ScheduleRun
from fairs.domain import schedule as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["schedule"])


@router.post(
    "/{fair_id}/schedule", status_code=201, response_model=ScheduleRunRead, summary="Solve the schedule"
)
async def solve(
    fair_id: uuid.UUID, body: ScheduleRequest, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> ScheduleRun:
    """Accepted requests and pins stay; recommended pairs fill the rest by match score. Final publishes it."""
    return await domain.run(session=session, outbox=outbox, principal=who, fair_id=fair_id, final=body.final)


@router.get(
    "/{fair_id}/schedule/runs", response_model=list[ScheduleRunRead], summary="Solves with bound and gap"
)
async def runs(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[ScheduleRun]:
    """Newest first."""
    return await domain.runs(session=session, principal=who, fair_id=fair_id)
