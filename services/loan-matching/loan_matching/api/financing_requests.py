"""Financing requests: an SME submits, follows and withdraws its needs; matching on demand."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import ModelDep, OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import FinancingRequestCreate, FinancingRequestRead, MatchRead
from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import FinancingRequest
from loan_matching.domain import financing_requests
from loan_matching.domain.matches import match_view
from smefin.auth import Role
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/financing-requests", tags=["financing-requests"])


@router.post("", status_code=201, response_model=FinancingRequestRead, summary="Submit a financing need")
async def submit(
    body: FinancingRequestCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> FinancingRequest:
    """Record the request; matching runs when `financing_request.submitted` is consumed."""
    return await financing_requests.submit(
        session=session, outbox=outbox, principal=who, need=body.model_dump(mode="python")
    )


@router.get("", response_model=list[FinancingRequestRead], summary="List requests")
async def list_requests(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[FinancingRequest]:
    """An SME sees its own; the office sees all; banks see requests through their matches."""
    who.require(Role.SME, Role.OFFICE, Role.SERVICE)
    return await access.page(session, FinancingRequest, who, limit=limit, offset=offset, status=status)


@router.get("/{request_id}", response_model=FinancingRequestRead)
async def get(request_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> FinancingRequest:
    """One request with its status and the products it missed, with reasons."""
    return await access.get_readable(session, FinancingRequest, who, request_id)


@router.get("/{request_id}/matches", response_model=list[MatchRead], summary="The request's ranked matches")
async def matches(request_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """Every bank's best product for the request, ranked by expected value, with reasons."""
    r = await access.get_readable(session, FinancingRequest, who, request_id)
    return [
        await match_view(session=session, principal=who, match=m, request=r)
        for m in await repo.matches_of(session, r.id)
    ]


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
    return await financing_requests.match_now(
        session=session, outbox=outbox, principal=who, request_id=request_id, model=model, settings=settings
    )


@router.post("/{request_id}/withdraw", response_model=FinancingRequestRead)
async def withdraw(
    request_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> FinancingRequest:
    """The SME withdraws; open proposals and offers lapse."""
    return await financing_requests.withdraw(
        session=session, outbox=outbox, principal=who, request_id=request_id
    )
