"""Assignment with amount quotas: the MIP's answer against brute force, and its certificate (no I/O)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from loan_matching.domain.assignment import REL_GAP, BankQuotas, Optimality, lp_bound, solve


def _brute_force(value: np.ndarray, amount: np.ndarray, quota: np.ndarray, quota_amount: np.ndarray) -> float:
    n_req, n_prod = value.shape
    best = 0.0
    for choice in itertools.product(range(n_prod + 1), repeat=n_req):  # n_prod = unassigned
        taken = [(i, c) for i, c in enumerate(choice) if c < n_prod]
        counts = np.bincount([c for _, c in taken], minlength=n_prod)
        used = np.bincount([c for _, c in taken], weights=[amount[i] for i, _ in taken], minlength=n_prod)
        if (counts <= quota).all() and (used <= quota_amount + 1e-9).all():
            best = max(best, sum(value[i, c] for i, c in taken))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_amount_quotas_are_solved_to_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_req, n_prod = 7, 3
    amount = rng.integers(1, 10, n_req).astype(float) * 1e5
    value = rng.random((n_req, n_prod)) * amount[:, None] * (rng.random((n_req, n_prod)) < 0.8)
    quota = np.array([3.0, 2.0, 4.0])
    quota_amount = np.array([amount.sum() * 0.25, np.inf, amount.sum() * 0.2])
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(n_req), np.arange(n_prod), indexing="ij"))
    sol = solve(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req)
    best = _brute_force(value, amount, quota, quota_amount)
    assert sol.objective == pytest.approx(best, rel=REL_GAP)
    assert sol.bound >= sol.objective - 1e-6
    assert sol.bound >= best - 1e-6  # the bound is a bound
    assert sol.gap <= REL_GAP
    assert sol.optimality == Optimality.OPTIMAL
    used = np.bincount([j for _, j in sol.pairs], weights=[amount[i] for i, _ in sol.pairs], minlength=n_prod)
    assert (used <= quota_amount).all()
    assert len({i for i, _ in sol.pairs}) == len(sol.pairs)
    if sol.start_objective is not None:
        assert sol.start_objective <= sol.objective + 1e-6


def test_a_binding_amount_quota_is_priced_and_certified_within_the_gap() -> None:
    rng = np.random.default_rng(42)
    n_req, n_prod = 2000, 8
    amount = np.round(rng.lognormal(np.log(1e6), 0.8, n_req), -3)
    value = rng.random((n_req, n_prod)) * amount[:, None]
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(n_req), np.arange(n_prod), indexing="ij"))
    quota = np.full(n_prod, 150.0)
    quota_amount = np.full(n_prod, np.inf)
    quota_amount[:4] = 7.5e7  # about half the amount the flow would give each of these four
    sol = solve(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req)
    assert "Lagrangian" in sol.solver
    assert sol.start_objective is not None
    assert sol.objective >= sol.start_objective
    assert sol.gap <= REL_GAP
    used = np.bincount([j for _, j in sol.pairs], weights=[amount[i] for i, _ in sol.pairs], minlength=n_prod)
    assert (used <= quota_amount).all()
    # The certificate agrees with an LP relaxation solved separately: a Lagrangian bound is never
    # below the LP's optimum (which minimises it over the prices), and ours is close to it.
    lp = lp_bound(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req)
    assert sol.objective <= lp + 1e-6
    assert lp * (1 - 1e-9) <= sol.bound <= lp * (1 + REL_GAP)


def test_a_gap_the_prices_cannot_close_goes_to_the_mip() -> None:
    rng = np.random.default_rng(3)
    n_req, n_prod = 60, 3
    amount = rng.integers(5, 50, n_req).astype(float) * 1e5
    value = rng.random((n_req, n_prod)) * amount[:, None]
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(n_req), np.arange(n_prod), indexing="ij"))
    quota = np.full(n_prod, 20.0)
    quota_amount = np.array([1.2e7, 0.9e7, np.inf])  # a few large requests per quota: a lumpy knapsack
    sol = solve(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req, rel_gap=1e-9)
    assert sol.solver.startswith("MIP (HiGHS)")
    assert sol.start_objective is not None
    assert sol.objective >= sol.start_objective
    lp = lp_bound(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req)
    assert sol.objective <= lp + 1e-6
    assert sol.optimality == Optimality.OPTIMAL


def test_count_quotas_alone_are_exact_by_the_flow() -> None:
    rng = np.random.default_rng(5)
    value = rng.random((50, 4)) * 100
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(50), np.arange(4), indexing="ij"))
    quota = np.array([5.0, 3.0, 8.0, 1.0])
    sol = solve(ri, pj, value[ri, pj], np.ones(50), quota, np.full(4, np.inf), n_requests=50)
    assert sol.gap == 0.0
    assert sol.solver == "min-cost flow (OR-Tools)"
    lp = lp_bound(ri, pj, value[ri, pj], np.ones(50), quota, np.full(4, np.inf), n_requests=50)
    assert sol.objective == pytest.approx(lp, rel=1e-7)  # the flow polytope is integral


@pytest.mark.parametrize("seed", range(6))
def test_bank_quotas_across_products_are_solved_to_the_brute_force_optimum(seed: int) -> None:
    """Two banks, four products: each bank's count and amount quota binds across its products."""
    rng = np.random.default_rng(100 + seed)
    n_req, n_prod = 6, 4
    amount = rng.integers(1, 10, n_req).astype(float) * 1e5
    value = rng.random((n_req, n_prod)) * amount[:, None] * (rng.random((n_req, n_prod)) < 0.9)
    quota, quota_amount = np.full(n_prod, 5.0), np.full(n_prod, np.inf)
    banks = BankQuotas(
        np.array([0, 0, 1, 1]), np.array([2.0, np.inf]), np.array([np.inf, amount.sum() * 0.3])
    )
    ri, pj = (a.ravel() for a in np.meshgrid(np.arange(n_req), np.arange(n_prod), indexing="ij"))
    sol = solve(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req, banks=banks)
    best = 0.0
    for choice in itertools.product(range(n_prod + 1), repeat=n_req):
        taken = [(i, c) for i, c in enumerate(choice) if c < n_prod]
        bank = [banks.bank_of[c] for _, c in taken]
        spent = sum(amount[i] for i, c in taken if banks.bank_of[c] == 1)
        if bank.count(0) <= 2 and spent <= banks.amount[1]:
            best = max(best, sum(value[i, c] for i, c in taken))
    assert sol.objective == pytest.approx(best, rel=REL_GAP)
    assert sol.bound >= best - 1e-6
    assert sol.optimality == Optimality.OPTIMAL
    assert sum(banks.bank_of[j] == 0 for _, j in sol.pairs) <= 2
    assert sum(amount[i] for i, j in sol.pairs if banks.bank_of[j] == 1) <= banks.amount[1]
    lp = lp_bound(ri, pj, value[ri, pj], amount, quota, quota_amount, n_requests=n_req, banks=banks)
    assert sol.objective <= lp + 1e-6
