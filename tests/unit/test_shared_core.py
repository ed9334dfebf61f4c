"""Pure parts of the shared core: contracts, settings, tokens, size classification data."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from smefin.auth import Principal, Role, issue_internal_token, verify_internal_token
from smefin.contracts import (
    Envelope,
    EventPayload,
    Topic,
    UnknownEvent,
    decode,
    event,
    make_envelope,
    registered_contracts,
)
from smefin.contracts.financing import FinancingRequestSubmitted
from smefin.errors import Forbidden, Unauthorized
from smefin.outbox import backoff
from smefin.settings import DEV_SECRET, ServiceSettings


def test_every_design_event_has_a_contract_on_its_family_topic() -> None:
    contracts = registered_contracts()
    expected = {
        "enterprise.registered": Topic.ENTERPRISES,
        "rating.changed": Topic.ENTERPRISES,
        "consent.granted": Topic.ENTERPRISES,
        "financing_request.submitted": Topic.FINANCING,
        "match.proposed": Topic.FINANCING,
        "offer.accepted": Topic.FINANCING,
        "loan.defaulted": Topic.FINANCING,
        "guarantee.issued": Topic.GUARANTEES,
        "capacity.changed": Topic.GUARANTEES,
        "fair.published": Topic.FAIRS,
        "intention.signed": Topic.FAIRS,
    }
    for type_, topic in expected.items():
        assert contracts[(type_, 1)].topic == topic


def test_envelope_round_trip_keeps_decimals_exact_and_times_aware() -> None:
    payload = FinancingRequestSubmitted(
        request_id=uuid4(),
        uscc="91150100MA0000000X",
        amount=Decimal("1234567.89"),
        term_months=12,
        purpose="working capital",
        collateral_available=False,
    )
    env = make_envelope(payload, subject=str(payload.request_id), source="loan-matching")
    back = decode(env.model_dump_json().encode())
    parsed = back.parsed()
    assert isinstance(parsed, FinancingRequestSubmitted)
    assert parsed.amount == Decimal("1234567.89")
    assert back.occurred_at.utcoffset() is not None
    assert back.subject == str(payload.request_id)


def test_consumers_ignore_unknown_fields_and_refuse_unknown_types() -> None:
    env = Envelope(
        type="financing_request.submitted",
        source="x",
        subject="s",
        payload={
            "request_id": str(uuid4()),
            "uscc": "u",
            "amount": "10.00",
            "term_months": 3,
            "purpose": "p",
            "collateral_available": True,
            "field_added_later": 1,
        },
    )
    assert env.parsed().model_dump().get("field_added_later") is None
    with pytest.raises(UnknownEvent):
        Envelope(type="nobody.registered", source="x", subject="s", payload={}).parsed()
    with pytest.raises(ValueError, match="malformed event envelope"):
        decode(b'{"type": "x"}')


def test_a_contract_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @event("rating.changed", topic=Topic.ENTERPRISES)
        class Another(EventPayload):
            pass


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="development default"):
        ServiceSettings(environment="production", internal_token_secret=DEV_SECRET)
    assert (
        ServiceSettings(environment="production", internal_token_secret="x" * 32).environment == "production"
    )


def test_internal_token_round_trip_and_tampering() -> None:
    p = Principal(subject="u1", role=Role.BANK, org_id="bank-7")
    token = issue_internal_token(p, DEV_SECRET)
    assert verify_internal_token(token, DEV_SECRET) == p
    with pytest.raises(Unauthorized):
        verify_internal_token(token, "another-secret-that-is-long-enough-for-hs256")
    with pytest.raises(Unauthorized):
        verify_internal_token(token[:-2] + "xx", DEV_SECRET)
    with pytest.raises(Forbidden, match="office"):
        p.require(Role.OFFICE)


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n).total_seconds() for n in range(10)]
    assert waits == sorted(waits)
    assert waits[0] == 0.5
    assert max(waits) == 15.0
