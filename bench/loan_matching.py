"""Benchmark: the matching scoring path over 10,000 requests x 1,000 products, and assignment rounds
of 10,000 requests over 50 banks (count quotas; then amount quotas too), each beside its ceiling.

Ceilings, measured in the same run:
- scoring: a plain numpy pass over the same grid's features, already built (a fixed logistic score
  and an argmax per request, nothing else). The real path also evaluates every eligibility rule,
  prices every pair and builds what it scores from, so it does more than the ceiling.
- assignment: the LP relaxation of the same round solved by HiGHS (scipy): its value bounds any
  assignment, and its time is what one exact linear solve of the round costs here. The round
  itself no longer solves it: its bound comes from Lagrangian prices and one flow (see
  `loan_matching.domain.assignment`), and `gap_to_lp` shows how close that bound's solution is.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from loan_matching.domain.assignment import REL_GAP, lp_bound, solve
from loan_matching.domain.matching_model import FEATURES, grid_features, load_model
from loan_matching.domain.ranking import THREADS, rank_grid
from loan_matching.domain.scoring import evaluate_rules, indicative_rate
from loan_matching.models.training import synthetic_batches

GOAL_PAIRS_PER_SECOND = 30e6


def scoring(n_req: int = 10_000, n_prod: int = 1_000, chunk: int = 250, repeats: int = 3) -> dict[str, Any]:
    """Pairs per second of `rank_grid` and of the plain numpy pass, interleaved chunk by chunk.

    Each chunk is timed `repeats` times on both sides, alternately, and the fastest of each counts
    (as timeit does): on a shared 2-core machine a single pass measures the neighbours' load as
    much as the code. The first pass of each side is reported too.
    """
    model = load_model()
    req, prod = synthetic_batches(np.random.default_rng(7), n_req, n_prod)
    pairs = n_req * n_prod
    print(
        f"  ranking {n_req:,} requests x {n_prod:,} products = {pairs:,} pairs, model {model.version}, "
        f"{THREADS} thread(s), fastest of {repeats} per chunk"
    )
    ours = plain = ours_first = plain_first = 0.0
    eligible = 0
    w = np.linspace(-0.5, 0.5, len(FEATURES)).astype(np.float32)
    for s in range(0, n_req, chunk):
        sub = req.take(slice(s, s + chunk))
        # The ceiling's input, built outside its timing: the same pairs' feature matrix.
        x = np.nan_to_num(grid_features(sub, prod, indicative_rate(sub, prod), evaluate_rules(sub, prod)))
        best_ours = best_plain = np.inf
        for k in range(repeats):
            t = time.perf_counter()
            ranked = rank_grid(sub, prod, model)
            ranked.expected_value.argmax(axis=1)  # the best product per request, as the service takes it
            took = time.perf_counter() - t
            best_ours, ours_first = min(best_ours, took), ours_first + (took if k == 0 else 0.0)
            t = time.perf_counter()
            score = 1 / (1 + np.exp(-(x @ w)))
            score.reshape(len(sub), n_prod).argmax(axis=1)
            took = time.perf_counter() - t
            best_plain, plain_first = min(best_plain, took), plain_first + (took if k == 0 else 0.0)
        ours, plain = ours + best_ours, plain + best_plain
        eligible += int(ranked.eligible.sum())
        if (s // chunk) % 8 == 7:
            print(f"    {s + len(sub):>6,} requests ranked", flush=True)
    return {
        "pairs": pairs,
        "eligible_pairs": eligible,
        "model": model.version,
        "threads": THREADS,
        "repeats": repeats,
        "scoring_seconds": round(ours, 3),
        "scoring_pairs_per_second": round(pairs / ours),
        "plain_numpy_seconds": round(plain, 3),
        "plain_numpy_pairs_per_second": round(pairs / plain),
        "first_pass_scoring_pairs_per_second": round(pairs / ours_first),
        "first_pass_plain_numpy_pairs_per_second": round(pairs / plain_first),
        "held_out": {k: model.card["held_out"][k] for k in ("auc", "brier", "log_loss", "ece")},
        "held_out_before": model.card.get("compared_with"),
    }


def rounds(n_req: int = 10_000, banks: int = 50) -> dict[str, Any]:
    """Count-quota round and amount-quota round: time, proven gap, and the LP beside each."""
    model = load_model()
    rng = np.random.default_rng(7)
    req, prod = synthetic_batches(np.random.default_rng(11), n_req, banks)
    ranked = rank_grid(req, prod, model)
    ri, pj = np.nonzero(ranked.eligible)
    value = ranked.expected_value[ri, pj]
    quota = rng.integers(60, 200, banks).astype(float)
    out: dict[str, Any] = {}
    for label, qa in (
        ("count_quotas", np.full(banks, np.inf)),
        (
            "amount_quotas",
            np.where(np.arange(banks) < 10, quota * 6e5, np.inf),
        ),  # ten banks' amount quotas bind
    ):
        print(f"  assignment round with {label.replace('_', ' ')}: {len(ri):,} eligible pairs", flush=True)
        cpu = time.process_time()
        sol = solve(ri, pj, value, req.amount, quota, qa, n_requests=n_req)
        cpu = time.process_time() - cpu  # beside the wall time: what the round itself used
        t = time.perf_counter()
        lp = lp_bound(ri, pj, value, req.amount, quota, qa, n_requests=n_req)
        lp_seconds = time.perf_counter() - t
        used = np.bincount(
            [j for _, j in sol.pairs], weights=[req.amount[i] for i, _ in sol.pairs], minlength=banks
        )
        out[label] = {
            "assigned": len(sol.pairs),
            "objective": round(sol.objective, 2),
            "start_objective": None if sol.start_objective is None else round(sol.start_objective, 2),
            "proven_bound": round(sol.bound, 2),
            "proven_gap": sol.gap,
            "optimality": str(sol.optimality),
            "lp_bound": round(lp, 2),
            "gap_to_lp": max(0.0, (lp - sol.objective) / lp),
            "seconds": round(sol.seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "lp_seconds": round(lp_seconds, 3),
            "amount_quotas_held": bool((used <= qa).all()),
            "solver": sol.solver,
        }
        print(f"    {out[label]}", flush=True)
    return out


def run() -> dict[str, Any]:
    """Both benchmarks and their rows."""
    s = scoring()
    print(f"    {s}", flush=True)
    r = rounds()
    a = r["amount_quotas"]
    rows = [
        {
            "path": "matching: score 10M request x product pairs",
            "ours": s["scoring_pairs_per_second"],
            "ceiling": s["plain_numpy_pairs_per_second"],
            "unit": "pairs/s",
            "goal": ">= 20 % of the numpy pass and >= 30M pairs/s",
            "met": s["scoring_pairs_per_second"]
            >= max(0.2 * s["plain_numpy_pairs_per_second"], GOAL_PAIRS_PER_SECOND),
        },
        {
            "path": "assignment, count quotas, 10,000 x 50: seconds",
            "ours": r["count_quotas"]["seconds"],
            "ceiling": r["count_quotas"]["lp_seconds"],
            "unit": "s",
            "lower_is_better": True,
            "goal": "optimal, <= 1 s",
            "met": r["count_quotas"]["proven_gap"] == 0 and r["count_quotas"]["seconds"] <= 1,
        },
        {
            "path": "assignment, amount quotas, 10,000 x 50: seconds",
            "ours": a["seconds"],
            "ceiling": a["lp_seconds"],
            "unit": "s",
            "lower_is_better": True,
            "goal": "<= 1 s",
            "met": a["seconds"] <= 1,
        },
        {
            "path": "assignment, amount quotas: proven gap",
            "ours": round(a["proven_gap"] * 100, 4),
            "ceiling": 0.0,
            "unit": "%",
            "lower_is_better": True,
            "goal": f"<= {REL_GAP * 100:g} % proven",
            "met": a["proven_gap"] <= REL_GAP and a["amount_quotas_held"],
        },
    ]
    return {"scoring": s, "rounds": r, "rows": rows}


if __name__ == "__main__":
    run()
