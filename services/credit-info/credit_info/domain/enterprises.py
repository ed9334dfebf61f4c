"""Enterprise registration rules: location from the USCC, the declared county, the size class."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from smefin.errors import Unprocessable
from smefin.reference import (
    InvalidUscc,
    MissingIndicator,
    SizeClassification,
    UnknownDivision,
    classify,
    county,
    parse_uscc,
)


@dataclass(frozen=True)
class Location:
    """League and county of an enterprise."""

    league_code: str
    county_code: str


def _problem(field: str, message: str) -> Unprocessable:
    return Unprocessable(f"{field}: {message}", details=[{"field": field, "message": message}])


def locate(uscc: str, declared_county: str) -> Location:
    """League and county from the USCC's division digits, checked against the declared county."""
    try:
        parsed = parse_uscc(uscc)
    except InvalidUscc as exc:
        raise _problem("uscc", str(exc)) from None
    try:
        declared = county(declared_county)
    except UnknownDivision as exc:
        raise _problem("county_code", f"unknown county-level division in Inner Mongolia: {exc}") from None
    if declared.league_code != parsed.league_code:
        raise _problem(
            "county_code",
            f"county {declared.code} ({declared.name}) is in league {declared.league_code}, "
            f"but the USCC was issued in league {parsed.league_code}",
        )
    if parsed.county_code is not None and parsed.county_code != declared.code:
        raise _problem(
            "county_code",
            f"the USCC was issued in county {parsed.county_code}, not the declared {declared.code} ({declared.name})",
        )
    return Location(parsed.league_code, declared.code)


def size_class(
    industry: str, employees: int | None, revenue: Decimal | None, assets: Decimal | None
) -> SizeClassification:
    """The 2011 size class (中小企业划型), as a 422 when the figures cannot be classified."""
    try:
        return classify(industry, employees, revenue, assets)
    except (MissingIndicator, ValueError) as exc:
        raise _problem("industry", str(exc)) from None
