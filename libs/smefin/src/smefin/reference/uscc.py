"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) checks for Inner Mongolia."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from stdnum.cn import uscc as _stdnum_uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as _StdnumError

from smefin.reference.divisions import (
    UnknownDivision,
    is_inner_mongolia,
    league_of,
)
from smefin.reference.divisions import county as _county

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# 登记管理部门 9 = market regulation (工商/市场监管), the only authority that registers enterprises.
ENTERPRISE_AUTHORITY = "9"


class InvalidUscc(ValueError):
    """A USCC that fails format, check character, authority or division checks."""


@dataclass(frozen=True)
class Uscc:
    """A parsed USCC; county_code is None when positions 3-8 name no county-level division."""

    code: str
    division_code: str
    league_code: str
    county_code: str | None


def normalize_uscc(value: str) -> str:
    """Strip all whitespace and upper-case."""
    return "".join(value.split()).upper()


def _format_problem(code: str) -> str:
    for pos, char in enumerate(code, start=1):
        if char not in _ALPHABET:
            return (
                f"USCC character {char!r} at position {pos} is not allowed; "
                "a USCC uses digits and capital letters except I, O, S, V, Z"
            )
    if code[0] != ENTERPRISE_AUTHORITY:
        return _authority_problem(code[0])
    for pos, char in enumerate(code[:8], start=1):
        if not char.isdigit():
            return f"USCC positions 2-8 must be digits, got {char!r} at position {pos}"
    return "USCC is not well-formed"


def _authority_problem(char: str) -> str:
    return (
        f"USCC registration authority (position 1) is {char!r}; only enterprises registered "
        f"with market regulation (市场监管, {ENTERPRISE_AUTHORITY!r}) can register"
    )


def parse_uscc(value: str) -> Uscc:
    """Validate a USCC and derive its league and county; InvalidUscc says what is wrong."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise InvalidUscc(f"USCC must be 18 characters, got {len(code)}")
    try:
        _stdnum_uscc.validate(code)
    except _StdnumError as exc:
        if isinstance(exc, InvalidChecksum):
            expected = _stdnum_uscc.calc_check_digit(code[:17])
            raise InvalidUscc(f"USCC check character is wrong: expected {expected}, got {code[17]}") from None
        raise InvalidUscc(_format_problem(code)) from None
    if code[0] != ENTERPRISE_AUTHORITY:
        raise InvalidUscc(_authority_problem(code[0]))
    division = code[2:8]
    if not is_inner_mongolia(division):
        raise InvalidUscc(
            f"USCC division code {division} is not in Inner Mongolia; only enterprises "
            "registered in Inner Mongolia (15xxxx) can register"
        )
    try:
        league_code = league_of(division).code
    except UnknownDivision as exc:
        raise InvalidUscc(f"USCC division code {division}: {exc}") from None
    try:
        county_code: str | None = _county(division).code
    except UnknownDivision:
        county_code = None
    return Uscc(code, division, league_code, county_code)


def _validated_code(value: str) -> str:
    return parse_uscc(value).code


# For request schemas: FastAPI turns the InvalidUscc message into a 422.
# The documented pattern admits what normalisation admits (spaces anywhere, lower case); the check
# character, authority and division are checked after it.
USCC_PATTERN = r"^\s*(?:[0-9A-Za-z]\s*){18}$"
UsccStr = Annotated[
    str,
    AfterValidator(_validated_code),
    WithJsonSchema(
        {"type": "string", "pattern": USCC_PATTERN, "examples": ["911501020000000A1E"]}, mode="validation"
    ),
]


def make_uscc(division_code: str, serial: str) -> str:
    """Build a valid enterprise USCC: "91" + division + 9-char organisation code + check."""
    if len(division_code) != 6 or not division_code.isdigit():
        raise ValueError(f"division code must be 6 digits, got {division_code!r}")
    org = serial.upper().rjust(9, "0")
    if len(org) != 9 or any(c not in _ALPHABET for c in org):
        raise ValueError(f"serial must be at most 9 USCC characters, got {serial!r}")
    body = "91" + division_code + org
    return body + _stdnum_uscc.calc_check_digit(body)
