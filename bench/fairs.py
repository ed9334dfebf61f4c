"""Fair scheduling: 1,000 SMEs, 100 banks, 16 slots (two sessions of eight), realistic capacities.

Reports the scheduler's time and objective next to two ceilings measured in the same run: the
time-free b-matching bound the scheduler computes itself, and the LP relaxation of the full
time-indexed model solved by HiGHS (scipy), which does not trust the scheduler's own reasoning.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.optimize import milp
from scipy.optimize._constraints import Bounds, LinearConstraint
from scipy.sparse import coo_array

from fairs.domain.scheduler import BankSeat, Candidate, FixedMeeting, Problem, check, solve

SMES, BANKS, SLOTS, SESSIONS = 1000, 100, 16, 2


def instance(seed: int = 7) -> Problem:
    """A fair as the demo leagues would fill it: each SME matched to a handful of banks."""
    rng = np.random.default_rng(seed)
    slot_sessions = [t * SESSIONS // SLOTS for t in range(SLOTS)]
    banks: list[BankSeat] = []
    next_table = 1
    for j in range(BANKS):
        n_tables = int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2]))
        tables = tuple(range(next_table, next_table + n_tables))
        next_table += n_tables
        # Most banks staff fewer meetings than their tables could hold.
        per_session = int(rng.integers(3, n_tables * SLOTS // SESSIONS + 1))
        banks.append(BankSeat(f"bank-{j:03d}", tables, per_session))
    # Big banks attract more matches: popularity skews which banks an SME is matched to.
    popularity = rng.pareto(1.5, BANKS) + 0.2
    popularity /= popularity.sum()
    candidates: list[Candidate] = []
    for i in range(SMES):
        k = int(rng.integers(3, 13))
        for j in rng.choice(BANKS, size=k, replace=False, p=popularity):
            candidates.append(Candidate(f"sme-{i:04d}", banks[j].key, round(float(rng.beta(2.2, 3.0)), 6)))
    # About 150 accepted meeting requests hold their slot before the solver runs.
    fixed: list[FixedMeeting] = []
    busy: set[tuple[str, int]] = set()
    load: dict[tuple[str, int], int] = {}
    for c in rng.permutation(len(candidates))[:150]:
        cand = candidates[int(c)]
        t = int(rng.integers(0, SLOTS))
        bank = next(b for b in banks if b.key == cand.bank)
        k = slot_sessions[t]
        if (
            (cand.sme, t) in busy
            or (cand.bank, t) in busy
            or load.get((cand.bank, k), 0) >= min(bank.capacity_per_session, 2)
        ):
            continue
        busy.update({(cand.sme, t), (cand.bank, t)})
        load[(cand.bank, k)] = load.get((cand.bank, k), 0) + 1
        fixed.append(FixedMeeting(cand.sme, cand.bank, t))
    fixed_pairs = {(f.sme, f.bank) for f in fixed}
    candidates = [c for c in candidates if (c.sme, c.bank) not in fixed_pairs]
    return Problem(slot_sessions, [f"sme-{i:04d}" for i in range(SMES)], banks, candidates, fixed)


def lp_bound(problem: Problem) -> tuple[float, float]:
    """The LP relaxation of the time-indexed model (x[pair, slot] in [0, 1]), by HiGHS; (bound, seconds)."""
    started = time.perf_counter()
    smes = {k: i for i, k in enumerate(problem.smes)}
    banks = {b.key: j for j, b in enumerate(problem.banks)}
    S = len(problem.slot_sessions)
    K = max(problem.slot_sessions) + 1
    sess = np.asarray(problem.slot_sessions)
    sme_busy = np.zeros((len(smes), S), dtype=bool)
    room = np.array([[len(b.tables)] * S for b in problem.banks], dtype=float)
    left = np.array([[b.capacity_per_session] * K for b in problem.banks], dtype=float)
    for f in problem.fixed:
        i, j = smes[f.sme], banks[f.bank]
        sme_busy[i, f.slot] = True
        room[j, f.slot] -= 1
        left[j, sess[f.slot]] -= 1
    ci = np.array([smes[c.sme] for c in problem.candidates])
    cj = np.array([banks[c.bank] for c in problem.candidates])
    cv = np.array([c.value for c in problem.candidates])
    P = len(ci)
    var = np.arange(P * S).reshape(P, S)  # var[p, t]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    ub: list[np.ndarray] = []
    r0 = 0
    # each pair at most once
    rows.append(np.repeat(np.arange(P), S) + r0)
    cols.append(var.ravel())
    ub.append(np.ones(P))
    r0 += P
    # SME one per slot: row (i, t)
    rows.append((ci[:, None] * S + np.arange(S)[None, :]).ravel() + r0)
    cols.append(var.ravel())
    ub.append((~sme_busy).astype(float).ravel())
    r0 += len(smes) * S
    # bank tables per slot: row (j, t)
    rows.append((cj[:, None] * S + np.arange(S)[None, :]).ravel() + r0)
    cols.append(var.ravel())
    ub.append(room.ravel())
    r0 += len(banks) * S
    # bank capacity per session: row (j, k)
    rows.append((cj[:, None] * K + sess[None, :]).ravel() + r0)
    cols.append(var.ravel())
    ub.append(left.ravel())
    r0 += len(banks) * K
    A = coo_array(
        (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))), shape=(r0, P * S)
    )
    res = milp(
        c=-np.repeat(cv, S),
        constraints=LinearConstraint(A.tocsr(), -np.inf, np.concatenate(ub)),
        bounds=Bounds(0, 1),
        integrality=np.zeros(P * S),
    )
    if res.status != 0:
        raise RuntimeError(f"HiGHS: {res.message}")
    return float(-res.fun), time.perf_counter() - started


def run() -> dict[str, Any]:
    """Solve the instance, check the schedule, compare with the bounds."""
    problem = instance()
    schedule = solve(problem)
    errors = check(problem, schedule)
    if errors:
        raise AssertionError(f"schedule breaks {len(errors)} rules, e.g. {errors[0]}")
    lp, lp_seconds = lp_bound(problem)
    ceiling = min(lp, schedule.bound)
    return {
        "smes": SMES,
        "banks": BANKS,
        "slots": SLOTS,
        "candidate_pairs": len(problem.candidates),
        "fixed_meetings": len(problem.fixed),
        "meetings": len(schedule.placements),
        "seconds": round(schedule.seconds, 3),
        "objective": round(schedule.objective, 3),
        "flow_bound": round(schedule.bound, 3),
        "lp_bound": round(lp, 3),
        "lp_seconds": round(lp_seconds, 2),
        "objective_vs_bound_percent": round(100 * schedule.objective / ceiling, 3) if ceiling else 100.0,
        "goal": ">= 99 % of the bound in <= 2 s",
        "goal_met": bool(schedule.seconds <= 2.0 and schedule.objective >= 0.99 * ceiling),
    }
