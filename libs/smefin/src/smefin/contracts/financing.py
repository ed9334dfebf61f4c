"""Contracts published by loan-matching: requests, matches, offers and loans."""

from __future__ import annotations

from datetime import datetime
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


@event("interest_subsidy.paid", topic=Topic.FINANCING)
class InterestSubsidyPaid(EventPayload):
    """The office paid an interest subsidy (贴息) on a loan from a programme's fund for the year."""

    subsidy_id: UUID
    loan_id: UUID
    uscc: str
    bank_org_id: str
    programme: str
    amount: Decimal
    year: int


# Additive contracts (loan-matching v1.2): products, re-matching, bank quotas and credit lines (授信).


class ProductFacts(EventPayload):
    """A product's identity and version as its lifecycle events carry them."""

    product_id: UUID
    bank_org_id: str
    version: int


@event("product.published", topic=Topic.FINANCING)
class ProductPublished(ProductFacts):
    """A bank published a product: the open requests it could serve are matched again."""


@event("product.updated", topic=Topic.FINANCING)
class ProductUpdated(ProductFacts):
    """A bank edited a published product (a new version): open requests are matched again."""


@event("product.withdrawn", topic=Topic.FINANCING)
class ProductWithdrawn(ProductFacts):
    """A bank withdrew a product; its open proposals lapsed (`match.withdrawn` each)."""

    lapsed_matches: int = 0


@event("match.withdrawn", topic=Topic.FINANCING)
class MatchWithdrawn(EventPayload):
    """A proposal lapsed before the bank decided (its product was withdrawn), with the reason."""

    match_id: UUID
    request_id: UUID
    product_id: UUID
    bank_org_id: str
    reason: str


@event("bank_quota.set", topic=Topic.FINANCING)
class BankQuotaSet(EventPayload):
    """A bank set its dedicated SME credit quota (专门信贷指标) for a period."""

    bank_org_id: str
    period: str
    quota_count: int | None = None
    quota_amount: Decimal | None = None


class CreditLineFacts(EventPayload):
    """A credit line (授信) as its events carry it."""

    line_id: UUID
    uscc: str
    bank_org_id: str


@event("credit_line.granted", topic=Topic.FINANCING)
class CreditLineGranted(CreditLineFacts):
    """A bank granted an SME a credit line."""

    credit_limit: Decimal
    term_months: int
    expires_at: datetime
    base_rate: Decimal


@event("credit_line.drawn", topic=Topic.FINANCING)
class CreditLineDrawn(CreditLineFacts):
    """The SME drew on its line (no new match): a loan record in credit-info."""

    draw_id: UUID
    amount: Decimal
    rate: Decimal
    outstanding: Decimal  # the line's, after the draw


@event("credit_line.repaid", topic=Topic.FINANCING)
class CreditLineRepaid(CreditLineFacts):
    """A repayment on a draw, reported by the bank: a repayment record in credit-info."""

    draw_id: UUID
    amount: Decimal  # this repayment
    draw_amount: Decimal
    draw_outstanding: Decimal
    outstanding: Decimal  # the line's, after the repayment


@event("credit_line.status_changed", topic=Topic.FINANCING)
class CreditLineStatusChanged(CreditLineFacts):
    """A line expired, was flagged for review (the rating changed), confirmed or closed."""

    status: str
    reason: str | None = None
