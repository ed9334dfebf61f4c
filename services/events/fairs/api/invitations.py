"""Invitations from live data, in one action, with the reasons."""

import uuid

from fastapi import APIRouter

from fairs.api.deps import PrincipalDep, SessionDep
from fairs.api.schemas import InvitationRead
from fairs.db.tables import Invitation
from fairs.domain import invitations as domain

router = APIRouter(prefix="/api/v1/fairs", tags=["invitations"])


@router.post(
    "/{fair_id}/invitations",
    response_model=list[InvitationRead],
    summary="Invite from open requests and matches",
)
async def invite(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[Invitation]:
    """Every SME with an open request in scope and every bank matched to one; repeatable."""
    return await domain.invite(session=session, principal=who, fair_id=fair_id)


@router.get("/{fair_id}/invitations", response_model=list[InvitationRead], summary="Who was invited and why")
async def invited(fair_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[Invitation]:
    """The organizer's list."""
    return await domain.invited(session=session, principal=who, fair_id=fair_id)
