"""Which events the events service consumes, and what it does with each: projections only, so
invitations and the scheduler read local data and never call another service synchronously."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import projections
from fairs.settings import Settings
from smefin.consumer import Handler
from smefin.contracts import Envelope, Topic
from smefin.contracts import enterprises as ent
from smefin.contracts import financing as fin
from smefin.db import utcnow

CONSUMED_TOPICS: list[str] = [Topic.ENTERPRISES, Topic.FINANCING]


async def on_profile(session: AsyncSession, env: Envelope, p: ent.EnterpriseProfile) -> None:
    """Keep the enterprise's league and industry for the fair's scope."""
    await projections.upsert_enterprise(
        session,
        {
            "uscc": p.uscc,
            "name": p.name,
            "league_code": p.league_code,
            "industry": p.industry,
            "updated_at": utcnow(),
        },
    )


async def on_submitted(session: AsyncSession, env: Envelope, p: fin.FinancingRequestSubmitted) -> None:
    """An open request: its SME may be invited."""
    await projections.add_request(
        session,
        {
            "request_id": p.request_id,
            "uscc": p.uscc,
            "amount": p.amount,
            "status": "open",
            "submitted_at": env.occurred_at,
        },
    )


async def on_withdrawn(session: AsyncSession, env: Envelope, p: fin.FinancingRequestWithdrawn) -> None:
    """A withdrawn request is no longer a reason to meet."""
    await projections.set_request_status(session, p.request_id, p.uscc, "withdrawn")


async def on_offer_accepted(session: AsyncSession, env: Envelope, p: fin.OfferAccepted) -> None:
    """An SME that accepted an offer is financed on that request."""
    await projections.set_request_status(session, p.request_id, p.uscc, "accepted")


async def on_match(session: AsyncSession, env: Envelope, p: fin.MatchProposed) -> None:
    """A match and its score: a recommended meeting."""
    await projections.upsert_match(
        session,
        {
            "match_id": p.match_id,
            "request_id": p.request_id,
            "product_id": p.product_id,
            "bank_org_id": p.bank_org_id,
            "score": p.score,
            "status": "proposed",
            "proposed_at": env.occurred_at,
        },
    )


async def on_match_expired(session: AsyncSession, env: Envelope, p: fin.MatchExpired) -> None:
    """The bank let the proposal lapse; a fair is still a chance to talk."""
    await projections.set_match_status(session, p.match_id, "expired")


async def on_offer_declined(session: AsyncSession, env: Envelope, p: fin.OfferDeclined) -> None:
    """The bank said no to this match: not worth a recommended meeting."""
    await projections.set_match_status(session, p.match_id, "declined")


async def on_disbursed(session: AsyncSession, env: Envelope, p: fin.LoanDisbursed) -> None:
    """A loan, for the loans that followed a fair."""
    await projections.add_loan(
        session,
        {
            "loan_id": p.loan_id,
            "uscc": p.uscc,
            "bank_org_id": p.bank_org_id,
            "amount": p.amount,
            "disbursed_at": env.occurred_at,
        },
    )


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """Event type -> handler for this service."""
    del settings  # the projections need no settings today; the signature is the house pattern
    return {
        "enterprise.registered": on_profile,
        "enterprise.updated": on_profile,
        "financing_request.submitted": on_submitted,
        "financing_request.withdrawn": on_withdrawn,
        "offer.accepted": on_offer_accepted,
        "match.proposed": on_match,
        "match.expired": on_match_expired,
        "offer.declined": on_offer_declined,
        "loan.disbursed": on_disbursed,
    }
