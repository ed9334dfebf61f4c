"""Request and response schemas of the events API."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from fairs.domain.statuses import FeedbackOutcome

LeagueCode = Annotated[str, Field(pattern=r"^15\d{4}$")]
IndustryPrefix = Annotated[str, Field(pattern=r"^[A-T]\d{0,4}$")]
Slot = Annotated[int, Field(strict=True, ge=0, le=63)]
TableNo = Annotated[int, Field(strict=True, ge=1, le=1000)]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1e11"), decimal_places=2)]
Note = Annotated[str, Field(max_length=1000)]


class Strict(BaseModel):
    """Unknown fields refused."""

    model_config = ConfigDict(extra="forbid")


class SessionIn(Strict):
    """A block of the day in which meetings run back to back."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> SessionIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("a session must end after it starts")
        return self


class FairCreate(Strict):
    """A bank–enterprise matchmaking fair (银企对接会)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "2027 鄂尔多斯市银企对接会 (spring)",
                    "league_codes": ["150600"],
                    "industries": ["C17", "C13"],
                    "venue": "Ordos International Convention Centre, hall B",
                    "sessions": [
                        {"starts_at": "2027-04-15T01:00:00Z", "ends_at": "2027-04-15T04:00:00Z"},
                        {"starts_at": "2027-04-15T06:00:00Z", "ends_at": "2027-04-15T09:00:00Z"},
                    ],
                    "slot_minutes": 20,
                    "tables": 40,
                    "requests_close_at": "2027-04-12T10:00:00Z",
                    "auto_accept": False,
                }
            ]
        },
    )
    name: str = Field(min_length=1, max_length=200)
    league_codes: list[LeagueCode] = Field(min_length=1, max_length=14)
    industries: list[IndustryPrefix] = Field(default=[], max_length=50)
    venue: str | None = Field(default=None, min_length=1, max_length=300)
    online_url: str | None = Field(default=None, pattern=r"^https?://", max_length=500)
    sessions: list[SessionIn] = Field(min_length=1, max_length=8)
    slot_minutes: Literal[15, 20, 30]
    tables: int = Field(strict=True, ge=1, le=1000)
    requests_close_at: AwareDatetime | None = None
    auto_accept: bool = Field(default=False, strict=True)


class FairUpdate(Strict):
    """Changes to a draft fair (all optional)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    league_codes: list[LeagueCode] | None = Field(default=None, min_length=1, max_length=14)
    industries: list[IndustryPrefix] | None = Field(default=None, max_length=50)
    venue: str | None = Field(default=None, min_length=1, max_length=300)
    online_url: str | None = Field(default=None, pattern=r"^https?://", max_length=500)
    sessions: list[SessionIn] | None = Field(default=None, min_length=1, max_length=8)
    slot_minutes: Literal[15, 20, 30] | None = None
    tables: int | None = Field(default=None, strict=True, ge=1, le=1000)
    requests_close_at: AwareDatetime | None = None
    auto_accept: bool | None = Field(default=None, strict=True)


class SlotRead(BaseModel):
    """A meeting slot."""

    index: int
    session: int
    starts_at: datetime
    ends_at: datetime


class FairRead(BaseModel):
    """A fair as stored, with its slots."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    organizer_org_id: str
    name: str
    league_codes: list[str]
    industries: list[str]
    venue: str | None
    online_url: str | None
    sessions: list[dict[str, Any]]
    starts_at: datetime
    ends_at: datetime
    slot_minutes: int
    tables: int
    requests_close_at: datetime | None
    auto_accept: bool
    status: str
    schedule_status: str
    published_at: datetime | None
    cancelled_at: datetime | None
    held_at: datetime | None
    created_at: datetime
    updated_at: datetime
    slots: list[SlotRead] = []


class InvitationRead(BaseModel):
    """Who was invited, and why."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    role: str
    participant_id: str
    reasons: list[str]
    best_score: Decimal | None
    matches: int
    created_at: datetime


