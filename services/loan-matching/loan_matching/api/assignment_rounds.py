"""Assignment rounds: the office spreads open requests across banks under quotas (exact solver)."""

import uuid

from fastapi import APIRouter

from loan_matching.api.deps import ModelDep, OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import RoundCreate, RoundRead
from loan_matching.db.tables import AssignmentRound
from loan_matching.domain import assignment_rounds

router = APIRouter(prefix="/api/v1/assignment-rounds", tags=["assignment-rounds"])


@router.post("", status_code=201, response_model=RoundRead, summary="Run an assignment round")
async def run_round(
    body: RoundCreate,
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
    model: ModelDep,
    settings: SettingsDep,
) -> AssignmentRound:
    """Maximise total expected value under quotas; report the objective and the LP bound."""
    return await assignment_rounds.assignment_round(
        session=session, outbox=outbox, principal=who, model=model, settings=settings, limit=body.max_requests
    )


@router.get("/{round_id}", response_model=RoundRead)
async def get(round_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> AssignmentRound:
    """A past round."""
    return await assignment_rounds.get_round(session=session, principal=who, round_id=round_id)
