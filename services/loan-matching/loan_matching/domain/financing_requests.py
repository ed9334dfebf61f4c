"""Financing requests (融资需求): an SME submits and withdraws; matching runs on the event or on demand."""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise, FinancingRequest
from loan_matching.domain.matches import run_matching
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.offers import withdraw_standing
from loan_matching.domain.statuses import MatchStatus, RequestStatus
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.errors import Conflict, Forbidden
from smefin.outbox import Outbox

# Once an offer is taken the request belongs to the loan; withdrawing it would strand the bank.
NOT_WITHDRAWABLE = (
    RequestStatus.ACCEPTED,
    RequestStatus.PENDING_GUARANTEE,
    RequestStatus.DISBURSED,
    RequestStatus.WITHDRAWN,
)


async def submit(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, need: dict[str, Any]
) -> FinancingRequest:
    """Record the SME's need; matching runs when `financing_request.submitted` is consumed."""
    principal.require(Role.SME)
    if not principal.uscc:
        raise Forbidden("your token names no enterprise (uscc)")
    if await session.get(Enterprise, principal.uscc) is None:
        raise Conflict(
            f"enterprise {principal.uscc} is not in the SME basic database yet (no enterprise.registered "
            "seen); register it with credit-info first, then submit again"
        )
    r = FinancingRequest(uscc=principal.uscc, **need)
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


async def match_now(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    request_id: uuid.UUID,
    model: MatchingModel,
    settings: Settings,
) -> dict[str, Any]:
    """Re-rank every live product for a request the caller may read (on demand)."""
    r = await access.get_readable(session, FinancingRequest, principal, request_id, lock=True)
    return await run_matching(session=session, outbox=outbox, request=r, model=model, settings=settings)


async def withdraw(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, request_id: uuid.UUID
) -> FinancingRequest:
    """The SME withdraws its request; open proposals and standing offers lapse."""
    principal.require(Role.SME)
    r = await access.get_readable(session, FinancingRequest, principal, request_id, lock=True)
    if r.status in NOT_WITHDRAWABLE:
        raise Conflict(f"request is {r.status} and can no longer be withdrawn")
    r.status = RequestStatus.WITHDRAWN
    for m in await repo.matches_of(session, r.id):
        if m.status in (MatchStatus.QUEUED, MatchStatus.PROPOSED, MatchStatus.OFFERED):
            m.status = MatchStatus.WITHDRAWN
    await withdraw_standing(session=session, outbox=outbox, request=r, reason="the SME withdrew the request")
    await outbox.add(session, ev.FinancingRequestWithdrawn(request_id=r.id, uscc=r.uscc), subject=str(r.id))
    return r
