"""Offers: the SME sees and accepts one; the bank sees its own."""

import uuid

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import OfferRead
from loan_matching.db import repositories as repo
from loan_matching.db.tables import FinancingRequest, Offer
from loan_matching.domain.workflow import accept_offer
from smefin.auth import Principal, Role
from smefin.errors import NotFound
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/offers", tags=["offers"])


async def visible(session: SessionDep, offer_id: uuid.UUID, who: Principal) -> Offer:
    """An offer to the caller's enterprise or from the caller's bank (404 otherwise)."""
    o = await session.get(Offer, offer_id)
    if o is None:
        raise NotFound("no such offer")
    if (
        who.role in (Role.OFFICE, Role.SERVICE)
        or (who.role == Role.SME and who.uscc == o.uscc)
        or (who.role == Role.BANK and who.org_id == o.bank_org_id)
    ):
        return o
    raise NotFound("no such offer")


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
    uscc = (who.uscc or "-") if who.role == Role.SME else None
    bank = who.org_id if who.role == Role.BANK else None
    return await repo.by_filter(
        session, Offer, limit, offset, uscc=uscc, bank_org_id=bank, request_id=request_id, status=status
    )


@router.get("/{offer_id}", response_model=OfferRead)
async def get(offer_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Offer:
    """One offer."""
    return await visible(session, offer_id, who)


@router.post(
    "/{offer_id}/accept", response_model=OfferRead, summary="Accept this offer (others are withdrawn)"
)
async def accept(offer_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Offer:
    """The SME accepts; a guaranteed product waits for guarantee-registry."""
    who.require(Role.SME)
    o = await visible(session, offer_id, who)
    r = await session.get(FinancingRequest, o.request_id, with_for_update=True)
    assert r is not None
    await accept_offer(session, outbox, o, r)
    return o
