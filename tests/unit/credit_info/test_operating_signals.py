"""Operating signals derived from credit records (no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from credit_info.db.tables import CreditRecord
from credit_info.domain.operating_signals import derive
from credit_info.domain.records import CreditSource


def _record(source: CreditSource, payload: dict[str, Any]) -> CreditRecord:
    return CreditRecord(
        uscc="u",
        source=source,
        occurred_on=date(2026, 4, 1),
        negative=False,
        payload=payload,
        dedupe_key="k",
        provider="p",
    )


def test_signals_come_from_the_latest_year_and_the_same_period_a_year_before() -> None:
    records = [
        _record(CreditSource.TAX, {"year": 2024, "grade": "D"}),
        _record(CreditSource.TAX, {"year": 2025, "grade": "B"}),
        _record(CreditSource.TAX, {"year": 2025, "grade": "M"}),  # the worse grade of the year stands
        _record(CreditSource.SOCIAL_INSURANCE, {"year": 2025, "insured_headcount": 9, "months_paid": 11}),
        _record(
            CreditSource.UTILITIES, {"utility": "power", "year": 2025, "months_on_time": 12, "months_late": 0}
        ),
        _record(
            CreditSource.UTILITIES, {"utility": "water", "year": 2025, "months_on_time": 9, "months_late": 3}
        ),
        _record(CreditSource.OPERATING, {"frequency": "quarterly", "period": "2025-Q1", "revenue": "400"}),
        _record(CreditSource.OPERATING, {"frequency": "quarterly", "period": "2026-Q1", "revenue": "500"}),
        _record(
            CreditSource.OPERATING, {"frequency": "quarterly", "period": "2026-Q2", "revenue": "900"}
        ),  # no twin
    ]
    assert derive(records) == {
        "revenue_growth_percent": Decimal("25.00"),
        "tax_grade": "M",
        "social_insurance_months": 11,
        "utilities_on_time_percent": Decimal("87.50"),
    }


def test_no_records_no_signals() -> None:
    assert set(derive([]).values()) == {None}
