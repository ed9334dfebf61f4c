"""events tables: one registry, so this service's metadata holds only its own tables."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Numeric, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from smefin.db import new_registry, utcnow
from smefin.outbox import MessagingTables


class Base(SQLModel, registry=new_registry()):
    """Base of every events table."""


messaging = MessagingTables.attach(Base.metadata)

_JSON = JSON().with_variant(JSONB(), "postgresql")


def _money() -> Any:
    return Field(sa_column=Column(Numeric(18, 2), nullable=False))


def _score(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Numeric(9, 6), nullable=nullable))


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(_JSON, nullable=False))


class Fair(Base, table=True):
    """A bank–enterprise matchmaking fair (银企对接会) an organizer runs."""

    __tablename__ = "fair"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organizer_org_id: str = Field(max_length=100, index=True)
    name: str = Field(max_length=200)
    league_codes: list[str] = _json(list)
    industries: list[str] = _json(list)
    venue: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    # [{"starts_at": iso, "ends_at": iso}, ...] in time order; slots are cut from them.
    sessions: list[dict[str, str]] = _json(list)
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    slot_minutes: int
    tables: int
    requests_close_at: datetime | None = _ts()
    auto_accept: bool = False
    status: str = Field(default="draft", max_length=20, index=True)
    schedule_status: str = Field(default="none", max_length=20)
    published_at: datetime | None = _ts()
    cancelled_at: datetime | None = _ts()
    held_at: datetime | None = _ts()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Invitation(Base, table=True):
    """Someone the organizer invited, and why (from open requests and their matches)."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("fair_id", "participant_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    role: str = Field(max_length=10)
    participant_id: str = Field(max_length=100)
    reasons: list[str] = _json(list)
    best_score: Decimal | None = _score()
    matches: int = 0
    created_at: datetime = _created()


class Registration(Base, table=True):
    """An SME or a bank registered for a fair; visible to others only once validated."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("fair_id", "participant_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    role: str = Field(max_length=10)
    # An SME takes part as its enterprise (USCC), a bank as its organisation.
    participant_id: str = Field(max_length=100)
    org_id: str = Field(max_length=100, index=True)
    display_name: str = Field(max_length=200)
    status: str = Field(default="pending", max_length=20)
    tables: int = 0
    capacity_per_session: int = 0
    table_numbers: list[int] = _json(list)
    note: str | None = Field(default=None, max_length=1000)
    validated_at: datetime | None = _ts()
    checked_in_at: datetime | None = _ts()
    created_at: datetime = _created()


class MeetingRequest(Base, table=True):
    """One side asks the other for a meeting in a slot; pending or accepted, it holds the slot."""

    __tablename__ = "meeting_request"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    from_registration_id: uuid.UUID
    to_registration_id: uuid.UUID
    sme_registration_id: uuid.UUID = Field(index=True)
    bank_registration_id: uuid.UUID = Field(index=True)
    slot: int
    note: str | None = Field(default=None, max_length=1000)
    status: str = Field(default="pending", max_length=20, index=True)
    created_at: datetime = _created()
    decided_at: datetime | None = _ts()


class Meeting(Base, table=True):
    """A one-to-one meeting in a slot at a table; the constraints refuse any double booking."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("fair_id", "slot", "table_no", name="uq_meeting_table_slot"),
        UniqueConstraint("fair_id", "slot", "sme_registration_id", name="uq_meeting_sme_slot"),
        UniqueConstraint("fair_id", "sme_registration_id", "bank_registration_id", name="uq_meeting_pair"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    sme_registration_id: uuid.UUID
    bank_registration_id: uuid.UUID = Field(index=True)
    uscc: str = Field(max_length=18)
    bank_org_id: str = Field(max_length=100)
    slot: int
    table_no: int
    source: str = Field(max_length=20)
    pinned: bool = False
    request_id: uuid.UUID | None = None
    match_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    score: Decimal | None = _score()
    status: str = Field(default="scheduled", max_length=20)
    held_at: datetime | None = _ts()
    created_at: datetime = _created()


class Feedback(Base, table=True):
    """What one side of a meeting says about it."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("meeting_id", "by_role"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    meeting_id: uuid.UUID = Field(index=True)
    fair_id: uuid.UUID = Field(index=True)
    by_role: str = Field(max_length=10)
    outcome: str = Field(max_length=30)
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _created()


class Intention(Base, table=True):
    """A financing intention a bank and an SME signed at a fair (签约意向)."""

    __tablename__ = "intention"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    meeting_id: uuid.UUID = Field(unique=True)
    uscc: str = Field(max_length=18)
    bank_org_id: str = Field(max_length=100)
    amount: Decimal = _money()
    product_id: uuid.UUID | None = None
    match_id: uuid.UUID | None = None
    created_at: datetime = _created()


class ScheduleRun(Base, table=True):
    """One solve of a fair's schedule, with its objective, bound and gap."""

    __tablename__ = "schedule_run"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    fair_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=20)
    meetings: int
    fixed: int
    objective: float
    bound: float
    gap: float
    seconds: float
    solver: str = Field(max_length=80)
    created_at: datetime = _created()


# Projections of other services' events: fairs never calls them synchronously.


class EnterpriseSeen(Base, table=True):
    """Local projection of credit-info's enterprise profile (league and industry for invitations)."""

    __tablename__ = "enterprise"
    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    league_code: str = Field(max_length=6, index=True)
    industry: str = Field(max_length=10)
    updated_at: datetime = _created()


class FinancingRequestSeen(Base, table=True):
    """Local projection of loan-matching's financing requests (open ones are invited)."""

    __tablename__ = "financing_request"
    request_id: uuid.UUID = Field(primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    amount: Decimal = _money()
    status: str = Field(default="open", max_length=20)
    submitted_at: datetime = _created()


class MatchSeen(Base, table=True):
    """Local projection of loan-matching's proposed matches with their scores."""

    __tablename__ = "match"
    match_id: uuid.UUID = Field(primary_key=True)
    request_id: uuid.UUID = Field(index=True)
    product_id: uuid.UUID
    bank_org_id: str = Field(max_length=100, index=True)
    score: Decimal = Field(sa_column=Column(Numeric(9, 6), nullable=False))
    status: str = Field(default="proposed", max_length=20)
    proposed_at: datetime = _created()


class LoanSeen(Base, table=True):
    """Local projection of disbursed loans, for the loans that followed a fair."""

    __tablename__ = "loan"
    loan_id: uuid.UUID = Field(primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    bank_org_id: str = Field(max_length=100)
    amount: Decimal = _money()
    disbursed_at: datetime = _created()
