"""Contracts published by loan-matching: requests, matches, offers and loans."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from smefin.contracts.envelope import EventPayload, Topic, event


@event("financing_request.submitted", topic=Topic.FINANCING)
class FinancingRequestSubmitted(EventPayload):
    """An SME submitted a financing need (融资需求)."""

    request_id: UUID
    uscc: str
    amount: Decimal
    term_months: int
    purpose: str
    collateral_available: bool


@event("match.proposed", topic=Topic.FINANCING)
class MatchProposed(EventPayload):
    """A request was matched to a bank's product (银企自动对接)."""

    match_id: UUID
    request_id: UUID
    product_id: UUID
    bank_org_id: str
    score: Decimal
    indicative_rate: Decimal
    model_version: str


class OfferTerms(EventPayload):
    """What a bank offered on a match."""

    offer_id: UUID
    request_id: UUID
    match_id: UUID | None = None
    uscc: str
    bank_org_id: str
    product_id: UUID
    amount: Decimal
    rate: Decimal
    term_months: int
    guaranteed: bool = False
    guarantee_company_ids: list[str] = []


@event("offer.made", topic=Topic.FINANCING)
class OfferMade(OfferTerms):
    """A bank approved a match, possibly with different terms (a counter-offer)."""


@event("offer.declined", topic=Topic.FINANCING)
class OfferDeclined(EventPayload):
    """A bank declined a match, with its reason."""

    request_id: UUID
    match_id: UUID
    bank_org_id: str
    reason: str


@event("offer.accepted", topic=Topic.FINANCING)
class OfferAccepted(OfferTerms):
    """The SME accepted an offer; guaranteed ones wait for the guarantee."""


class LoanEvent(EventPayload):
    """Common loan facts."""

    loan_id: UUID
    offer_id: UUID
    uscc: str
    bank_org_id: str
    amount: Decimal


@event("loan.disbursed", topic=Topic.FINANCING)
class LoanDisbursed(LoanEvent):
    """The bank paid out the loan."""

    rate: Decimal
    term_months: int


@event("loan.repaid", topic=Topic.FINANCING)
class LoanRepaid(LoanEvent):
    """The loan was repaid in full."""


@event("loan.defaulted", topic=Topic.FINANCING)
class LoanDefaulted(LoanEvent):
    """The borrower defaulted; `amount` is the outstanding principal."""
