"""Matches as banks see them: own products only, the requester anonymous until acceptance or consent."""

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import DeclineBody, MatchRead, OfferCreate, OfferRead
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise, FinancingRequest, Match, Offer, Product
from loan_matching.domain.workflow import drop_match, make_offer
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import NotFound
from smefin.schemas import Limit, Offset, UtcDateTime

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])


async def match_view(session: SessionDep, m: Match, r: FinancingRequest, who: Principal) -> dict[str, Any]:
    """The match with the requester profile a caller may see."""
    e = await session.get(Enterprise, r.uscc)
    requester: dict[str, Any] = {"anonymous": True}
    if e is not None:
        requester |= {
            "league_code": e.league_code,
            "industry": e.industry,
            "size_class": e.size_class,
            "grade": e.grade,
        }
    identified = (
        who.role != Role.BANK
        or await repo.accepted_with(session, r.id, who.org_id)
        or (await repo.live_consent(session, r.uscc, who.org_id, utcnow()))
    )
    if identified:
        requester |= {"anonymous": False, "uscc": r.uscc, "name": e.name if e else None}
    fields = {c: getattr(m, c) for c in MatchRead.model_fields if hasattr(m, c)}
    return fields | {"amount": r.amount, "term_months": r.term_months, "requester": requester}


async def bank_match(
    session: SessionDep, match_id: uuid.UUID, who: Principal
) -> tuple[Match, FinancingRequest]:
    """A match on one of the caller's products (404 for anyone else's)."""
    m = await session.get(Match, match_id)
    if m is None or m.status == "queued" or (who.role == Role.BANK and m.bank_org_id != who.org_id):
        raise NotFound("no such match")
    if who.role not in (Role.BANK, Role.OFFICE, Role.SERVICE):
        raise NotFound("no such match")
    r = await session.get(FinancingRequest, m.request_id)
    assert r is not None
    return m, r


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
    bank = who.org_id if who.role == Role.BANK else None
    rows = await repo.by_filter(session, Match, limit, offset, bank_org_id=bank, status=status)
    out = []
    for m in rows:
        if m.status != "queued":
            r = await session.get(FinancingRequest, m.request_id)
            assert r is not None
            out.append(await match_view(session, m, r, who))
    return out


@router.get("/{match_id}", response_model=MatchRead)
async def get(match_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One match on the caller's product."""
    m, r = await bank_match(session, match_id, who)
    return await match_view(session, m, r, who)


@router.post("/{match_id}/offer", status_code=201, response_model=OfferRead, summary="Approve: make an offer")
async def approve(
    match_id: uuid.UUID, body: OfferCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Offer:
    """The bank approves, on the request's terms or its own (a counter-offer)."""
    who.require(Role.BANK)
    m, r = await bank_match(session, match_id, who)
    p = await session.get(Product, m.product_id)
    assert p is not None
    return await make_offer(session, outbox, m, r, p, body.amount, body.rate, body.term_months)


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
    who.require(Role.BANK)
    m, r = await bank_match(session, match_id, who)
    await drop_match(session, outbox, m, r, settings, reason=body.reason)
    return await match_view(session, m, r, who)


@router.post("/expire-due", summary="Expire matches past their decision deadline")
async def expire_due(
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
    settings: SettingsDep,
    as_of: UtcDateTime | None = None,
) -> dict[str, int]:
    """Operator job (also run periodically): each expired match moves its request to the next-best bank."""
    who.require(Role.OFFICE, Role.SERVICE)
    return {"expired": await expire(session, outbox, settings, as_of or utcnow())}


async def expire(session: SessionDep, outbox: OutboxDep, settings: SettingsDep, as_of: datetime) -> int:
    """Expire every due proposal."""
    due = await repo.due_matches(session, as_of)
    for m in due:
        r = await session.get(FinancingRequest, m.request_id)
        assert r is not None
        await drop_match(session, outbox, m, r, settings, reason=None)
    return len(due)
