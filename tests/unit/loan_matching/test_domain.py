"""Eligibility rules, pricing, the exact solver and lending growth, without I/O."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import numpy as np

from loan_matching.db.tables import LendingReport, RewardRule
from loan_matching.domain.assignment import solve
from loan_matching.domain.lending_reports import lending_growth
from loan_matching.domain.matches import add_business_days
from loan_matching.domain.scoring import (
    MET,
    NOT_MET,
    RULE_INDEX,
    UNKNOWN,
    build_products,
    build_requests,
    evaluate_rules,
    explain,
    indicative_rate,
)

REQ: dict[str, Any] = {
    "amount": 800000,
    "term_months": 12,
    "league_code": "150100",
    "industry": "C1310",
    "size_class": "small",
    "grade": "A",
    "collateral_available": False,
    "accepts_guarantee": False,
}
PROD: dict[str, Any] = {
    "kind": "credit_only",
    "min_amount": 1e5,
    "max_amount": 5e5,
    "min_term_months": 3,
    "max_term_months": 36,
    "industries": ["C13"],
    "base_rate": 3.45,
    "grade_spreads": {"AAA": 0.3, "A": 0.9, "BBB": 1.5},
}


def test_rules_say_what_failed_and_what_would_change_it() -> None:
    products = [PROD, {**PROD, "kind": "guaranteed", "max_amount": 1e6, "min_grade": "AA"}]
    st = evaluate_rules(build_requests([REQ]), build_products(products))
    assert st[0, 0, RULE_INDEX["amount_max"]] == NOT_MET
    assert st[0, 0, RULE_INDEX["industry"]] == MET
    fixes = {r["rule"]: r.get("would_change_it") for r in explain(st[0, 0], PROD)}
    assert fixes["amount_max"] == "amount above the product's maximum of 500000.0"
    # The figures the sentence names come with it, so the site can say it in Chinese by rule code.
    values = {r["rule"]: r.get("values") for r in explain(st[0, 0], PROD)}
    assert values["amount_max"] == {"max_amount": "500000.0"}
    assert values["industry"] is None  # a rule that is met has nothing to change
    second = {r["rule"]: r for r in explain(st[0, 1], products[1])}
    assert second["guarantee"]["would_change_it"] == "eligible with a guarantee"
    assert second["min_grade"]["status"] == "not_met"
    assert second["guarantee_capacity"]["status"] == "unknown"  # no capacity event seen yet


def test_unknown_grade_is_unknown_not_a_failure() -> None:
    st = evaluate_rules(
        build_requests([{**REQ, "grade": None}]), build_products([{**PROD, "min_grade": "BBB"}])
    )
    assert st[0, 0, RULE_INDEX["min_grade"]] == UNKNOWN


def test_rate_is_base_plus_grade_spread_and_worst_spread_when_unlisted() -> None:
    reqs = build_requests([REQ, {**REQ, "grade": "CCC"}])
    rate = indicative_rate(reqs, build_products([PROD]))
    assert np.allclose(rate[:, 0], [3.45 + 0.9, 3.45 + 1.5])


def test_solver_matches_brute_force_under_quotas() -> None:
    rng = np.random.default_rng(3)
    value = rng.random((6, 3)) * 100
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(6), np.arange(3), indexing="ij"))
    quota = np.array([2.0, 1.0, 1.0])
    sol = solve(ri, pj, value[ri, pj], np.ones(6), quota, np.full(3, np.inf), n_requests=6)
    best = 0.0
    for choice in itertools.product(range(4), repeat=6):  # 3 = unassigned
        counts = np.bincount([c for c in choice if c < 3], minlength=3)
        if (counts <= quota).all():
            best = max(best, sum(value[i, c] for i, c in enumerate(choice) if c < 3))
    assert abs(sol.objective - best) < 1e-2 * 1.0001
    assert sol.gap < 1e-6
    assert sol.bound >= sol.objective - 1e-6


def test_amount_quota_is_respected() -> None:
    ri, pj = np.arange(4), np.zeros(4, dtype=int)
    sol = solve(
        ri,
        pj,
        np.array([10.0, 9, 8, 7]),
        np.array([60.0, 50, 40, 10]),
        np.array([4.0]),
        np.array([100.0]),
        n_requests=4,
    )
    assert sum([60.0, 50, 40, 10][i] for i, _ in sol.pairs) <= 100


def test_growth_and_reward() -> None:
    reps = [
        LendingReport(bank_org_id=b, month=m, sme_loan_balance=Decimal(s), total_loan_balance=Decimal(t))
        for b, m, s, t in [
            ("b1", "2026-01", 100, 1000),
            ("b1", "2026-06", 130, 1100),
            ("b2", "2026-01", 100, 1000),
            ("b2", "2026-06", 105, 1200),
        ]
    ]
    out = lending_growth(reps, "2026-01", "2026-06", RewardRule(rate_percent=Decimal("1")))
    b1, b2 = out["banks"]
    assert b1["sme_growth_above_total"]
    assert b1["reward"] == Decimal("0.30")
    assert not b2["sme_growth_above_total"]
    assert b2["reward"] == 0
    assert out["total"]["sme_growth_percent"] == 17.5


def test_two_business_days_skip_the_weekend() -> None:
    from datetime import UTC, datetime

    friday = datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert add_business_days(friday, 2).weekday() == 1  # Tuesday
