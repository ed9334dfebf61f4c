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
    # A start-up micro guaranteed loan (创业小额担保贷款) draws the risk-compensation fund on default.
    startup_micro_loan: bool = False
    # The borrower's size class (2011 standard) when the offer was accepted: small and micro loans a
    # financing guarantee company guarantees draw the 2013 risk-compensation scheme on default.
    size_class: str | None = None


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


# Additive contracts (loan-matching v1.1): every other lifecycle transition is an event too.


@event("financing_request.withdrawn", topic=Topic.FINANCING)
class FinancingRequestWithdrawn(EventPayload):
    """The SME withdrew its financing request."""

    request_id: UUID
    uscc: str


@event("match.expired", topic=Topic.FINANCING)
class MatchExpired(EventPayload):
    """A bank let the decision deadline pass; the request moves on to the next-best bank."""

    match_id: UUID
    request_id: UUID
    bank_org_id: str


@event("offer.withdrawn", topic=Topic.FINANCING)
class OfferWithdrawn(EventPayload):
    """An offer lapsed because the SME accepted another one (or withdrew the request)."""

    offer_id: UUID
    request_id: UUID
    bank_org_id: str
    reason: str


@event("offer.failed", topic=Topic.FINANCING)
class OfferFailed(EventPayload):
    """An accepted offer could not complete (e.g. the guarantee was refused)."""

    offer_id: UUID
    request_id: UUID
    bank_org_id: str
    reason: str


@event("offer.completed", topic=Topic.FINANCING)
class OfferCompleted(EventPayload):
    """An accepted offer is ready to disburse (for a guaranteed product: the guarantee was issued)."""

    offer_id: UUID
    request_id: UUID
    bank_org_id: str
    guarantee_id: UUID | None = None


@event("loan.extension_requested", topic=Topic.FINANCING)
class LoanExtensionRequested(EventPayload):
    """An SME asked for more time to repay (适当放宽还贷时间)."""

    loan_id: UUID
    uscc: str
    bank_org_id: str
    extra_months: int
    reason: str


@event("loan.extension_decided", topic=Topic.FINANCING)
class LoanExtensionDecided(EventPayload):
    """The bank granted or refused a repayment extension."""

    loan_id: UUID
    uscc: str
    bank_org_id: str
    granted: bool
    extra_months: int
    reason: str | None = None


@event("assignment_round.completed", topic=Topic.FINANCING)
class AssignmentRoundCompleted(EventPayload):
    """A quota-aware assignment round spread open requests across banks."""

    round_id: UUID
    requests: int
    assigned: int
    objective: Decimal
    bound: Decimal
