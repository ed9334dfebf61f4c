"""Meetings: the plan (pin, move, remove) and the day (held or not, feedback, intentions)."""

import uuid

from fastapi import APIRouter, Response

from fairs.api.deps import OutboxDep, PrincipalDep, SessionDep
from fairs.api.schemas import (
    FeedbackCreate,
    FeedbackRead,
    IntentionCreate,
    IntentionRead,
    MeetingMove,
    MeetingPin,
    MeetingRead,
    OutcomeCreate,
)
from fairs.db.tables import Feedback, Intention, Meeting
from fairs.domain import meetings as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["meetings"])


@router.get("/{fair_id}/meetings", response_model=list[MeetingRead], summary="Meetings")
async def listed(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[Meeting]:
    """The organizer and the office see all; a participant its own."""
    return await domain.meetings(session=session, principal=who, fair_id=fair_id)


@router.post(
    "/{fair_id}/meetings", status_code=201, response_model=MeetingRead, summary="Pin a meeting by hand"
)
async def pin(fair_id: uuid.UUID, body: MeetingPin, session: SessionDep, who: PrincipalDep) -> Meeting:
    """It stays put when the rest is re-solved."""
    return await domain.pin(session=session, principal=who, fair_id=fair_id, **body.model_dump())


@router.patch("/{fair_id}/meetings/{meeting_id}", response_model=MeetingRead, summary="Move a meeting")
async def move(
    fair_id: uuid.UUID, meeting_id: uuid.UUID, body: MeetingMove, session: SessionDep, who: PrincipalDep
) -> Meeting:
    """To another slot (and table); pinned there."""
    return await domain.move(
        session=session, principal=who, fair_id=fair_id, meeting_id=meeting_id, **body.model_dump()
    )


@router.delete("/{fair_id}/meetings/{meeting_id}", status_code=204, summary="Remove a meeting from the plan")
async def remove(
    fair_id: uuid.UUID, meeting_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> Response:
    """A pinned or recommended meeting."""
    await domain.unpin(session=session, principal=who, fair_id=fair_id, meeting_id=meeting_id)
    return Response(status_code=204)


@router.post(
    "/{fair_id}/meetings/{meeting_id}/outcome", response_model=MeetingRead, summary="Held or no-show"
)
async def outcome(
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: OutcomeCreate,
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
) -> Meeting:
    """Held sends `meeting.held` with the match and product the pair came from."""
    return await domain.record_outcome(
        session=session, outbox=outbox, principal=who, fair_id=fair_id, meeting_id=meeting_id, held=body.held
    )


@router.post(
    "/{fair_id}/meetings/{meeting_id}/feedback",
    status_code=201,
    response_model=FeedbackRead,
    summary="Feedback",
)
async def feedback(
    fair_id: uuid.UUID, meeting_id: uuid.UUID, body: FeedbackCreate, session: SessionDep, who: PrincipalDep
) -> Feedback:
    """One per side: did not take place, no interest, informative, cooperation possible."""
    return await domain.give_feedback(
        session=session,
        principal=who,
        fair_id=fair_id,
        meeting_id=meeting_id,
        outcome=body.outcome,
        comment=body.comment,
    )


@router.post(
    "/{fair_id}/meetings/{meeting_id}/intention",
    status_code=201,
    response_model=IntentionRead,
    summary="Signed intention",
)
async def intention(
    fair_id: uuid.UUID,
    meeting_id: uuid.UUID,
    body: IntentionCreate,
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
) -> Intention:
    """Sends `intention.signed` with the match id, so loan-matching labels the right match."""
    return await domain.sign_intention(
        session=session,
        outbox=outbox,
        principal=who,
        fair_id=fair_id,
        meeting_id=meeting_id,
        amount=body.amount,
        product_id=body.product_id,
    )
