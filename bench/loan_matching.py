"""Benchmark: rank 10,000 requests x 1,000 products through the real scoring path, and an assignment
round of 10,000 requests over 50 banks with quotas (time and gap to the LP bound)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from loan_matching.domain.assignment import solve
from loan_matching.domain.matching_model import FEATURES, grid_features, load_model, synthetic_batches
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import evaluate_rules, indicative_rate


def run(n_req: int = 10_000, n_prod: int = 1_000, chunk: int = 250) -> dict[str, Any]:
    """Run both benchmarks; print progress; return the figures."""
    model = load_model()
    rng = np.random.default_rng(7)
    req, prod = synthetic_batches(rng, n_req, n_prod)
    pairs = n_req * n_prod
    print(f"ranking {n_req:,} requests x {n_prod:,} products = {pairs:,} pairs, model {model.version}")
    started, eligible, best = time.perf_counter(), 0, np.zeros(n_req)
    plain = 0.0
    w = np.linspace(-0.5, 0.5, len(FEATURES)).astype(np.float32)
    for s in range(0, n_req, chunk):
        sub = req.take(slice(s, s + chunk))
        ranked = rank_grid(sub, prod, model)
        eligible += int(ranked.eligible.sum())
        best[s : s + chunk] = ranked.expected_value.max(axis=1)
        # Plain numpy over the same features: a fixed logistic score and an argmax, nothing else.
        t = time.perf_counter()
        x = np.nan_to_num(ranked.features)
        score = 1 / (1 + np.exp(-(x @ w)))
        score.reshape(len(sub), n_prod).argmax(axis=1)
        plain += time.perf_counter() - t
        if (s // chunk) % 8 == 0:
            print(f"  {s + len(sub):>6,} requests ranked, {time.perf_counter() - started:6.1f} s")
    scoring = time.perf_counter() - started
    t = time.perf_counter()
    for s in range(0, n_req, chunk):
        sub = req.take(slice(s, s + chunk))
        st = evaluate_rules(sub, prod)
        grid_features(sub, prod, indicative_rate(sub, prod), st)
    features_only = time.perf_counter() - t
    figures: dict[str, Any] = {
        "pairs": pairs,
        "eligible_pairs": eligible,
        "scoring_seconds": round(scoring, 2),
        "scoring_pairs_per_second": round(pairs / scoring),
        "plain_numpy_seconds": round(plain, 2),
        "plain_numpy_pairs_per_second": round(pairs / plain),
        "rules_and_features_seconds": round(features_only, 2),
    }
    print(figures)

    print("assignment round: 10,000 requests over 50 banks with count quotas")
    banks = 50
    r2, p2 = synthetic_batches(np.random.default_rng(11), n_req, banks)
    ranked = rank_grid(r2, p2, model)
    ri, pj = np.nonzero(ranked.eligible)
    quota = rng.integers(60, 200, banks).astype(float)
    sol = solve(
        ri, pj, ranked.expected_value[ri, pj], r2.amount, quota, np.full(banks, np.inf), n_requests=n_req
    )
    figures["round"] = {
        "requests": n_req,
        "banks": banks,
        "eligible_pairs": len(ri),
        "quota_slots": int(quota.sum()),
        "assigned": len(sol.pairs),
        "objective": round(sol.objective, 2),
        "lp_bound": round(sol.bound, 2),
        "gap": sol.gap,
        "seconds": round(sol.seconds, 2),
        "solver": sol.solver,
    }
    print(figures["round"])
    qa = np.full(banks, np.inf)
    qa[:10] = quota[:10] * 6e5  # ten banks also have an amount quota that binds
    sol = solve(ri, pj, ranked.expected_value[ri, pj], r2.amount, quota, qa, n_requests=n_req)
    figures["round_with_amount_quotas"] = {
        "assigned": len(sol.pairs),
        "objective": round(sol.objective, 2),
        "lp_bound": round(sol.bound, 2),
        "gap": round(sol.gap, 5),
        "seconds": round(sol.seconds, 2),
        "solver": sol.solver,
    }
    print(figures["round_with_amount_quotas"])
    return figures


if __name__ == "__main__":
    run()
