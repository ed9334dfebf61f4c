"""Registrations: participants sign up, the organizer validates, check-in on the day."""

import uuid

from fastapi import APIRouter

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.api.schemas import RegistrationCreate, RegistrationDecision, RegistrationRead
from fairs.db.tables import Registration
from fairs.domain import registrations as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["registrations"])


@router.post(
    "/{fair_id}/registrations",
    status_code=201,
    response_model=RegistrationRead,
    summary="Register for a fair",
)
async def register(
    fair_id: uuid.UUID, body: RegistrationCreate, session: SessionDep, who: PrincipalDep
) -> Registration:
    """An SME as its enterprise; a bank with its tables and the meetings it staffs per session."""
    return await domain.register(session=session, principal=who, fair_id=fair_id, **body.model_dump())


@router.get("/{fair_id}/registrations", response_model=list[RegistrationRead], summary="Participants")
async def listed(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[Registration]:
    """The organizer sees all; others see validated participants and their own registration."""
    return await domain.listed(session=session, principal=who, fair_id=fair_id)


@router.get(
    "/{fair_id}/registrations/{registration_id}", response_model=RegistrationRead, summary="One participant"
)
async def one(
    fair_id: uuid.UUID, registration_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> Registration:
    """A registration the caller may see."""
    return await domain.one(session=session, principal=who, fair_id=fair_id, registration_id=registration_id)


@router.post(
    "/{fair_id}/registrations/{registration_id}/decision",
    response_model=RegistrationRead,
    summary="Validate or reject",
)
async def decide(
    fair_id: uuid.UUID,
    registration_id: uuid.UUID,
    body: RegistrationDecision,
    session: SessionDep,
    who: PrincipalDep,
) -> Registration:
    """The organizer validates (a bank gets its venue tables) or rejects."""
    return await domain.decide(
        session=session, principal=who, fair_id=fair_id, registration_id=registration_id, approve=body.approve
    )


@router.post(
    "/{fair_id}/registrations/{registration_id}/withdraw", response_model=RegistrationRead, summary="Withdraw"
)
async def withdraw(
    fair_id: uuid.UUID, registration_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> Registration:
    """The participant withdraws; its requests and meetings lapse."""
    return await domain.withdraw(
        session=session, principal=who, fair_id=fair_id, registration_id=registration_id
    )


@router.post(
    "/{fair_id}/registrations/{registration_id}/check-in", response_model=RegistrationRead, summary="Check in"
)
async def check_in(
    fair_id: uuid.UUID, registration_id: uuid.UUID, session: SessionDep, who: PrincipalDep
) -> Registration:
    """At the desk (organizer) or by the participant itself."""
    return await domain.check_in(
        session=session, principal=who, fair_id=fair_id, registration_id=registration_id
    )
