"""Guarantees: which offers they may stand on, the guarantor's approval, and cancelling one issued in error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import Guarantee, GuaranteeCompany, KnownOffer, ReguaranteeAgreement
from guarantee_registry.domain import compensation_funds
from guarantee_registry.domain.companies import Actor, bump_version, publish_capacity, record_change
from guarantee_registry.domain.rules import (
    MANAGERS,
    ZERO,
    GuaranteeStatus,
    OfferStatus,
    Policy,
    Refusal,
    capacity_of,
    ceded,
    check_capacity,
    fund_for,
    liability_of,
    money,
)
from smefin.auth import Principal, Role
from smefin.contracts.financing import OfferTerms
from smefin.contracts.guarantees import (
    GuaranteeCancelled,
    GuaranteeClaimed,
    GuaranteeIssued,
    GuaranteeRefused,
    GuaranteeReleased,
)
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox


@dataclass(frozen=True)
class GuaranteeRequest:
    """A guarantee asked for an offer, naming the guarantors in order of preference."""

    offer_id: UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
    company_ids: Sequence[str]
    request_id: UUID | None = None
    guarantor_share: Decimal | None = None
    startup_micro_loan: bool | None = None
    size_class: str | None = None  # the borrower's, for the small and micro compensation scheme
    origin: str = "event"
    # Set when the named company itself approves a guarantee its rules held for approval.
    approved_by: UUID | None = None


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


async def request_guarantee(
    session: AsyncSession, outbox: Outbox, policy: Policy, req: GuaranteeRequest
) -> Guarantee:
    """Issue the guarantee with the first named company that has capacity, or record the refusal."""
    g = await repo.guarantee_by_offer(session, req.offer_id, for_update=True)
    reopen = GuaranteeStatus.REFUSED, GuaranteeStatus.PENDING_APPROVAL if req.approved_by else None
    if g is not None and g.status not in reopen:
        return g  # issued, waiting for approval, or settled: a repeated request changes nothing
    share = req.guarantor_share if req.guarantor_share is not None else policy.default_guarantor_share
    liability = liability_of(req.amount, share)
    micro = (
        req.startup_micro_loan
        if req.startup_micro_loan is not None
        else req.amount <= policy.startup_micro_loan_max
    )
    if g is None:
        g = Guarantee(
            offer_id=req.offer_id,
            uscc=req.uscc,
            bank_org_id=req.bank_org_id,
            amount=req.amount,
            guarantor_share=share,
            status=GuaranteeStatus.REFUSED.value,
            origin=req.origin,
        )
    g.request_id, g.amount, g.guarantor_share, g.startup_micro_loan = req.request_id, req.amount, share, micro
    g.size_class, g.updated_at = req.size_class, utcnow()
    ids = list(dict.fromkeys(i for i in map(_uuid, req.company_ids) if i is not None))
    agreements = await repo.active_agreements(session, ids)
    # The re-guarantors are locked with the companies, all in id order, so no two requests deadlock.
    locked = await repo.lock_companies(session, [*ids, *(a.reguarantor_id for a in agreements.values())])
    refusals: list[Refusal] = []
    if not req.company_ids:
        refusals.append(Refusal("no_guarantor_named", "the offer names no guarantee company"))
    elif not locked:
        refusals.append(Refusal("company_not_found", "none of the named guarantee companies is registered"))
    for cid in ids:
        c = locked.get(cid)
        if c is None:
            continue
        reguarantor, cession = await _cession(
            session, policy, agreements.get(c.id), locked, req.uscc, liability
        )
        cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
        refusal = check_capacity(
            cap, await repo.client_exposure(session, c.id, req.uscc), liability - cession
        )
        g.company_id = c.id
        if refusal is not None:
            refusals.append(refusal)
            continue
        if c.approval_required and req.approved_by != c.id:
            # Held, not issued: the company's own yes comes first (its capacity is checked again then).
            g.status, g.liability, g.reason_code = GuaranteeStatus.PENDING_APPROVAL.value, ZERO, None
            g.reason = f"waiting for {c.name} to approve the guarantee, as its rules require"
            session.add(g)
            await session.flush()
            return g
        g.status, g.liability, g.reason_code, g.reason = GuaranteeStatus.ISSUED.value, liability, None, None
        g.ceded_liability, g.reguarantor_id = cession, reguarantor.id if reguarantor else None
        c.outstanding = money(c.outstanding + liability - cession)
        if reguarantor is not None:
            reguarantor.outstanding = money(reguarantor.outstanding + cession)
        session.add(g)
        await session.flush()
        await outbox.add(
            session,
            GuaranteeIssued(
                guarantee_id=g.id,
                company_id=c.id,
                offer_id=g.offer_id,
                uscc=g.uscc,
                amount=g.amount,
                guarantor_share=share,
                bank_share=100 - share,
                ceded_liability=cession,
                reguarantor_id=g.reguarantor_id,
            ),
            subject=str(g.id),
        )
        await publish_capacity(session, outbox, policy, c)
        if reguarantor is not None:
            await publish_capacity(session, outbox, policy, reguarantor)
        return g
    return await refuse(
        session, outbox, g, code=refusals[-1].code, reason="; ".join(r.reason for r in refusals)
    )


async def _cession(
    session: AsyncSession,
    policy: Policy,
    agreement: ReguaranteeAgreement | None,
    locked: dict[UUID, GuaranteeCompany],
    uscc: str,
    liability: Decimal,
) -> tuple[GuaranteeCompany | None, Decimal]:
    """The re-guarantor and the part of `liability` it takes over, when its own capacity allows (再担保)."""
    reguarantor = locked.get(agreement.reguarantor_id) if agreement else None
    if agreement is None or reguarantor is None:
        return None, ZERO
    part = ceded(liability, agreement.share)
    cap = capacity_of(
        reguarantor.net_assets, reguarantor.outstanding, reguarantor.serves_small_micro_agri, policy
    )
    if check_capacity(cap, await repo.client_exposure(session, reguarantor.id, uscc), part) is not None:
        return None, ZERO  # the re-guarantor is full: the guarantor must carry it all, or refuse
    return reguarantor, part


async def refuse(session: AsyncSession, outbox: Outbox, g: Guarantee, *, code: str, reason: str) -> Guarantee:
    """Record the refusal and tell loan-matching why (guarantee.refused)."""
    g.status, g.liability, g.reason_code, g.reason = GuaranteeStatus.REFUSED.value, ZERO, code, reason[:4000]
    g.updated_at = utcnow()
    session.add(g)
    await session.flush()
    await outbox.add(
        session,
        GuaranteeRefused(
            company_id=g.company_id,
            offer_id=g.offer_id,
            uscc=g.uscc,
            reason=g.reason,
            reason_code=g.reason_code,
        ),
        subject=str(g.id),
    )
    return g


@dataclass(frozen=True)
class Settled:
    """A guarantee leaving the books, with its guarantor and re-guarantor (both locked)."""

    g: Guarantee
    c: GuaranteeCompany
    reguarantor: GuaranteeCompany | None


async def _settle(session: AsyncSession, offer_id: UUID) -> Settled | None:
    g = await repo.guarantee_by_offer(session, offer_id, for_update=True)
    if g is None or g.status != GuaranteeStatus.ISSUED or g.company_id is None:
        return None  # not guaranteed here, refused, or already settled: nothing to do
    return await _take_off_books(session, g)


async def _take_off_books(session: AsyncSession, g: Guarantee) -> Settled:
    """Release an issued guarantee's liability from the guarantor and its re-guarantor."""
    assert g.company_id is not None
    locked = await repo.lock_companies(
        session, [g.company_id, *([g.reguarantor_id] if g.reguarantor_id else [])]
    )
    c = locked[g.company_id]  # foreign keys
    c.outstanding = max(money(c.outstanding - (g.liability - g.ceded_liability)), ZERO)
    reguarantor = locked.get(g.reguarantor_id) if g.reguarantor_id else None
    if reguarantor is not None:
        reguarantor.outstanding = max(money(reguarantor.outstanding - g.ceded_liability), ZERO)
    return Settled(g, c, reguarantor)


