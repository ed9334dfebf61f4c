"""Lifecycles of loan-matching's objects: every status a row may hold, named once."""

from enum import StrEnum


class ProductStatus(StrEnum):
    """A loan product: matched only while published."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class RequestStatus(StrEnum):
    """A financing request (融资需求) from submission to disbursement."""

    SUBMITTED = "submitted"
    MATCHED = "matched"
    NO_MATCH = "no_match"
    OFFERED = "offered"
    PENDING_GUARANTEE = "pending_guarantee"
    ACCEPTED = "accepted"
    DISBURSED = "disbursed"
    WITHDRAWN = "withdrawn"


class MatchStatus(StrEnum):
    """A bank's best product for a request: queued until proposed, then the bank decides."""

    QUEUED = "queued"
    PROPOSED = "proposed"
    OFFERED = "offered"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"  # its accepted offer failed (guarantee refused or cancelled): the slot frees up


class OfferStatus(StrEnum):
    """A bank's offer to the SME."""

    MADE = "made"
    WITHDRAWN = "withdrawn"
    PENDING_GUARANTEE = "pending_guarantee"
    ACCEPTED = "accepted"
    FAILED = "failed"
    DISBURSED = "disbursed"


class LoanStatus(StrEnum):
    """A disbursed loan until it is repaid or defaulted."""

    DISBURSED = "disbursed"
    REPAID = "repaid"
    DEFAULTED = "defaulted"


class ExtensionStatus(StrEnum):
    """A repayment extension (适当放宽还贷时间): at most one per loan."""

    NONE = "none"
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


class OutcomeSource(StrEnum):
    """What produced a training label for the matching model."""

    MATCH_EXPIRED = "match_expired"
    OFFER_DECLINED = "offer_declined"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_WITHDRAWN = "offer_withdrawn"
    INTENTION_SIGNED = "intention_signed"


class MatchSource(StrEnum):
    """How a match was made: ranking one request, or an office assignment round."""

    MATCHING = "matching"
    ROUND = "round"


class CreditLineStatus(StrEnum):
    """A credit line (授信): drawn on only while active."""

    ACTIVE = "active"
    UNDER_REVIEW = "under_review"  # the SME's rating changed: the bank confirms or closes it
    EXPIRED = "expired"
    CLOSED = "closed"


class DrawStatus(StrEnum):
    """A draw on a credit line."""

    OUTSTANDING = "outstanding"
    REPAID = "repaid"


# A request still looking for a bank.
OPEN_REQUEST = (RequestStatus.SUBMITTED, RequestStatus.MATCHED, RequestStatus.NO_MATCH)
# A request on which banks are deciding.
DECIDING_REQUEST = (RequestStatus.MATCHED, RequestStatus.OFFERED)
# Matches a bank is deciding on (they count against the proposal width).
ACTIVE_MATCH = (MatchStatus.PROPOSED, MatchStatus.OFFERED)
# Offers the SME took: they use quota room and identify the SME to the bank.
TAKEN_OFFER = (OfferStatus.ACCEPTED, OfferStatus.PENDING_GUARANTEE, OfferStatus.DISBURSED)


class SubsidyProgramme(StrEnum):
    """Interest-subsidy programmes (贴息) of the policy, each paid from its own yearly fund."""

    TECH_PROGRESS = "tech_progress"  # 中小企业技术进步贴息资金 (2011 regional budget)
    STARTUP = "startup"  # 创业小额担保贷款贴息 (start-up micro guaranteed loans)


class SubsidyStatus(StrEnum):
    """An application until the office decides: paid from the fund, or rejected."""

    APPLIED = "applied"
    PAID = "paid"
    REJECTED = "rejected"


class FundEntryKind(StrEnum):
    """A subsidy-fund ledger line: budget in, or a subsidy out."""

    APPROPRIATION = "appropriation"
    PAYOUT = "payout"


# Offers a bank has committed to (standing or taken): they use its dedicated quota (专门信贷指标).
COMMITTED_OFFER = (OfferStatus.MADE, *TAKEN_OFFER)
