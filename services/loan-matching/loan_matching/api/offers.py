"""Offers: the SME sees and accepts one; the bank sees its own."""

import uuid

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import OfferRead
from loan_matching.db import access
from loan_matching.db.tables import Offer
from loan_matching.domain import offers
from smefin.auth import Role
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/offers", tags=["offers"])


@router.get("", response_model=list[OfferRead])
async def list_offers(
    session: SessionDep,
    who: PrincipalDep,
    request_id: uuid.UUID | None = None,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Offer]:
    """Offers to my enterprise (SME) or from my bank."""
    who.require(Role.SME, Role.BANK, Role.OFFICE)
    return await access.page(
        session, Offer, who, limit=limit, offset=offset, request_id=request_id, status=status
    )


@router.get("/{offer_id}", response_model=OfferRead)
async def get(offer_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Offer:
    """One offer."""
    return await access.get_readable(session, Offer, who, offer_id)


@router.post(
    "/{offer_id}/accept", response_model=OfferRead, summary="Accept this offer (others are withdrawn)"
)
async def accept(offer_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Offer:
    """The SME accepts; a guaranteed product waits for guarantee-registry."""
    return await offers.accept_offer(session=session, outbox=outbox, principal=who, offer_id=offer_id)
