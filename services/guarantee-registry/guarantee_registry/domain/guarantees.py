"""Guarantees: which offers they may stand on, the guarantor's approval, and cancelling one issued in error."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import Guarantee, KnownOffer
from guarantee_registry.domain import services
from guarantee_registry.domain.rules import MANAGERS, GuaranteeStatus, OfferStatus, Policy, money
from smefin.auth import Principal, Role
from smefin.contracts.financing import OfferTerms
from smefin.contracts.guarantees import GuaranteeCancelled
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox


async def record_offer(session: AsyncSession, offer: OfferTerms, status: OfferStatus) -> None:
    """Keep loan-matching's offer (from offer.made / offer.accepted) to check guarantee requests against."""
    await repo.upsert_known_offer(
        session,
        KnownOffer(
            offer_id=offer.offer_id,
            request_id=offer.request_id,
            product_id=offer.product_id,
            uscc=offer.uscc,
            bank_org_id=offer.bank_org_id,
            amount=offer.amount,
            guaranteed=offer.guaranteed,
            guarantee_company_ids=[str(c) for c in offer.guarantee_company_ids],
            startup_micro_loan=offer.startup_micro_loan,
            status=status.value,
            updated_at=utcnow(),
        ),
    )


async def check_offer(
    session: AsyncSession, *, offer_id: UUID, company_id: UUID, uscc: str, bank_org_id: str, amount: Decimal
) -> KnownOffer:
    """A guarantee asked for directly must stand on a real accepted offer of that bank, for that SME,
    whose product accepts that company; it is never issued blind."""
    offer = await repo.get_known_offer(session, offer_id)
    if offer is None:
        raise Conflict(
            f"offer {offer_id} is not known here: a guarantee needs an offer the SME accepted on "
            "loan-matching; if it was just accepted, retry in a few seconds",
            details={"reason_code": "offer_unknown"},
        )
    if offer.bank_org_id != bank_org_id:
        raise Forbidden(f"offer {offer_id} is not an offer of {bank_org_id}")
    if offer.uscc != uscc:
        raise Unprocessable(f"offer {offer_id} was made to {offer.uscc}, not {uscc}")
    if offer.status != OfferStatus.ACCEPTED:
        raise Conflict(
            f"offer {offer_id} is {offer.status}, not accepted: only an accepted offer is guaranteed"
        )
    if not offer.guaranteed:
        raise Conflict(f"offer {offer_id} is on a product that needs no guarantee")
    if str(company_id) not in offer.guarantee_company_ids:
        raise Unprocessable(
            f"the product of offer {offer_id} does not accept guarantee company {company_id}; "
            f"it accepts: {', '.join(offer.guarantee_company_ids) or 'none'}"
        )
    if amount > offer.amount:
        raise Unprocessable(f"the guarantee ({amount}) exceeds the offer's amount ({offer.amount})")
    return offer


async def _own(session: AsyncSession, guarantee_id: UUID, principal: Principal) -> Guarantee:
    """The guarantee, locked, if the caller is its company's guarantor or the office (404 otherwise)."""
    g = await repo.get_guarantee(session, guarantee_id, for_update=True)
    if g is None or g.company_id is None:
        raise NotFound(f"guarantee {guarantee_id} not found")
    if principal.role not in MANAGERS:
        company = await repo.get_company(session, g.company_id)
        if principal.role != Role.GUARANTOR or company is None or company.owner_org_id != principal.org_id:
            raise NotFound(f"guarantee {guarantee_id} not found")
    return g


async def approve(
    *, session: AsyncSession, outbox: Outbox, policy: Policy, principal: Principal, guarantee_id: UUID
) -> Guarantee:
    """The guarantor says yes to a guarantee its rules held: issued now if its capacity still allows."""
    g = await _own(session, guarantee_id, principal)
    if g.status != GuaranteeStatus.PENDING_APPROVAL:
        raise Conflict(
            f"guarantee {guarantee_id} is {g.status}; only one waiting for approval can be approved"
        )
    assert g.company_id is not None
    return await services.request_guarantee(
        session,
        outbox,
        policy,
        services.GuaranteeRequest(
            offer_id=g.offer_id,
            request_id=g.request_id,
            uscc=g.uscc,
            bank_org_id=g.bank_org_id,
            amount=g.amount,
            company_ids=[str(g.company_id)],
            guarantor_share=g.guarantor_share,
            startup_micro_loan=g.startup_micro_loan,
            origin=g.origin,
            approved_by=g.company_id,
        ),
    )


async def decline(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, guarantee_id: UUID, reason: str
) -> Guarantee:
    """The guarantor says no: the guarantee is refused with its reason, and loan-matching hears of it."""
    g = await _own(session, guarantee_id, principal)
    if g.status != GuaranteeStatus.PENDING_APPROVAL:
        raise Conflict(
            f"guarantee {guarantee_id} is {g.status}; only one waiting for approval can be declined"
        )
    return await services.refuse(
        session, outbox, g, code="declined_by_guarantor", reason=f"declined by the guarantor: {reason}"
    )


async def cancel(
    *,
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    principal: Principal,
    guarantee_id: UUID,
    reason: str,
) -> Guarantee:
    """Cancel a guarantee issued in error: its liability leaves the company's outstanding, the audit
    trail and the SME's credit record say so (guarantee.cancelled)."""
    g = await _own(session, guarantee_id, principal)
    if g.status != GuaranteeStatus.ISSUED:
        raise Conflict(f"guarantee {guarantee_id} is {g.status}; only an issued guarantee can be cancelled")
    assert g.company_id is not None
    c = await repo.get_company(session, g.company_id, for_update=True)
    assert c is not None  # foreign key
    before = c.outstanding
    c.outstanding = max(money(c.outstanding - g.liability), money(Decimal(0)))
    g.status, g.reason_code, g.reason, g.updated_at = (
        GuaranteeStatus.CANCELLED.value,
        "cancelled",
        f"cancelled by {principal.org_id}: {reason}",
        utcnow(),
    )
    services.bump_version(c)
    await session.flush()
    await services.record_change(
        session,
        c,
        "guarantee_cancelled",
        {
            "outstanding": {"from": str(before), "to": str(c.outstanding)},
            "guarantee": {"id": str(g.id), "offer_id": str(g.offer_id), "reason": reason},
        },
        services.Actor.of(principal),
    )
    await outbox.add(
        session,
        GuaranteeCancelled(
            guarantee_id=g.id,
            company_id=c.id,
            offer_id=g.offer_id,
            uscc=g.uscc,
            amount=g.amount,
            reason=reason,
            cancelled_by=principal.org_id,
        ),
        subject=str(g.id),
    )
    await services.publish_capacity(session, outbox, policy, c)
    return g
