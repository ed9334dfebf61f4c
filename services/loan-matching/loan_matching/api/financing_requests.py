"""Financing requests: an SME submits, follows and withdraws its needs; matching on demand."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import ModelDep, OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.matches import match_view
from loan_matching.api.schemas import FinancingRequestCreate, FinancingRequestRead, MatchRead
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise, FinancingRequest
from loan_matching.domain.workflow import run_matching
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.errors import Conflict, Forbidden, NotFound
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/financing-requests", tags=["financing-requests"])


async def readable(session: SessionDep, request_id: uuid.UUID, who: Principal) -> FinancingRequest:
    """The SME's own request, or any for the office/service; 404 otherwise (existence is private)."""
    r = await session.get(FinancingRequest, request_id)
    if r is None:
        raise NotFound("no such financing request")
    if who.role in (Role.OFFICE, Role.SERVICE):
        return r
    if who.role == Role.SME and who.uscc == r.uscc:
        return r
    raise NotFound("no such financing request")


@router.post("", status_code=201, response_model=FinancingRequestRead, summary="Submit a financing need")
async def submit(
    body: FinancingRequestCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> FinancingRequest:
    """Record the request; matching runs when `financing_request.submitted` is consumed."""
    who.require(Role.SME)
    if not who.uscc:
        raise Forbidden("your token names no enterprise (uscc)")
    if await session.get(Enterprise, who.uscc) is None:
        raise Conflict(
            f"enterprise {who.uscc} is not in the SME basic database yet (no enterprise.registered seen); "
            "register it with credit-info first, then submit again"
        )
    r = FinancingRequest(uscc=who.uscc, **body.model_dump(mode="python"))
    session.add(r)
    await session.flush()
    await outbox.add(
        session,
        ev.FinancingRequestSubmitted(
            request_id=r.id,
            uscc=r.uscc,
            amount=r.amount,
            term_months=r.term_months,
            purpose=r.purpose,
            collateral_available=r.collateral_available,
        ),
        subject=str(r.id),
    )
    return r


@router.get("", response_model=list[FinancingRequestRead], summary="List requests")
async def list_requests(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[FinancingRequest]:
    """An SME sees its own; the office sees all; banks see requests through their matches."""
    if who.role == Role.SME:
        return await repo.by_filter(
            session, FinancingRequest, limit, offset, uscc=who.uscc or "-", status=status
        )
    who.require(Role.OFFICE, Role.SERVICE)
    return await repo.by_filter(session, FinancingRequest, limit, offset, status=status)


@router.get("/{request_id}", response_model=FinancingRequestRead)
async def get(request_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> FinancingRequest:
    """One request with its status and the products it missed, with reasons."""
    return await readable(session, request_id, who)


@router.get("/{request_id}/matches", response_model=list[MatchRead], summary="The request's ranked matches")
async def matches(request_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """Every bank's best product for the request, ranked by expected value, with reasons."""
    r = await readable(session, request_id, who)
    return [await match_view(session, m, r, who) for m in await repo.matches_of(session, r.id)]


@router.post("/{request_id}/match", summary="Match now (on demand)")
async def match_now(
    request_id: uuid.UUID,
    session: SessionDep,
    outbox: OutboxDep,
    who: PrincipalDep,
    model: ModelDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Re-rank every live product for the request."""
    r = await readable(session, request_id, who)
    return await run_matching(session, outbox, r, model, settings)


@router.post("/{request_id}/withdraw", response_model=FinancingRequestRead)
async def withdraw(
    request_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> FinancingRequest:
    """The SME withdraws; open proposals and offers lapse."""
    who.require(Role.SME)
    r = await readable(session, request_id, who)
    if r.status in ("accepted", "pending_guarantee", "disbursed", "withdrawn"):
        raise Conflict(f"request is {r.status} and can no longer be withdrawn")
    r.status = "withdrawn"
    for m in await repo.matches_of(session, r.id):
        if m.status in ("queued", "proposed", "offered"):
            m.status = "withdrawn"
    for o in await repo.offers_of(session, r.id):
        if o.status == "made":
            o.status, o.status_reason = "withdrawn", "the SME withdrew the request"
            await outbox.add(
                session,
                ev.OfferWithdrawn(
                    offer_id=o.id, request_id=r.id, bank_org_id=o.bank_org_id, reason=o.status_reason
                ),
                subject=str(r.id),
            )
    await outbox.add(session, ev.FinancingRequestWithdrawn(request_id=r.id, uscc=r.uscc), subject=str(r.id))
    return r
