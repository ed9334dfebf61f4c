"""Contracts published by the events service: bank–enterprise matchmaking fairs (银企对接会)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from smefin.contracts.envelope import EventPayload, Topic, event


@event("fair.published", topic=Topic.FAIRS)
class FairPublished(EventPayload):
    """A fair was announced."""

    fair_id: UUID
    name: str
    league_code: str
    starts_at: datetime
    # Added: a fair may cover several leagues; `league_code` is the first of them.
    league_codes: list[str] = []


@event("fair.schedule_published", topic=Topic.FAIRS)
class FairSchedulePublished(EventPayload):
    """A fair's one-to-one meeting schedule was published."""

    fair_id: UUID
    meetings: int


@event("meeting.held", topic=Topic.FAIRS)
class MeetingHeld(EventPayload):
    """A bank and an SME met at a fair."""

    fair_id: UUID
    meeting_id: UUID
    uscc: str
    bank_org_id: str
    # Added: where the pair came from a match, which one, so loan-matching labels that match.
    match_id: UUID | None = None
    product_id: UUID | None = None


@event("intention.signed", topic=Topic.FAIRS)
class IntentionSigned(EventPayload):
    """A bank and an SME signed a financing intention at a fair: a positive label for matching."""

    fair_id: UUID
    meeting_id: UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
    # Added: the match the pair came from (None for a pair the organizer set by hand) and the product
    # named in the intention, so loan-matching labels the right match instead of guessing.
    match_id: UUID | None = None
    product_id: UUID | None = None


@event("fair.held", topic=Topic.FAIRS)
class FairHeld(EventPayload):
    """A fair took place: it counts towards its leagues' target of two a year."""

    fair_id: UUID
    league_codes: list[str]
    held_on: date
    meetings_held: int
    intentions: int
    intention_amount: Decimal
