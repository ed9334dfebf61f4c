"""Event contracts: the envelope, the registry and every payload, imported so all are registered."""

from smefin.contracts import enterprises, fairs, financing, guarantees
from smefin.contracts.envelope import (
    Envelope,
    EventPayload,
    Topic,
    UnknownEvent,
    contract_for,
    decode,
    event,
    make_envelope,
    registered_contracts,
)

__all__ = [
    "Envelope",
    "EventPayload",
    "Topic",
    "UnknownEvent",
    "contract_for",
    "decode",
    "enterprises",
    "event",
    "fairs",
    "financing",
    "guarantees",
    "make_envelope",
    "registered_contracts",
]