class RegistrationCreate(Strict):
    """Register for a fair: an SME as its enterprise, a bank with its tables and staffing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "中国银行鄂尔多斯分行", "tables": 2, "capacity_per_session": 10}]
        },
    )
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    tables: int | None = Field(default=None, strict=True, ge=1, le=20)
    capacity_per_session: int | None = Field(default=None, strict=True, ge=1, le=500)
    note: Note | None = None


class RegistrationRead(BaseModel):
    """A registration."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    fair_id: uuid.UUID
    role: str
    participant_id: str
    display_name: str
    status: str
    tables: int
    capacity_per_session: int
    table_numbers: list[int]
    validated_at: datetime | None
    checked_in_at: datetime | None
    created_at: datetime


class RegistrationDecision(Strict):
    """The organizer's decision on a registration."""

    approve: bool = Field(strict=True)


class MeetingRequestCreate(Strict):
    """Ask the other side for a meeting in a slot."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"to_registration_id": "6f1c2f8e-0d7a-4d1e-9d55-3c1e4f8b2a10", "slot": 3, "note": "流动资金"}
            ]
        },
    )
    to_registration_id: uuid.UUID
    slot: Slot
    note: Note | None = None


class MeetingRequestRead(BaseModel):
    """A meeting request."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    fair_id: uuid.UUID
    from_registration_id: uuid.UUID
    to_registration_id: uuid.UUID
    sme_registration_id: uuid.UUID
    bank_registration_id: uuid.UUID
    slot: int
    note: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None


class ScheduleRequest(Strict):
    """Solve the schedule: preliminary (requests may still be pending) or final."""

    final: bool = Field(default=False, strict=True)


class ScheduleRunRead(BaseModel):
    """One solve with its objective, upper bound and gap."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    meetings: int
    fixed: int
    objective: float
    bound: float
    gap: float
    seconds: float
    solver: str
    created_at: datetime


class MeetingPin(Strict):
    """The organizer sets a meeting by hand."""

    sme_registration_id: uuid.UUID
    bank_registration_id: uuid.UUID
    slot: Slot
    table_no: TableNo | None = None


class MeetingMove(Strict):
    """Move a meeting (it is pinned there)."""

    slot: Slot
    table_no: TableNo | None = None


class MeetingRead(BaseModel):
    """A meeting."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    fair_id: uuid.UUID
    sme_registration_id: uuid.UUID
    bank_registration_id: uuid.UUID
    uscc: str
    bank_org_id: str
    slot: int
    table_no: int
    source: str
    pinned: bool
    request_id: uuid.UUID | None
    match_id: uuid.UUID | None
    product_id: uuid.UUID | None
    score: Decimal | None
    status: str
    held_at: datetime | None


class OutcomeCreate(Strict):
    """Whether the meeting took place."""

    held: bool = Field(strict=True)


class FeedbackCreate(Strict):
    """Structured feedback on a meeting."""

    outcome: FeedbackOutcome
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackRead(BaseModel):
    """Feedback given."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    meeting_id: uuid.UUID
    by_role: str
    outcome: str
    comment: str | None
    created_at: datetime


class IntentionCreate(Strict):
    """A signed financing intention (签约意向)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": "800000.00"}]})
    amount: Amount
    product_id: uuid.UUID | None = None


class IntentionRead(BaseModel):
    """A signed intention."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    fair_id: uuid.UUID
    meeting_id: uuid.UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
    product_id: uuid.UUID | None
    match_id: uuid.UUID | None
    created_at: datetime


class AgendaItemRead(BaseModel):
    """One meeting on an agenda."""

    model_config = ConfigDict(from_attributes=True)
    meeting_id: uuid.UUID
    slot: int
    starts_at: datetime
    ends_at: datetime
    table_no: int
    counterpart_registration_id: uuid.UUID
    counterpart: str
    status: str
    source: str


class AgendaRead(BaseModel):
    """A participant's agenda."""

    fair_id: uuid.UUID
    fair_name: str
    registration_id: uuid.UUID
    participant: str
    schedule_status: str
    venue: str | None
    online_url: str | None
    items: list[AgendaItemRead]
