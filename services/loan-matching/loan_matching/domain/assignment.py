"""Assignment rounds: spread requests across products under quotas, maximising total expected value.

Exact solver: min-cost flow (OR-Tools) on source -> request (cap 1) -> product (cap = count quota)
-> sink, with a zero-cost bypass so a request may stay unassigned; values are scaled to integer
fen, so the flow optimum is the integer optimum. It is checked against the LP relaxation solved
independently by HiGHS (scipy.optimize.linprog), which also carries the amount quotas; when an
amount quota binds, the flow solution is repaired (lowest value per yuan dropped first, then freed
room refilled) and the reported gap is the honest distance to that bound.
"""

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import linprog

SCALE = 100.0  # value units (yuan) -> integer fen for the flow


@dataclass
class Solution:
    """Which pair each request got, with the certificate."""

    pairs: list[tuple[int, int]]  # (request index, product index)
    objective: float
    bound: float
    gap: float
    solver: str
    seconds: float


def _flow(
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    n_req: int,
) -> npt.NDArray[np.bool_]:
    n_prod = len(cap)
    src, sink = n_req + n_prod, n_req + n_prod + 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(n_req, src), ri, n_req + np.arange(n_prod), [src]])
    heads = np.concatenate([np.arange(n_req), n_req + pj, np.full(n_prod, sink), [sink]])
    caps = np.concatenate([np.ones(n_req), np.ones(len(v)), cap, [n_req]]).astype(np.int64)
    costs = np.concatenate([np.zeros(n_req), -np.round(v * SCALE), np.zeros(n_prod), [0]]).astype(np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    supplies = np.zeros(n_req + n_prod + 2, dtype=np.int64)
    supplies[src], supplies[sink] = n_req, -n_req
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(n_req, n_req + len(v), dtype=np.int32))
    chosen: npt.NDArray[np.bool_] = flows > 0
    return chosen


def solve(
    req_idx: npt.NDArray[np.intp],
    prod_idx: npt.NDArray[np.intp],
    value: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    quota_count: npt.NDArray[np.float64],
    quota_amount: npt.NDArray[np.float64],
    *,
    n_requests: int,
) -> Solution:
    """Maximise sum(value x) s.t. each request at most once, per-product count and amount quotas."""
    started = time.perf_counter()
    n_prod = len(quota_count)
    keep = value > 0
    ri, pj, v = req_idx[keep].astype(np.intp), prod_idx[keep].astype(np.intp), value[keep]
    if len(v) == 0:
        return Solution([], 0.0, 0.0, 0.0, "none (no eligible pair)", time.perf_counter() - started)
    cap = np.where(np.isfinite(quota_count), np.maximum(quota_count, 0), n_requests).astype(np.int64)
    chosen = _flow(ri, pj, v, cap, n_requests)
    solver = "OR-Tools min-cost flow (exact for count quotas)"
    amounted = np.isfinite(quota_amount)
    if amounted.any():
        chosen, repaired = _repair(chosen, ri, pj, v, amounts, cap, quota_amount)
        if repaired:
            solver += " + amount-quota repair"
    # The LP relaxation, with every quota, solved by a different algorithm: the bound.
    k = np.arange(len(v))
    rows = [sparse.csr_matrix((np.ones(len(v)), (ri, k)), shape=(n_requests, len(v)))]
    ub = [np.ones(n_requests)]
    counted = np.isfinite(quota_count)
    if counted.any():
        rows.append(sparse.csr_matrix((np.ones(len(v)), (pj, k)), shape=(n_prod, len(v)))[counted])
        ub.append(cap[counted].astype(np.float64))
    if amounted.any():
        rows.append(sparse.csr_matrix((amounts[ri], (pj, k)), shape=(n_prod, len(v)))[amounted])
        ub.append(quota_amount[amounted])
    lp = linprog(-v, A_ub=sparse.vstack(rows).tocsr(), b_ub=np.concatenate(ub), bounds=(0, 1), method="highs")
    if lp.status != 0:
        raise RuntimeError(f"LP relaxation failed: {lp.message}")
    bound = float(-lp.fun)
    objective = float(v[chosen].sum())
    gap = max(0.0, (bound - objective) / bound) if bound > 0 else 0.0
    pairs = [(int(ri[c]), int(pj[c])) for c in np.flatnonzero(chosen)]
    return Solution(
        pairs, objective, bound, gap, solver + "; bound: LP relaxation (HiGHS)", time.perf_counter() - started
    )


def _repair(
    chosen: npt.NDArray[np.bool_],
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.bool_], bool]:
    """Make the flow solution respect amount quotas: drop low value-per-yuan pairs, then refill."""
    chosen = chosen.copy()
    amt = amounts[ri]
    used = np.bincount(pj[chosen], weights=amt[chosen], minlength=len(cap))
    count = np.bincount(pj[chosen], minlength=len(cap))
    changed = False
    for j in np.flatnonzero(used > quota_amount):
        idx = np.flatnonzero(chosen & (pj == j))
        for c in idx[np.argsort(v[idx] / amt[idx])]:
            if used[j] <= quota_amount[j]:
                break
            chosen[c], used[j], count[j], changed = False, used[j] - amt[c], count[j] - 1, True
    if changed:
        taken = np.zeros(int(ri.max()) + 1, dtype=bool)
        taken[ri[chosen]] = True
        for c in np.argsort(-v):
            j = pj[c]
            if not taken[ri[c]] and count[j] < cap[j] and used[j] + amt[c] <= quota_amount[j]:
                chosen[c], taken[ri[c]], used[j], count[j] = True, True, used[j] + amt[c], count[j] + 1
    return chosen, changed
