"""The one envelope every event travels in, and the registry of typed payload contracts.

A contract is a Pydantic model registered under a dotted past-tense `type` and a `version`.
Changes are additive; a breaking change is a new version. Consumers ignore unknown fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError


class Topic:
    """Topic per aggregate family; each has a `.dlq` twin for messages that cannot be processed."""

    ENTERPRISES = "smefin.enterprises"
    CREDIT = "smefin.credit"
    FINANCING = "smefin.financing"
    GUARANTEES = "smefin.guarantees"
    FAIRS = "smefin.fairs"

    ALL: ClassVar[tuple[str, ...]] = (ENTERPRISES, CREDIT, FINANCING, GUARANTEES, FAIRS)

    @staticmethod
    def dlq(topic: str) -> str:
        """The dead-letter twin of `topic`."""
        return f"{topic}.dlq"


class EventPayload(BaseModel):
    """Base of every payload contract."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int]
    topic: ClassVar[str]


class Envelope(BaseModel):
    """Wire form of every event (payload kept as a dict until parsed against its contract)."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID = Field(default_factory=uuid4)
    type: str
    version: int = 1
    source: str
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    payload: dict[str, Any]

    def parsed(self) -> EventPayload:
        """The payload as its registered contract; raises UnknownEvent or ValidationError."""
        return contract_for(self.type, self.version).model_validate(self.payload)


class UnknownEvent(LookupError):
    """No contract is registered for this type and version."""


_REGISTRY: dict[tuple[str, int], type[EventPayload]] = {}
P = TypeVar("P", bound=type[EventPayload])


def event(type_: str, *, version: int = 1, topic: str) -> Callable[[P], P]:
    """Register a payload model as the contract of `type_` at `version`, published on `topic`."""

    def register(cls: P) -> P:
        key = (type_, version)
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"event contract {type_} v{version} is registered twice")
        cls.event_type = type_
        cls.event_version = version
        cls.topic = topic
        _REGISTRY[key] = cls
        return cls

    return register


def contract_for(type_: str, version: int) -> type[EventPayload]:
    """The registered contract for a type and version."""
    try:
        return _REGISTRY[(type_, version)]
    except KeyError:
        raise UnknownEvent(f"no contract for event {type_} v{version}") from None


def registered_contracts() -> dict[tuple[str, int], type[EventPayload]]:
    """A copy of the contract registry (for docs and tests)."""
    return dict(_REGISTRY)


def make_envelope(
    payload: EventPayload, *, subject: str, source: str, occurred_at: datetime | None = None
) -> Envelope:
    """Wrap a typed payload in a fresh envelope."""
    return Envelope(
        type=payload.event_type,
        version=payload.event_version,
        source=source,
        subject=subject,
        occurred_at=occurred_at or datetime.now(UTC),
        payload=payload.model_dump(mode="json"),
    )


def decode(raw: bytes) -> Envelope:
    """Parse wire bytes into an envelope; raises ValueError on anything malformed."""
    try:
        return Envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise ValueError(f"malformed event envelope: {exc}") from exc
