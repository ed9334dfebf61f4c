"""The fairs contracts changed additively: old payloads still parse, new ones carry the match."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from smefin.contracts import Envelope, Topic, decode, make_envelope
from smefin.contracts.fairs import FairHeld, IntentionSigned, MeetingHeld


def test_intention_without_match_id_from_an_old_producer_still_parses() -> None:
    old = Envelope(
        type="intention.signed",
        source="events",
        subject="f",
        payload={
            "fair_id": str(uuid.uuid4()),
            "meeting_id": str(uuid.uuid4()),
            "uscc": "91150602MA0N00001X",
            "bank_org_id": "bank-a",
            "amount": "800000.00",
        },
    )
    parsed = old.parsed()
    assert isinstance(parsed, IntentionSigned)
    assert (parsed.match_id, parsed.product_id) == (None, None)


def test_meeting_held_and_intention_carry_match_and_product_exactly() -> None:
    match_id, product_id = uuid.uuid4(), uuid.uuid4()
    for payload in (
        MeetingHeld(
            fair_id=uuid.uuid4(),
            meeting_id=uuid.uuid4(),
            uscc="u",
            bank_org_id="b",
            match_id=match_id,
            product_id=product_id,
        ),
        IntentionSigned(
            fair_id=uuid.uuid4(),
            meeting_id=uuid.uuid4(),
            uscc="u",
            bank_org_id="b",
            amount=Decimal("800000.00"),
            match_id=match_id,
            product_id=product_id,
        ),
    ):
        back = decode(
            make_envelope(payload, subject="f", source="events").model_dump_json().encode()
        ).parsed()
        assert back == payload
        assert payload.topic == Topic.FAIRS


def test_fair_held_is_registered_on_the_fairs_topic() -> None:
    held = FairHeld(
        fair_id=uuid.uuid4(),
        league_codes=["150600"],
        held_on=date(2027, 4, 15),
        meetings_held=12,
        intentions=3,
        intention_amount=Decimal("2400000.00"),
    )
    back = decode(make_envelope(held, subject="f", source="events").model_dump_json().encode()).parsed()
    assert back == held
    assert FairHeld.topic == Topic.FAIRS
