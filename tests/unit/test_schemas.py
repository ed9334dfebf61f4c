"""The shared schema types: what the document's pattern allows is exactly what the service accepts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from smefin.schemas import DecimalString, Money, Patch, PositiveMoney, Rate, UtcDateTime, decimal_pattern


class Body(BaseModel):
    amount: PositiveMoney
    balance: Money = Decimal(0)
    rate: Rate = Decimal(0)


@pytest.mark.parametrize("upper", [1, 20, 36, 100, 1234, 10**8])
@pytest.mark.parametrize("positive", [False, True])
def test_pattern_matches_exactly_the_bounded_decimals(upper: int, positive: bool) -> None:
    pattern = re.compile(decimal_pattern(upper=upper, places=2, positive=positive))
    for cents in range(0, upper * 100 + 250, max(1, upper // 40)):
        value = Decimal(cents) / 100
        inside = (value > 0 if positive else value >= 0) and value <= upper
        assert bool(pattern.fullmatch(f"{value:.2f}")) == inside, (upper, positive, value)


@pytest.mark.parametrize("text", ["", "0", "0.00", "-1", "1.234", "1e5", "007", " 5", "10000000000000.01"])
def test_money_outside_its_pattern_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        Body.model_validate({"amount": text})


def test_money_as_a_json_number_is_refused_with_how_to_send_it() -> None:
    with pytest.raises(ValidationError, match="decimal string"):
        Body.model_validate_json('{"amount": 1000.5}')
    assert Body.model_validate_json('{"amount": "1000.50", "rate": "36"}').amount == Decimal("1000.50")


def test_the_document_carries_the_pattern_and_the_answer_is_a_string() -> None:
    schema = Body.model_json_schema()["properties"]["amount"]
    assert schema["type"] == "string"
    assert schema["pattern"] == DecimalString(10**13, positive=True).pattern
    assert Body(amount=Decimal("5")).model_dump(mode="json")["amount"] == "5"


class Change(Patch):
    name: str | None = None
    note: str | None = None
    nullable = frozenset({"note"})


def test_a_patch_refuses_null_except_where_nullable() -> None:
    with pytest.raises(ValidationError, match="cannot be set to null"):
        Change.model_validate({"name": None})
    assert Change.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}
    props = Change.model_json_schema()["properties"]
    assert props["name"]["type"] == "string"
    assert {"type": "null"} in props["note"]["anyOf"]


class When(BaseModel):
    at: UtcDateTime


@pytest.mark.parametrize("value", [0.5, "0.5", -86400, "2026-12-01T08:00:00", "1999-12-31T23:59:59Z"])
def test_times_are_iso_with_a_zone_within_range(value: object) -> None:
    with pytest.raises(ValidationError):
        When.model_validate({"at": value})
    assert (
        When.model_validate({"at": "2026-12-01T16:00:00+08:00"}).at.isoformat() == "2026-12-01T08:00:00+00:00"
    )
