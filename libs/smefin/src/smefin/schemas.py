"""Schema types every service shares: decimal strings for money and rates, page bounds, the error bodies.

Money travels as a decimal string (`"1000000.00"`), never a JSON number: a number is a binary float
in most clients and loses cents. The documented pattern encodes the bounds, so what the document
allows is exactly what the service accepts and a generated client can check values before sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from fastapi import Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


def _same_length(low: int, high: int) -> list[str]:
    """Alternatives for low … high, both with the same number of digits."""
    out: list[str] = []
    while low <= high:
        k = 0  # the largest aligned block of 10**k numbers starting at low that fits
        while low % 10 ** (k + 1) == 0 and low + 10 ** (k + 1) - 1 <= high:
            k += 1
        step = 10**k
        first = (low // step) % 10
        count = 1
        while first + count <= 9 and low + (count + 1) * step - 1 <= high:
            count += 1
        last = first + count - 1
        digit = str(first) if count == 1 else f"[{first}-{last}]"
        out.append(str(low // step)[:-1] + digit + (rf"\d{{{k}}}" if k else ""))
        low += count * step
    return out


def integer_range(low: int, high: int) -> str:
    """A regex group for the integers low … high (0 ≤ low), written without leading zeros."""
    parts: list[str] = []
    if low == 0:
        parts.append("0")
        low = 1
    if low == 1 and len(str(high + 1)) > len(str(high)):  # 1 … 10**n - 1
        parts.append(rf"[1-9]\d{{0,{len(str(high)) - 1}}}")
        low = high + 1
    while low <= high:
        top = min(high, 10 ** len(str(low)) - 1)
        parts += _same_length(low, top)
        low = top + 1
    return "(?:" + "|".join(parts) + ")"


def decimal_pattern(*, upper: int, places: int, positive: bool = False, signed: bool = False) -> str:
    """A regex for decimal strings in [0, upper] ((0, upper] if positive, [-upper, upper] if signed)
    with at most `places` decimals."""
    fraction = rf"(?:\.\d{{1,{places}}})?"
    options = [f"{upper}" + rf"(?:\.0{{1,{places}}})?"]
    if positive:
        if upper > 1:
            options.insert(0, integer_range(1, upper - 1) + fraction)
        options += [rf"0\.0{{{z}}}[1-9]\d{{0,{places - 1 - z}}}" for z in range(places)]
    else:
        options.insert(0, integer_range(0, upper - 1) + fraction)
    return "^" + ("-?" if signed else "") + "(?:" + "|".join(options) + ")$"


@dataclass(frozen=True)
class DecimalString:
    """`Annotated[Decimal, DecimalString(...)]`: a decimal string within bounds, documented by its pattern.

    Decimal values from our own code pass as they are; from the wire only matching strings do.
    """

    upper: int
    places: int = 2
    positive: bool = False
    signed: bool = False
    example: str = "1000000.00"

    @property
    def pattern(self) -> str:
        return decimal_pattern(
            upper=self.upper, places=self.places, positive=self.positive, signed=self.signed
        )

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        compiled = re.compile(self.pattern)
        example = self.example
        bounds = self.describe()

        def check(value: Any) -> Any:
            if isinstance(value, Decimal):
                return value
            if isinstance(value, bool | int | float):
                raise ValueError(f'send amounts as a decimal string such as "{example}", not a JSON number')
            if not isinstance(value, str) or not compiled.fullmatch(value):
                raise ValueError(f"{str(value)[:40]!r} is not {bounds}")
            return value

        return core_schema.no_info_before_validator_function(check, handler(source))

    def describe(self) -> str:
        """The bounds in words, for error messages and the document."""
        low = f"-{self.upper}" if self.signed else "0"
        low_side = "more than 0" if self.positive else f"from {low}"
        return f"a decimal string {low_side} up to {self.upper}, at most {self.places} decimals, e.g. {self.example!r}"

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if handler.mode == "serialization":  # what we send back is a decimal string, bounds aside
            return {"type": "string", "format": "decimal", "examples": [self.example]}
        return {
            "type": "string",
            "pattern": self.pattern,
            "description": self.describe(),
            "examples": [self.example],
        }


MONEY_UPPER = 10**13  # ten trillion yuan: above any single figure the platform records
Money = Annotated[Decimal, DecimalString(MONEY_UPPER)]
"""Yuan, two decimals, 0 … 10 trillion."""
PositiveMoney = Annotated[Decimal, DecimalString(MONEY_UPPER, positive=True)]
"""Yuan, two decimals, more than zero."""
SignedMoney = Annotated[Decimal, DecimalString(MONEY_UPPER, signed=True, example="-250000.00")]
"""Yuan, two decimals, a change that may be negative."""
Rate = Annotated[Decimal, DecimalString(36, places=4, example="4.3500")]
"""Percent per year, four decimals, 0 … 36 (the ceiling courts enforce on lending rates)."""
Share = Annotated[Decimal, DecimalString(100, places=4, positive=True, example="80")]
"""A share in percent, more than 0 up to 100 (e.g. the guarantor's part of a loan)."""
Spread = Annotated[Decimal, DecimalString(20, places=4, example="1.25")]
"""A rate spread in percentage points, 0 … 20."""

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]


class FieldError(BaseModel):
    """One invalid field."""

    field: str = Field(examples=["amount"])
    message: str = Field(examples=["Input should be greater than 0"])
    type: str | None = Field(default=None, examples=["greater_than"])


class ValidationProblem(BaseModel):
    """422: the request does not fit the schema; each field says why."""

    detail: str = Field(examples=["invalid request: amount: Input should be greater than 0"])
    errors: list[FieldError] = []
    code: str | None = None


class Problem(BaseModel):
    """Any other 4xx / 5xx: what went wrong and what to do, with a stable code."""

    detail: str = Field(examples=["no such product"])
    code: str | None = Field(default=None, examples=["not_found"])
    details: Any = None
    request_id: str | None = None


def _drop_null(schema: dict[str, Any], cls: type[Patch]) -> None:
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in cls.nullable or not options:
            continue
        rest = [o for o in options if o.get("type") != "null"]
        prop.pop("anyOf")
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest
        if prop.get("default", ...) is None:
            prop.pop("default")


class Patch(BaseModel):
    """Base of every `XUpdate`: omit a field to keep it; null is refused except where `nullable` says.

    A null for a required column would otherwise reach the database as a 500.
    """

    model_config = ConfigDict(json_schema_extra=_drop_null)  # type: ignore[typeddict-item]
    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [
                k for k, v in data.items() if v is None and k in cls.model_fields and k not in cls.nullable
            ]
            if nulls:
                raise ValueError(f"{', '.join(nulls)}: omit a field to keep it; it cannot be set to null")
        return data


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _iso_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        raise ValueError('send a time as ISO 8601 with its zone, e.g. "2026-12-01T08:00:00Z" (not an epoch)')
    return value


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{value.isoformat()} is outside 2000-01-01 … 2100-01-01")
    return value.astimezone(UTC)


UtcDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_time), AfterValidator(_in_range)]
"""An ISO 8601 time with its zone, between 2000 and 2100, kept in UTC."""
