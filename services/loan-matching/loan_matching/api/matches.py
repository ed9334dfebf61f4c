"""Matches as banks see them: own products only, the requester anonymous until acceptance or consent."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import DeclineBody, MatchRead, OfferCreate, OfferRead
from loan_matching.db import access
from loan_matching.db.tables import FinancingRequest, Match, Offer
from loan_matching.domain import matches, offers
from smefin.auth import Role
from smefin.db import utcnow
from smefin.schemas import Limit, Offset, UtcDateTime

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])


@router.get("", response_model=list[MatchRead], summary="Matches proposed to my bank")
async def list_matches(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """A bank sees only matches on its own products (never queued ones)."""
    who.require(Role.BANK, Role.OFFICE)
    out = []
    for m in await access.page(session, Match, who, limit=limit, offset=offset, status=status):
        r = await session.get(FinancingRequest, m.request_id)
        assert r is not None  # a foreign key
        out.append(await matches.match_view(session=session, principal=who, match=m, request=r))
    return out


@router.get("/{match_id}", response_model=MatchRead)
async def get(match_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One match on the caller's product."""
    m, r = await matches.readable_match(session=session, principal=who, match_id=match_id)
    return await matches.match_view(session=session, principal=who, match=m, request=r)


@router.post("/{match_id}/offer", status_code=201, response_model=OfferRead, summary="Approve: make an offer")
async def approve(
    match_id: uuid.UUID, body: OfferCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Offer:
    """The bank approves, on the request's terms or its own (a counter-offer)."""
    return await offers.make_offer(
        session=session,
        outbox=outbox,
        principal=who,
        match_id=match_id,
        amount=body.amount,
        rate=body.rate,
        term_months=body.term_months,
    )


@router.post("/{match_id}/decline", response_model=MatchRead, summary="Decline with a reason")
async def decline(
    match_id: uuid.UUID,
    body: DeclineBody,
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """The bank declines; the next-best bank is proposed."""
    m, r = await matches.decline(
        session=session,
        outbox=outbox,
        principal=who,
        match_id=match_id,
        settings=settings,
        reason=body.reason,
    )
    return await matches.match_view(session=session, principal=who, match=m, request=r)


@router.post("/expire-due", summary="Expire matches past their decision deadline")
async def expire_due(
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
    settings: SettingsDep,
    as_of: UtcDateTime | None = None,
) -> dict[str, int]:
    """Operator job (also run periodically): each expired match moves its request to the next-best bank."""
    who.require(*access.MANAGERS)
    n = await matches.expire_due(session=session, outbox=outbox, settings=settings, as_of=as_of or utcnow())
    return {"expired": n}
