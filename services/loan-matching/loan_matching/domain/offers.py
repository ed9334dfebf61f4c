"""Offers: a bank approves a proposal, the SME accepts one, guarantee-registry settles guaranteed ones."""

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise, FinancingRequest, Match, Offer, Product
from loan_matching.domain.matches import propose_next, readable_match, record_outcome
from loan_matching.domain.quota_room import bank_rooms
from loan_matching.domain.scoring import GUARANTEED_KINDS
from loan_matching.domain.statuses import (
    ACTIVE_MATCH,
    DECIDING_REQUEST,
    TAKEN_OFFER,
    MatchStatus,
    OfferStatus,
    OutcomeSource,
    RequestStatus,
)
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, Unprocessable
from smefin.outbox import Outbox


def terms(o: Offer) -> dict[str, Any]:
    """The offer's terms as every offer event carries them."""
    return {
        "offer_id": o.id,
        "request_id": o.request_id,
        "match_id": o.match_id,
        "uscc": o.uscc,
        "bank_org_id": o.bank_org_id,
        "product_id": o.product_id,
        "amount": o.amount,
        "rate": o.rate,
        "term_months": o.term_months,
        "guaranteed": o.guaranteed,
        "guarantee_company_ids": o.guarantee_company_ids,
    }


async def make_offer(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    match_id: uuid.UUID,
    amount: Decimal | None,
    rate: Decimal | None,
    term_months: int | None,
) -> Offer:
    """The bank approves a proposed match, on the requested terms or on its own (a counter-offer)."""
    principal.require(Role.BANK)
    m, req = await readable_match(session=session, principal=principal, match_id=match_id, lock=True)
    product = await session.get(Product, m.product_id)
    assert product is not None  # a foreign key
    if m.status != MatchStatus.PROPOSED:
        raise Conflict(f"match is {m.status}; only a proposed match can be approved")
    if m.decision_deadline is not None and m.decision_deadline < utcnow():
        raise Conflict("the decision deadline has passed; the match is being expired")
    if req.status not in DECIDING_REQUEST:
        raise Conflict(f"request is {req.status}")
    amount = amount if amount is not None else req.amount
    rate = rate if rate is not None else m.indicative_rate
    term = term_months if term_months is not None else req.term_months
    if not (product.min_amount <= amount <= product.max_amount):
        raise Unprocessable(
            f"amount must be within the product's range {product.min_amount}-{product.max_amount}"
        )
    await check_bank_quota(session=session, bank_org_id=m.bank_org_id, amount=amount)
    guaranteed = product.requires_guarantee or product.kind in GUARANTEED_KINDS
    o = Offer(
        match_id=m.id,
        request_id=req.id,
        product_id=product.id,
        bank_org_id=m.bank_org_id,
        uscc=req.uscc,
        amount=amount,
        rate=rate,
        term_months=term,
        counter_offer=(amount != req.amount or rate != m.indicative_rate or term != req.term_months),
        guaranteed=guaranteed,
        guarantee_company_ids=list(product.accepted_guarantee_company_ids),
    )
    session.add(o)
    m.status = MatchStatus.OFFERED
    req.status = RequestStatus.OFFERED
    await session.flush()
    await outbox.add(session, ev.OfferMade(**terms(o)), subject=str(req.id))
    return o


async def check_bank_quota(*, session: AsyncSession, bank_org_id: str, amount: Decimal) -> None:
    """Refuse (409) an offer beyond the bank's dedicated SME credit quota (专门信贷指标) this period.

    The bank's quota row is locked, so two offers of one bank cannot both take its last room.
    """
    quota = await repo.bank_quota_of(session, bank_org_id, lock=True)
    if quota is None:
        return
    room = (await bank_rooms(session, [bank_org_id]))[bank_org_id]
    if (why := room.refusal(amount)) is not None:
        raise Conflict(why)


