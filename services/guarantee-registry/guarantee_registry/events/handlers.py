"""Which events guarantee-registry consumes, and what it does with each."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db.tables import messaging
from guarantee_registry.domain import guarantees
from guarantee_registry.domain.rules import OfferStatus, Policy
from smefin.consumer import Handler, PermanentError
from smefin.contracts import Envelope, Topic
from smefin.contracts.financing import LoanDefaulted, LoanRepaid, OfferAccepted, OfferMade
from smefin.outbox import Outbox

CONSUMED_TOPICS: list[str] = [Topic.FINANCING]
OUTBOX = Outbox(messaging.outbox, source="guarantee-registry")


def make_handlers(policy: Policy) -> dict[str, Handler]:
    """Handlers bound to the service's policy figures."""

    async def offer_made(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, OfferMade)
        await guarantees.record_offer(session, payload, OfferStatus.MADE)

    async def offer_accepted(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, OfferAccepted)
        await guarantees.record_offer(session, payload, OfferStatus.ACCEPTED)
        if not payload.guaranteed:
            return
        if payload.amount <= 0:
            raise PermanentError(f"offer {payload.offer_id} has a non-positive amount {payload.amount}")
        # Producers older than the field omit it: then the registry falls back to its amount rule.
        micro = payload.startup_micro_loan if "startup_micro_loan" in envelope.payload else None
        await guarantees.request_guarantee(
            session,
            OUTBOX,
            policy,
            guarantees.GuaranteeRequest(
                offer_id=payload.offer_id,
                request_id=payload.request_id,
                uscc=payload.uscc,
                bank_org_id=payload.bank_org_id,
                amount=payload.amount,
                company_ids=payload.guarantee_company_ids,
                startup_micro_loan=micro,
                size_class=payload.size_class,
            ),
        )

    async def loan_repaid(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, LoanRepaid)
        await guarantees.release_guarantee(session, OUTBOX, policy, payload.offer_id, payload.loan_id)

    async def loan_defaulted(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
        assert isinstance(payload, LoanDefaulted)
        if payload.amount < 0:
            raise PermanentError(
                f"loan {payload.loan_id} defaulted with a negative principal {payload.amount}"
            )
        await guarantees.claim_guarantee(
            session, OUTBOX, policy, payload.offer_id, payload.loan_id, payload.amount
        )

    return {
        "offer.made": offer_made,
        "offer.accepted": offer_accepted,
        "loan.repaid": loan_repaid,
        "loan.defaulted": loan_defaulted,
    }
