"""Contracts published by the events service: bank–enterprise matchmaking fairs (银企对接会)."""

from __future__ import annotations

from datetime import datetime
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


@event("intention.signed", topic=Topic.FAIRS)
class IntentionSigned(EventPayload):
    """A bank and an SME signed a financing intention at a fair: a positive label for matching."""

    fair_id: UUID
    meeting_id: UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