async def accept_offer(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, offer_id: uuid.UUID
) -> Offer:
    """The SME takes one offer; every other offer and proposal on the request is withdrawn."""
    principal.require(Role.SME)
    o = await access.get_readable(session, Offer, principal, offer_id, lock=True)
    req = await session.get(FinancingRequest, o.request_id, with_for_update=True)
    assert req is not None  # a foreign key
    if o.status != OfferStatus.MADE:
        raise Conflict(f"offer is {o.status}; only a standing offer can be accepted")
    if req.status != RequestStatus.OFFERED:
        raise Conflict(f"request is {req.status}; it already has an accepted offer or is closed")
    for other in await repo.offers_of(session, req.id):
        if other.id != o.id and other.status == OfferStatus.MADE:
            await _withdraw(session, outbox, other, "the SME accepted another offer")
    for m in await repo.matches_of(session, req.id):
        if m.id == o.match_id:
            record_outcome(session, m, 1, OutcomeSource.OFFER_ACCEPTED)
        elif m.status in ACTIVE_MATCH:
            if m.status == MatchStatus.OFFERED:
                record_outcome(session, m, 0, OutcomeSource.OFFER_WITHDRAWN)
            m.status = MatchStatus.WITHDRAWN
    o.status = OfferStatus.PENDING_GUARANTEE if o.guaranteed else OfferStatus.ACCEPTED
    o.accepted_at = utcnow()
    req.status = RequestStatus.PENDING_GUARANTEE if o.guaranteed else RequestStatus.ACCEPTED
    product = await session.get(Product, o.product_id)
    micro = product is not None and product.kind == "startup_micro_guaranteed"
    borrower = await session.get(Enterprise, o.uscc)
    accepted = ev.OfferAccepted(
        **terms(o), startup_micro_loan=micro, size_class=borrower.size_class if borrower else None
    )
    await outbox.add(session, accepted, subject=str(req.id))
    if not o.guaranteed:
        await outbox.add(
            session,
            ev.OfferCompleted(offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id),
            subject=str(req.id),
        )
    return o


async def _withdraw(session: AsyncSession, outbox: Outbox, o: Offer, reason: str) -> None:
    o.status, o.status_reason = OfferStatus.WITHDRAWN, reason
    await outbox.add(
        session,
        ev.OfferWithdrawn(offer_id=o.id, request_id=o.request_id, bank_org_id=o.bank_org_id, reason=reason),
        subject=str(o.request_id),
    )


async def withdraw_standing(
    *, session: AsyncSession, outbox: Outbox, request: FinancingRequest, reason: str
) -> None:
    """Withdraw every offer still standing on the request."""
    for o in await repo.offers_of(session, request.id):
        if o.status == OfferStatus.MADE:
            await _withdraw(session, outbox, o, reason)


async def guarantee_result(
    *,
    session: AsyncSession,
    outbox: Outbox,
    offer: Offer,
    request: FinancingRequest,
    settings: Settings,
    guarantee_id: uuid.UUID | None,
    reason: str | None,
) -> None:
    """guarantee.issued completes a pending offer; guarantee.refused fails it and reopens the request."""
    o, req = offer, request
    if o.status != OfferStatus.PENDING_GUARANTEE:
        return  # already settled: a late or repeated answer changes nothing
    if guarantee_id is not None:
        o.status, o.guarantee_id = OfferStatus.ACCEPTED, guarantee_id
        req.status = RequestStatus.ACCEPTED
        await outbox.add(
            session,
            ev.OfferCompleted(
                offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id, guarantee_id=guarantee_id
            ),
            subject=str(req.id),
        )
        return
    o.status, o.status_reason = OfferStatus.FAILED, f"guarantee refused: {reason}"
    m = await session.get(Match, o.match_id)
    if m is not None and m.status in ACTIVE_MATCH:
        m.status = MatchStatus.FAILED  # else it would hold a proposal slot the next bank needs
    req.status = RequestStatus.MATCHED
    req.status_reason = f"offer {o.id} failed: guarantee refused: {reason}"
    await outbox.add(
        session,
        ev.OfferFailed(offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id, reason=o.status_reason),
        subject=str(req.id),
    )
    await session.flush()
    await propose_next(session=session, outbox=outbox, request=req, settings=settings)


async def guarantee_cancelled(
    *,
    session: AsyncSession,
    outbox: Outbox,
    offer: Offer,
    request: FinancingRequest,
    settings: Settings,
    reason: str,
) -> None:
    """guarantee.cancelled: an offer not yet paid out loses its footing and fails (the request reopens);
    a loan already disbursed stands, with the cancellation noted on its offer."""
    o = offer
    if o.status not in TAKEN_OFFER:
        return
    o.guarantee_id = None
    paid_out = await repo.loan_of_offer(session, o.id) is not None
    if paid_out or o.status not in (OfferStatus.ACCEPTED, OfferStatus.PENDING_GUARANTEE):
        o.status_reason = f"guarantee cancelled after disbursement: {reason}"
        return
    o.status = OfferStatus.PENDING_GUARANTEE  # so that guarantee_result settles it exactly as a refusal
    await guarantee_result(
        session=session,
        outbox=outbox,
        offer=o,
        request=request,
        settings=settings,
        guarantee_id=None,
        reason=f"cancelled: {reason}",
    )