async def _publish_capacities(session: AsyncSession, outbox: Outbox, policy: Policy, s: Settled) -> None:
    await publish_capacity(session, outbox, policy, s.c)
    if s.reguarantor is not None:
        await publish_capacity(session, outbox, policy, s.reguarantor)


async def release_guarantee(
    session: AsyncSession, outbox: Outbox, policy: Policy, offer_id: UUID, loan_id: UUID | None
) -> Guarantee | None:
    """The loan was repaid: release the guarantor's liability."""
    settled = await _settle(session, offer_id)
    if settled is None:
        return None
    g, c = settled.g, settled.c
    g.status, g.loan_id, g.updated_at = GuaranteeStatus.RELEASED.value, loan_id, utcnow()
    await session.flush()
    await outbox.add(
        session,
        GuaranteeReleased(
            guarantee_id=g.id, company_id=c.id, offer_id=g.offer_id, uscc=g.uscc, amount=g.amount
        ),
        subject=str(g.id),
    )
    await _publish_capacities(session, outbox, policy, settled)
    return g


async def claim_guarantee(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    offer_id: UUID,
    loan_id: UUID | None,
    principal: Decimal,
) -> Guarantee | None:
    """The loan defaulted: the guarantor pays its share of the outstanding principal (代偿), a re-guarantor
    its ceded part of that; for start-up micro loans and small or micro clients a compensation fund
    reimburses part of the guarantor's own payment, within what the fund holds; the rest reduces net assets."""
    settled = await _settle(session, offer_id)
    if settled is None:
        return None
    g, c, reguarantor = settled.g, settled.c, settled.reguarantor
    paid = liability_of(min(principal, g.amount), g.guarantor_share)
    reguarantor_paid = money(paid * g.ceded_liability / g.liability) if g.liability > 0 else ZERO
    own_paid = paid - reguarantor_paid
    fund = fund_for(g.startup_micro_loan, g.size_class)
    comp = ZERO
    if fund is not None:
        comp = await compensation_funds.pay_out(
            session=session, policy=policy, fund=fund, guarantee=g, paid=own_paid
        )
    g.status, g.loan_id, g.updated_at = GuaranteeStatus.CLAIMED.value, loan_id, utcnow()
    g.claim_principal, g.guarantor_paid, g.risk_compensation = principal, paid, comp
    g.compensation_fund, g.reguarantor_paid = (fund.value if comp > 0 and fund else None), reguarantor_paid
    before = c.net_assets
    c.net_assets = money(c.net_assets - own_paid + comp)
    bump_version(c)
    await session.flush()
    claim = {"guarantee_id": str(g.id), "paid": str(own_paid), "risk_compensation": str(comp)}
    await record_change(
        session,
        c,
        "guarantee_claimed",
        {"net_assets": {"from": str(before), "to": str(c.net_assets)}, "claim": claim},
        Actor.event("loan.defaulted"),
    )
    if reguarantor is not None and reguarantor_paid > 0:
        r_before = reguarantor.net_assets
        reguarantor.net_assets = money(reguarantor.net_assets - reguarantor_paid)
        bump_version(reguarantor)
        await session.flush()
        await record_change(
            session,
            reguarantor,
            "reguarantee_claimed",
            {
                "net_assets": {"from": str(r_before), "to": str(reguarantor.net_assets)},
                "claim": {"guarantee_id": str(g.id), "paid": str(reguarantor_paid), "for_company": str(c.id)},
            },
            Actor.event("loan.defaulted"),
        )
    await outbox.add(
        session,
        GuaranteeClaimed(
            guarantee_id=g.id,
            company_id=c.id,
            offer_id=g.offer_id,
            uscc=g.uscc,
            amount=g.amount,
            risk_compensation=comp,
            guarantor_paid=paid,
            startup_micro_loan=g.startup_micro_loan,
            compensation_fund=g.compensation_fund,
            reguarantor_paid=reguarantor_paid,
        ),
        subject=str(g.id),
    )
    await _publish_capacities(session, outbox, policy, settled)
    return g


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
            size_class=offer.size_class,
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
    return await request_guarantee(
        session,
        outbox,
        policy,
        GuaranteeRequest(
            offer_id=g.offer_id,
            request_id=g.request_id,
            uscc=g.uscc,
            bank_org_id=g.bank_org_id,
            amount=g.amount,
            company_ids=[str(g.company_id)],
            guarantor_share=g.guarantor_share,
            startup_micro_loan=g.startup_micro_loan,
            size_class=g.size_class,
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
    return await refuse(
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
    c = await repo.get_company(session, g.company_id, for_update=False) if g.company_id else None
    assert c is not None  # an issued guarantee has its company
    before = c.outstanding
    settled = await _take_off_books(session, g)
    g.status, g.reason_code, g.reason, g.updated_at = (
        GuaranteeStatus.CANCELLED.value,
        "cancelled",
        f"cancelled by {principal.org_id}: {reason}",
        utcnow(),
    )
    bump_version(c)
    await session.flush()
    await record_change(
        session,
        c,
        "guarantee_cancelled",
        {
            "outstanding": {"from": str(before), "to": str(c.outstanding)},
            "guarantee": {"id": str(g.id), "offer_id": str(g.offer_id), "reason": reason},
        },
        Actor.of(principal),
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
    await _publish_capacities(session, outbox, policy, settled)
    return g
