"""SME size classification (中小企业划型) by the 2011 MIIT standard, 工信部联企业〔2011〕300号.

The thresholds and the GB/T 4754-2017 industry mapping live in size_standard_2011.json, so a
revision of the standard is a data change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema

DATA_FILE = "size_standard_2011.json"
# GB/T 4754-2017: section letter A-T, then division (2), group (3) or class (4) digits.
_INDUSTRY_CODE = re.compile(r"[A-T][0-9]{0,4}")


class Indicator(StrEnum):
    """Size indicators; revenue (营业收入) and assets (资产总额) are in 10,000 yuan (万元)."""

    EMPLOYEES = "employees"
    REVENUE = "revenue"
    ASSETS = "assets"


class SizeClass(StrEnum):
    """大型 / 中型 / 小型 / 微型."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class InvalidIndustryCode(ValueError):
    """Not a GB/T 4754 code of the form section letter plus 0-4 digits."""


class MissingIndicator(ValueError):
    """The industry's row needs an indicator the caller did not give."""


@dataclass(frozen=True)
class Threshold:
    """One indicator bound of a row."""

    indicator: Indicator
    value: Decimal


@dataclass(frozen=True)
class StandardRow:
    """One industry row: SME ceilings joined by OR, medium and small floors each joined by AND."""

    key: str
    name_zh: str
    name_en: str
    sme_ceiling: tuple[Threshold, ...]
    medium_floors: tuple[Threshold, ...]
    small_floors: tuple[Threshold, ...]

    @property
    def indicators(self) -> frozenset[Indicator]:
        """Every indicator the row reads."""
        all_ = self.sme_ceiling + self.medium_floors + self.small_floors
        return frozenset(t.indicator for t in all_)


@dataclass(frozen=True)
class SizeClassification:
    """Result of classify(): the class, the row used and the thresholds that decided it."""

    size_class: SizeClass
    standard_row: str
    reasons: list[str]


def _thresholds(raw: Sequence[Mapping[str, Any]]) -> tuple[Threshold, ...]:
    return tuple(Threshold(Indicator(t["indicator"]), Decimal(str(t["value"]))) for t in raw)


@cache
def _load() -> tuple[dict[str, StandardRow], dict[str, str], str]:
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    rows = {
        r["key"]: StandardRow(
            r["key"],
            r["name_zh"],
            r["name_en"],
            _thresholds(r["sme_ceiling"]),
            _thresholds(r["medium_floors"]),
            _thresholds(r["small_floors"]),
        )
        for r in data["rows"]
    }
    mapping: dict[str, str] = data["industry_map"]
    default: str = data["default_row"]
    unknown = ({*mapping.values(), default} - rows.keys()) | {
        code for code in mapping if not _INDUSTRY_CODE.fullmatch(code)
    }
    if unknown:
        raise RuntimeError(f"{DATA_FILE} refers to unknown rows or bad codes: {sorted(unknown)}")
    return rows, mapping, default


def standard_rows() -> list[StandardRow]:
    """The 16 industry rows of the standard, in table order."""
    return list(_load()[0].values())


def standard_row(key: str) -> StandardRow:
    """The row with this key, e.g. "retail"."""
    rows = _load()[0]
    if key not in rows:
        raise ValueError(f"unknown size-standard row {key!r}; expected one of {', '.join(rows)}")
    return rows[key]


def normalize_industry_code(code: str) -> str:
    """Strip and upper-case a GB/T 4754 code (国民经济行业分类) such as "C13" or "K701"."""
    normalized = code.strip().upper()
    if not _INDUSTRY_CODE.fullmatch(normalized):
        raise InvalidIndustryCode(
            f"industry code {code!r} is not a GB/T 4754-2017 code: expected a section letter "
            "A-T followed by up to 4 digits, e.g. C13 or K701"
        )
    return normalized


IndustryCodeStr = Annotated[
    str,
    AfterValidator(normalize_industry_code),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\s*[A-Ta-t][0-9]{0,4}\s*$", "examples": ["C13"]}, mode="validation"
    ),
]


def row_for_industry(code: str) -> StandardRow:
    """The standard row for a GB/T 4754 code, by longest matching prefix (unlisted → other)."""
    rows, mapping, default = _load()
    normalized = normalize_industry_code(code)
    for end in range(len(normalized), 0, -1):
        if normalized[:end] in mapping:
            return rows[mapping[normalized[:end]]]
    return rows[default]


def yuan_to_wan(yuan: Decimal) -> Decimal:
    """Convert yuan to the standard's unit of 10,000 yuan (万元)."""
    return yuan / 10000


def _fmt(value: Decimal) -> str:
    return f"{value:f}"


def _check_floors(
    floors: tuple[Threshold, ...], values: Mapping[Indicator, Decimal], label: str
) -> tuple[bool, str]:
    failing = [t for t in floors if values[t.indicator] < t.value]
    if failing:
        parts = [f"{t.indicator} {_fmt(values[t.indicator])} < {_fmt(t.value)}" for t in failing]
        return False, f"{' and '.join(parts)}: {label} floors not met"
    parts = [f"{t.indicator} {_fmt(values[t.indicator])} ≥ {_fmt(t.value)}" for t in floors]
    return True, f"{' and '.join(parts)}: {label} floors met"


def classify(
    industry: str,
    employees: int | None,
    revenue: Decimal | None,
    assets: Decimal | None,
) -> SizeClassification:
    """Classify an enterprise (划型) from a GB/T 4754 code or row key; money in 万元."""
    row = _load()[0].get(industry) or row_for_industry(industry)
    given = {Indicator.EMPLOYEES: employees, Indicator.REVENUE: revenue, Indicator.ASSETS: assets}
    for indicator, value in given.items():
        if value is not None and value < 0:
            raise ValueError(f"{indicator} must not be negative, got {value}")
    missing = sorted(i for i in row.indicators if given[i] is None)
    if missing:
        raise MissingIndicator(
            f"size class for {row.key} ({row.name_zh}) needs {' and '.join(missing)}, which was not given"
        )
    values = {i: Decimal(v) for i, v in given.items() if v is not None}

    below = [t for t in row.sme_ceiling if values[t.indicator] < t.value]
    if not below:
        reasons = [
            f"{t.indicator} {_fmt(values[t.indicator])} ≥ SME ceiling {_fmt(t.value)} ({row.key})"
            for t in row.sme_ceiling
        ]
        reasons.append("at or above every SME ceiling: large")
        return SizeClassification(SizeClass.LARGE, row.key, reasons)
    reasons = [
        f"{t.indicator} {_fmt(values[t.indicator])} < SME ceiling {_fmt(t.value)} ({row.key})" for t in below
    ]
    medium, why = _check_floors(row.medium_floors, values, "medium")
    reasons.append(why)
    if medium:
        return SizeClassification(SizeClass.MEDIUM, row.key, reasons)
    small, why = _check_floors(row.small_floors, values, "small")
    reasons.append(why if small else f"{why}: micro")
    return SizeClassification(SizeClass.SMALL if small else SizeClass.MICRO, row.key, reasons)
