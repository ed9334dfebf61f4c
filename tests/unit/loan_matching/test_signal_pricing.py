"""Differential pricing by operating signals (差别化利率), no I/O: spreads, unknowns, discounts, the explanation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from loan_matching.domain.scoring import build_products, build_requests, explain_rate, indicative_rate

PRODUCT: dict[str, Any] = {
    "base_rate": "4.0",
    "grade_spreads": {"A": "0.5", "BBB": "1.0"},
    "signal_spreads": [
        {"signal": "tax_grade", "in": ["C", "D"], "spread": "0.8"},
        {"signal": "social_insurance_months", "below": "12", "spread": "0.3", "when_unknown": True},
        {"signal": "revenue_growth_percent", "at_least": "20", "spread": "-0.4"},
    ],
}


def test_each_signal_rule_adds_its_spread_where_it_holds() -> None:
    rows = [
        {"amount": 1e5, "term_months": 12, "grade": "A", "tax_grade": "C", "social_insurance_months": 12},
        {
            "amount": 1e5,
            "term_months": 12,
            "grade": "A",
            "tax_grade": "A",
            "revenue_growth_percent": Decimal("25"),
        },
        {"amount": 1e5, "term_months": 12, "grade": "BBB"},  # social insurance unknown: charged
    ]
    rate = indicative_rate(build_requests(rows), build_products([PRODUCT]))[:, 0]
    assert np.allclose(rate, [4.0 + 0.5 + 0.8, 4.0 + 0.5 + 0.3 - 0.4, 4.0 + 1.0 + 0.3])


def test_a_discount_never_makes_a_rate_negative() -> None:
    cheap = {"base_rate": "0.1", "signal_spreads": [{"signal": "tax_grade", "in": ["A"], "spread": "-5"}]}
    rate = indicative_rate(
        build_requests([{"amount": 1e5, "term_months": 6, "tax_grade": "A"}]), build_products([cheap])
    )
    assert rate[0, 0] == 0.0


def test_the_explanation_adds_up_to_the_rate() -> None:
    req = build_requests([{"amount": 1e5, "term_months": 12, "grade": "A", "tax_grade": "D"}])
    prod = build_products([PRODUCT, {"base_rate": "3.0"}])
    rate = indicative_rate(req, prod)
    for j in range(2):
        parts = explain_rate(req, 0, prod, j)
        assert sum(Decimal(p["points"]) for p in parts) == Decimal(f"{rate[0, j]:.4f}")
    signals = {p["signal"]: p for p in explain_rate(req, 0, prod, 0) if p["component"] == "operating_signal"}
    assert signals["tax_grade"]["applied"] == "yes"
    assert signals["social_insurance_months"]["value"] == "unknown"
    assert signals["revenue_growth_percent"]["applied"] == "no"
