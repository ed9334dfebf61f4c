"""Meeting requests: send, accept, decline, withdraw; the organizer closes the window."""

import uuid

from fastapi import APIRouter

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.api.fairs import read
from fairs.api.schemas import FairRead, MeetingRequestCreate, MeetingRequestRead
from fairs.db.tables import MeetingRequest
from fairs.domain import meeting_requests as domain
from fairs.domain.statuses import RequestStatus

router = APIRouter(prefix="/api/v1/fairs", tags=["meeting requests"])


@router.post(
    "/{fair_id}/meeting-requests",
    status_code=201,
    response_model=MeetingRequestRead,
    summary="Request a meeting",
)
async def send(
    fair_id: uuid.UUID, body: MeetingRequestCreate, session: SessionDep, who: PrincipalDep
) -> MeetingRequest:
    """The slot is held for both sides while the request is pending."""
    return await domain.send(
        session=session,
        principal=who,
        fair_id=fair_id,
        to_registration_id=body.to_registration_id,
        slot=body.slot,
        note=body.note,
    )


@router.get(
    "/{fair_id}/meeting-requests", response_model=list[MeetingRequestRead], summary="Meeting requests"
)
async def listed(
    fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep, status: RequestStatus | None = None
) -> list[MeetingRequest]:
    """A participant's sent and received requests; all of them for the organizer."""
    return await domain.listed(session=session, principal=who, fair_id=fair_id, status=status)


@router.post(
    "/{fair_id}/meeting-requests/{request_id}/accept", response_model=MeetingRequestRead, summary="Accept"
)
async def accept(
    fair_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> MeetingRequest:
    """The request becomes a meeting in its slot."""
    return await domain.accept(session=session, principal=who, fair_id=fair_id, request_id=request_id)


@router.post(
    "/{fair_id}/meeting-requests/{request_id}/decline", response_model=MeetingRequestRead, summary="Decline"
)
async def decline(
    fair_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> MeetingRequest:
    """The slot is free again."""
    return await domain.decline(session=session, principal=who, fair_id=fair_id, request_id=request_id)


@router.post(
    "/{fair_id}/meeting-requests/{request_id}/withdraw", response_model=MeetingRequestRead, summary="Withdraw"
)
async def withdraw(
    fair_id: uuid.UUID, request_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> MeetingRequest:
    """The sender takes the request back."""
    return await domain.withdraw(session=session, principal=who, fair_id=fair_id, request_id=request_id)


@router.post("/{fair_id}/close-requests", response_model=FairRead, summary="Close the request window now")
async def close_requests(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> FairRead:
    """Pending requests expire now (or are accepted where the fair auto-accepts)."""
    return read(await domain.close_requests(session=session, principal=who, fair_id=fair_id))
