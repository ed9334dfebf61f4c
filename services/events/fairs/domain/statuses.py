"""Every lifecycle status of the events service, as StrEnums (stored as their string values)."""

from enum import StrEnum


class FairStatus(StrEnum):
    """A fair's lifecycle: drafted, announced, then held or cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    HELD = "held"


class ScheduleStatus(StrEnum):
    """Whether a fair's meeting schedule exists and is final."""

    NONE = "none"
    PRELIMINARY = "preliminary"
    FINAL = "final"


class ParticipantRole(StrEnum):
    """The two sides of a bank–enterprise meeting."""

    SME = "sme"
    BANK = "bank"


class RegistrationStatus(StrEnum):
    """A registration is visible to others only once the organizer validated it."""

    PENDING = "pending"
    VALIDATED = "validated"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RequestStatus(StrEnum):
    """A meeting request: pending and accepted ones hold their slot."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


HOLDING_REQUEST = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


class MeetingSource(StrEnum):
    """Where a meeting came from."""

    REQUEST = "request"  # an accepted meeting request
    PINNED = "pinned"  # set by the organizer by hand
    RECOMMENDED = "recommended"  # placed by the scheduler from match scores


class MeetingStatus(StrEnum):
    """What happened to a meeting on the day."""

    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"


class FeedbackOutcome(StrEnum):
    """Structured feedback on a meeting."""

    DID_NOT_TAKE_PLACE = "did_not_take_place"
    NO_INTEREST = "no_interest"
    INFORMATIVE = "informative"
    COOPERATION_POSSIBLE = "cooperation_possible"
