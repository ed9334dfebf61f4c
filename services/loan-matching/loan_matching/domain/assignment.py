"""Assignment rounds: spread requests across products under quotas, maximising total expected value.

Count quotas only: min-cost flow (OR-Tools) on source -> request (cap 1) -> product (cap = count
quota) -> sink, with a zero-cost bypass so a request may stay unassigned; values are scaled to
integer fen, so the flow optimum is the integer optimum (the flow polytope is integral), and it is
its own certificate: gap 0.

Amount quotas (专门信贷指标 in yuan) make it a multi-knapsack, which the flow cannot carry. Each
amount quota gets a price per yuan from the Lagrangian dual: the LP dual minimised over the bank
prices alone (a few dozen variables), smoothed with a log-sum-exp and solved by projected Newton
steps in a fraction of the LP's time. With those prices, the flow on value - price x amount is one
exact solve that certifies a bound for the whole round (weak duality: for any feasible assignment,
value <= value - price (amount - quota)), and its solution, repaired to the quotas (lowest value per
yuan dropped first, freed room refilled), is the incumbent. When the proven gap is still above
REL_GAP, a MIP solved by HiGHS (highspy, the same HiGHS scipy ships) takes over from that
incumbent within the time limit. Every round reports objective, bound and the proven gap.
If the flow optimum already respects every amount quota, it is optimal for the MIP too (it is the
optimum of a relaxation), so no MIP is needed.

Banks' own quotas across all their products (专门信贷指标 per bank) nest above the products': a count
quota is one more layer of the flow (product -> bank -> sink, capacity = the bank's count), still
integral; an amount quota is one more knapsack row of the MIP, repaired like a product's.
"""

import time
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import linprog

SCALE = 100.0  # value units (yuan) -> integer fen for the flow
TIME_LIMIT = 5.0  # seconds HiGHS may spend on the MIP before reporting its proven gap
REL_GAP = 1e-3  # stop at 0.1 % proven gap
WAN = 1e4  # HiGHS works in 10,000 yuan (万元): coefficients near 1, where yuan figures reach 1e8


class Optimality(StrEnum):
    """What the round's certificate says."""

    OPTIMAL = "optimal"  # proven optimal (gap 0, or within REL_GAP)
    TIME_LIMIT = "time_limit"  # best found in the time limit; the gap is still proven


@dataclass(frozen=True)
class BankQuotas:
    """Which bank each product belongs to, and each bank's count and amount quota left (inf = none)."""

    bank_of: npt.NDArray[np.intp]  # (P,) bank index of each product
    count: npt.NDArray[np.float64]  # (B,)
    amount: npt.NDArray[np.float64]  # (B,)

    @staticmethod
    def none(n_prod: int) -> "BankQuotas":
        """No bank quota: one bank without limits."""
        return BankQuotas(np.zeros(n_prod, dtype=np.intp), np.array([np.inf]), np.array([np.inf]))

    def caps(self, n_requests: int) -> npt.NDArray[np.int64]:
        """Count caps as integers (no quota = room for every request)."""
        return np.where(np.isfinite(self.count), np.maximum(self.count, 0), n_requests).astype(np.int64)


@dataclass
class Solution:
    """Which pair each request got, with the certificate."""

    pairs: list[tuple[int, int]]  # (request index, product index)
    objective: float
    bound: float  # proven upper bound on any feasible assignment's value
    gap: float  # (bound - objective) / bound
    solver: str
    seconds: float
    optimality: Optimality = Optimality.OPTIMAL
    start_objective: float | None = None  # the repaired flow solution the MIP started from


def _flow(
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    n_req: int,
    banks: BankQuotas,
) -> npt.NDArray[np.bool_]:
    n_prod, n_bank = len(cap), len(banks.count)
    bank0 = n_req + n_prod
    src, sink = bank0 + n_bank, bank0 + n_bank + 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate(
        [np.full(n_req, src), ri, n_req + np.arange(n_prod), bank0 + np.arange(n_bank), [src]]
    )
    heads = np.concatenate(
        [np.arange(n_req), n_req + pj, bank0 + banks.bank_of, np.full(n_bank, sink), [sink]]
    )
    caps = np.concatenate([np.ones(n_req), np.ones(len(v)), cap, banks.caps(n_req), [n_req]]).astype(np.int64)
    costs = np.concatenate([np.zeros(n_req), -np.round(v * SCALE), np.zeros(n_prod + n_bank), [0]]).astype(
        np.int64
    )
    smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    supplies = np.zeros(src + 2, dtype=np.int64)
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
    banks: BankQuotas | None = None,
    time_limit: float = TIME_LIMIT,
    rel_gap: float = REL_GAP,
) -> Solution:
    """Maximise sum(value x) s.t. each request at most once, per-product count and amount quotas, and
    (if given) per-bank count and amount quotas across each bank's products."""
    started = time.perf_counter()
    banks = banks if banks is not None else BankQuotas.none(len(quota_count))
    keep = value > 0
    ri, pj, v = req_idx[keep].astype(np.intp), prod_idx[keep].astype(np.intp), value[keep]
    if len(v) == 0:
        return Solution([], 0.0, 0.0, 0.0, "none (no eligible pair)", time.perf_counter() - started)
    cap = np.where(np.isfinite(quota_count), np.maximum(quota_count, 0), n_requests).astype(np.int64)
    chosen = _flow(ri, pj, v, cap, n_requests, banks)
    solver = "min-cost flow (OR-Tools)"
    optimality, start = Optimality.OPTIMAL, None
    bound = float(v[chosen].sum())  # the flow optimum bounds every assignment within the count quotas
    bank_quotas = np.isfinite(banks.count).any() or np.isfinite(banks.amount).any()
    if bank_quotas and (np.isfinite(quota_amount).any() or np.isfinite(banks.amount).any()):
        # Banks' own quotas nest above the products': repair to every quota, then the exact MIP.
        chosen, repaired = _repair(chosen, ri, pj, v, amounts, cap, quota_amount, banks)
        if repaired:
            start = float(v[chosen].sum())
            chosen, bound, optimality = _mip(
                chosen, ri, pj, v, amounts, cap, quota_amount, n_requests, time_limit, rel_gap, banks
            )
            solver = "MIP (HiGHS) from the repaired min-cost flow"
    elif np.isfinite(quota_amount).any():
        used = np.bincount(pj[chosen], weights=amounts[ri[chosen]], minlength=len(cap))
        if (used > quota_amount).any():
            prices = _amount_prices(ri, pj, v, amounts[ri], cap, quota_amount)
            chosen, priced_bound = _priced_flow(
                ri, pj, v, amounts, cap, quota_amount, prices, n_requests, banks
            )
            start = float(v[chosen].sum())
            bound = min(bound, priced_bound)
            solver = "Lagrangian prices + min-cost flow (OR-Tools), repaired"
            if bound - float(v[chosen].sum()) > rel_gap * bound:
                left = time_limit - (time.perf_counter() - started)
                chosen, mip_bound, optimality = _mip(
                    chosen, ri, pj, v, amounts, cap, quota_amount, n_requests, left, rel_gap, banks
                )
                bound = min(bound, mip_bound)
                solver = "MIP (HiGHS) from the Lagrangian-priced flow"
    objective = float(v[chosen].sum())
    bound = max(bound, objective)
    gap = (bound - objective) / bound if bound > 0 else 0.0
    pairs = [(int(ri[c]), int(pj[c])) for c in np.flatnonzero(chosen)]
    return Solution(pairs, objective, bound, gap, solver, time.perf_counter() - started, optimality, start)


def _priced_flow(
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    prices: npt.NDArray[np.float64],
    n_requests: int,
    banks: BankQuotas,
) -> tuple[npt.NDArray[np.bool_], float]:
    """The flow on value - price x amount: (its solution repaired to the quotas, the bound it proves)."""
    amt = amounts[ri]
    priced = v - prices[pj] * amt
    k = np.flatnonzero(priced > 0)  # a pair worth less than its quota's price is better left out
    x = np.zeros(len(v), dtype=bool)
    if len(k):
        x[k] = _flow(ri[k], pj[k], priced[k], cap, n_requests, banks)
    amounted = np.isfinite(quota_amount)
    # The flow optimises values rounded to the fen: half a fen per assigned pair covers the rounding.
    slack = 0.5 / SCALE * min(n_requests, int(cap.sum()))
    bound = float(
        np.round(priced[x] * SCALE).sum() / SCALE + slack + prices[amounted] @ quota_amount[amounted]
    )
    repaired, _ = _repair(x, ri, pj, v, amounts, cap, quota_amount, banks)
    return repaired, bound


def _amount_prices(
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amt: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    steps: int = 5,
) -> npt.NDArray[np.float64]:
    """Each amount quota's price per yuan (0 where there is none): near the LP dual's optimum.

    The LP dual in the bank prices y = (count prices w, amount prices λ) is
    f(y) = sum_i max(0, max_j v_ij - w_j - λ_j a_i) + cap·w + quota·λ, convex and piecewise linear;
    its log-sum-exp smoothing at temperature τ is within τ log(1 + pairs) per request of it and
    twice differentiable, so a few projected Newton steps (y >= 0) at τ = 10 %, 1 %, then 0.1 % of
    the median value get close. Any prices give a valid bound; closer prices give a tighter one.
    """
    n_prod = len(cap)
    counted = np.flatnonzero(cap < np.bincount(pj, minlength=n_prod))
    amounted = np.flatnonzero(np.isfinite(quota_amount))
    nw, m = len(counted), len(counted) + len(amounted)
    column = np.full(n_prod, -1)
    column[counted] = np.arange(nw)
    amount_column = np.full(n_prod, -1)
    amount_column[amounted] = nw + np.arange(len(amounted))
    cw, cl = column[pj], amount_column[pj]
    vw, aw = v / WAN, amt / WAN
    # Each pair touches at most two prices: its product's count price and its amount price.
    e_w, e_l = np.flatnonzero(cw >= 0), np.flatnonzero(cl >= 0)
    first = np.r_[True, ri[1:] != ri[:-1]]  # pairs come grouped by request
    starts, seg = np.flatnonzero(first), np.cumsum(first) - 1
    n_seg = len(starts)
    rhs = np.concatenate([cap[counted].astype(np.float64), quota_amount[amounted] / WAN])

    def smoothed(
        y: npt.NDArray[np.float64], tau: float
    ) -> tuple[float, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        s = vw.copy()
        s[e_w] -= y[cw[e_w]]
        s[e_l] -= y[cl[e_l]] * aw[e_l]
        top = np.maximum(np.maximum.reduceat(s, starts), 0.0)
        e = np.exp((s - top[seg]) / tau)
        z = np.exp(-top / tau) + np.add.reduceat(e, starts)
        share = e / z[seg]  # each pair's softmax weight within its request
        g = rhs.copy()
        g -= np.bincount(cw[e_w], weights=share[e_w], minlength=m)
        g -= np.bincount(cl[e_l], weights=share[e_l] * aw[e_l], minlength=m)
        return float((top + tau * np.log(z)).sum() + y @ rhs), g, share

    def hessian(share: npt.NDArray[np.float64], tau: float) -> npt.NDArray[np.float64]:
        # sum_i (J_i' diag(share_i) J_i - q_i q_i'), q_i = J_i' share_i; the first term is diagonal
        # per product (its count and amount prices), the second a (requests x prices) product.
        both = e_w[cl[e_w] >= 0]
        H = np.zeros((m, m))
        H[np.diag_indices(m)] = np.bincount(cw[e_w], weights=share[e_w], minlength=m) + np.bincount(
            cl[e_l], weights=share[e_l] * aw[e_l] ** 2, minlength=m
        )
        np.add.at(H, (cw[both], cl[both]), share[both] * aw[both])
        np.add.at(H, (cl[both], cw[both]), share[both] * aw[both])
        q = np.zeros(n_seg * m)
        q += np.bincount(seg[e_w] * m + cw[e_w], weights=share[e_w], minlength=n_seg * m)
        q += np.bincount(seg[e_l] * m + cl[e_l], weights=share[e_l] * aw[e_l], minlength=n_seg * m)
        per_request = q.reshape(n_seg, m)
        H -= per_request.T @ per_request
        H /= tau
        return H

    y = np.zeros(m)
    scale = float(np.median(vw))
    for tau in (0.1 * scale, 0.01 * scale, 0.001 * scale):
        for _ in range(steps):
            f, g, share = smoothed(y, tau)
            H = hessian(share, tau)
            free = ~((y <= 0) & (g > 0))
            H_free = H[np.ix_(free, free)]
            H_free[np.diag_indices_from(H_free)] += 1e-9 * max(float(np.trace(H_free)), 1e-12) + 1e-12
            d = np.zeros(m)
            d[free] = -np.linalg.solve(H_free, g[free])
            if -g @ d < 1e-9 * max(abs(f), 1.0):
                break
            t = 1.0
            for _ in range(30):  # backtracking on the projected step
                y_new = np.maximum(y + t * d, 0.0)
                if smoothed(y_new, tau)[0] <= f + 1e-4 * g @ (y_new - y):
                    break
                t *= 0.5
            y = y_new
    prices = np.zeros(n_prod)
    prices[amounted] = y[nw:]
    return prices


def _constraints(
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    amt: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    n_requests: int,
    banks: BankQuotas,
    bank_amount: npt.NDArray[np.float64] | None = None,
) -> tuple[sparse.csr_matrix, npt.NDArray[np.float64]]:
    """A x <= b: one row per request, per count quota that can bind (product, then bank), per bank
    amount quota, and last per product amount quota (the duals are read back in that order).

    `bank_amount` overrides `banks.amount` (scaled or what is left of it)."""
    n, n_prod, n_bank = len(ri), len(cap), len(banks.count)
    k = np.arange(n)
    bj = banks.bank_of[pj]
    bank_cap = banks.caps(n_requests)
    bank_amount = banks.amount if bank_amount is None else bank_amount
    counted = cap < np.bincount(pj, minlength=n_prod)
    bank_counted = bank_cap < np.bincount(bj, minlength=n_bank)
    bank_amounted = np.isfinite(bank_amount)
    amounted = np.isfinite(quota_amount)
    rows = [
        sparse.csr_matrix((np.ones(n), (ri, k)), shape=(n_requests, n)),
        sparse.csr_matrix((np.ones(n), (pj, k)), shape=(n_prod, n))[counted],
        sparse.csr_matrix((np.ones(n), (bj, k)), shape=(n_bank, n))[bank_counted],
        sparse.csr_matrix((amt, (bj, k)), shape=(n_bank, n))[bank_amounted],
        sparse.csr_matrix((amt, (pj, k)), shape=(n_prod, n))[amounted],
    ]
    b = np.concatenate(
        [
            np.ones(n_requests),
            cap[counted].astype(np.float64),
            bank_cap[bank_counted].astype(np.float64),
            bank_amount[bank_amounted],
            quota_amount[amounted],
        ]
    )
    return sparse.vstack(rows).tocsr(), b


def _highs_mip(
    v: npt.NDArray[np.float64],
    A: sparse.csr_matrix,
    b: npt.NDArray[np.float64],
    start: npt.NDArray[np.bool_],
    time_limit: float,
    rel_gap: float,
) -> tuple[npt.NDArray[np.bool_], float, bool]:
    """max v x, A x <= b, x binary, from `start`; returns (x, proven bound, optimal within rel_gap)."""
    A = A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(v), A.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = v
    lp.col_lower_, lp.col_upper_ = np.zeros(len(v)), np.ones(len(v))
    lp.row_lower_, lp.row_upper_ = np.full(A.shape[0], -highspy.kHighsInf), b
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(v)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    # Presolve spends seconds probing 10,000 set-packing rows; the LP root is fast without it.
    h.setOptionValue("presolve", "off" if len(v) > 5000 else "choose")
    h.passModel(lp)
    warm = highspy.HighsSolution()
    warm.col_value = start.astype(np.float64)
    h.setSolution(warm)
    h.run()
    info = h.getInfo()
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) > 0.5 if feasible else start
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else float(v[v > 0].sum())
    return x, bound, h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _sub_mip(
    free: npt.NDArray[np.bool_],
    fixed: npt.NDArray[np.bool_],
    start: npt.NDArray[np.bool_],
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amt: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    n_requests: int,
    time_limit: float,
    rel_gap: float,
    banks: BankQuotas,
) -> tuple[npt.NDArray[np.bool_], float, bool]:
    """The MIP over the `free` pairs with the `fixed` pairs taken; returns (x, bound, optimal)."""
    taken = np.zeros(n_requests, dtype=bool)
    taken[ri[fixed]] = True
    free = free & ~fixed & ~taken[ri]
    cap_left = cap - np.bincount(pj[fixed], minlength=len(cap))
    qa_left = quota_amount - np.bincount(pj[fixed], weights=amt[fixed], minlength=len(cap))
    n_bank = len(banks.count)
    bj = banks.bank_of[pj[fixed]]
    left = BankQuotas(banks.bank_of, banks.count - np.bincount(bj, minlength=n_bank), banks.amount)
    ba_left = banks.amount - np.bincount(bj, weights=amt[fixed], minlength=n_bank)
    k = np.flatnonzero(free)
    A, b = _constraints(ri[k], pj[k], amt[k] / WAN, cap_left, qa_left / WAN, n_requests, left, ba_left / WAN)
    rows = np.diff(A.indptr) > 0  # rows no free pair touches
    x, bound, optimal = _highs_mip(v[k] / WAN, A[rows], b[rows], start[k], time_limit, rel_gap)
    chosen = fixed.copy()
    chosen[k] = x
    return chosen, float(v[fixed].sum()) + bound * WAN, optimal


def _mip(
    start: npt.NDArray[np.bool_],
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    n_requests: int,
    time_limit: float,
    rel_gap: float,
    banks: BankQuotas,
) -> tuple[npt.NDArray[np.bool_], float, Optimality]:
    """The exact 0/1 programme; returns (chosen, proven bound, optimality).

    1. LP relaxation (HiGHS): its optimum bounds every assignment; its duals price the quotas, and
       the flow with each amount quota's price charged per yuan is a second integral candidate.
       A basic LP optimum has few fractional pairs (about one per binding quota), so
    2. a small MIP over the requests those pairs touch, everything else fixed at its LP value,
       gives an incumbent close to the bound (a relaxation-induced neighbourhood).
    3. If the gap is still above `rel_gap`: reduced-cost fixing (a pair whose reduced profit says
       that taking or leaving it costs more than the gap is fixed, as no better solution can differ
       there) and HiGHS on what is left, from the incumbent, until `time_limit`. Its dual bound
       plus the fixed pairs' value is a proven bound for the whole round.
    The repaired flow solution is the first incumbent throughout.
    """
    started = time.perf_counter()
    amt = amounts[ri]
    A, b = _constraints(ri, pj, amt / WAN, cap, quota_amount / WAN, n_requests, banks, banks.amount / WAN)
    lp = linprog(-v / WAN, A_ub=A, b_ub=b, bounds=(0, 1), method="highs")
    if lp.status != 0:
        raise RuntimeError(f"LP relaxation failed: {lp.message}")
    bound = float(-lp.fun) * WAN
    x_lp = np.asarray(lp.x)
    fractional = (x_lp > 1e-6) & (x_lp < 1 - 1e-6)
    touched = np.zeros(n_requests, dtype=bool)
    touched[ri[fractional]] = True
    # The flow again, each amount quota's dual price charged per yuan: another integral candidate.
    marginals = -np.asarray(lp.ineqlin.marginals)
    amounted = np.flatnonzero(np.isfinite(quota_amount))
    bank_amounted = np.flatnonzero(np.isfinite(banks.amount))
    per_yuan, bank_per_yuan = np.zeros(len(cap)), np.zeros(len(banks.amount))
    if len(amounted):
        per_yuan[amounted] = marginals[-len(amounted) :]
    end = len(marginals) - len(amounted)
    bank_per_yuan[bank_amounted] = marginals[end - len(bank_amounted) : end]
    price = (per_yuan[pj] + bank_per_yuan[banks.bank_of[pj]]) * amt
    priced, _ = _repair(
        _flow(ri, pj, np.maximum(v - price, 0.0), cap, n_requests, banks),
        ri,
        pj,
        v,
        amounts,
        cap,
        quota_amount,
        banks,
    )
    best = priced if v[priced].sum() > v[start].sum() else start
    if fractional.any():
        near, _, _ = _sub_mip(
            touched[ri],
            (x_lp >= 1 - 1e-6) & ~touched[ri],
            start,
            ri,
            pj,
            v,
            amt,
            cap,
            quota_amount,
            n_requests,
            time_limit / 2,
            rel_gap / 10,
            banks,
        )
        near, _ = _repair(near, ri, pj, v, amounts, cap, quota_amount, banks)  # exact in yuan
        if v[near].sum() > v[best].sum():
            best = near
    else:
        best = x_lp > 0.5  # the LP optimum is integral: optimal
    gap = bound - float(v[best].sum())
    left = time_limit - (time.perf_counter() - started)
    if gap <= rel_gap * bound:
        return best, bound, Optimality.OPTIMAL
    if left > 0.1:
        prices = -np.asarray(lp.ineqlin.marginals) * WAN
        reduced = v - A.T @ prices
        fix0, fix1 = reduced < -gap, reduced > gap
        x, sub_bound, optimal = _sub_mip(
            ~fix0,
            fix1 & (x_lp > 0.5),
            best,
            ri,
            pj,
            v,
            amt,
            cap,
            quota_amount,
            n_requests,
            left,
            rel_gap,
            banks,
        )
        x, _ = _repair(x, ri, pj, v, amounts, cap, quota_amount, banks)
        if v[x].sum() > v[best].sum():
            best = x
        if optimal:
            bound = min(bound, max(float(v[best].sum()), sub_bound))
    within = bound - float(v[best].sum()) <= rel_gap * bound
    return best, bound, Optimality.OPTIMAL if within else Optimality.TIME_LIMIT


def lp_bound(
    req_idx: npt.NDArray[np.intp],
    prod_idx: npt.NDArray[np.intp],
    value: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    quota_count: npt.NDArray[np.float64],
    quota_amount: npt.NDArray[np.float64],
    *,
    n_requests: int,
    banks: BankQuotas | None = None,
) -> float:
    """The LP relaxation's optimum (HiGHS through scipy): an independent check on any round's bound."""
    banks = banks if banks is not None else BankQuotas.none(len(quota_count))
    keep = value > 0
    ri, pj, v = req_idx[keep].astype(np.intp), prod_idx[keep].astype(np.intp), value[keep]
    if len(v) == 0:
        return 0.0
    cap = np.where(np.isfinite(quota_count), np.maximum(quota_count, 0), n_requests).astype(np.int64)
    A, b = _constraints(ri, pj, amounts[ri], cap, quota_amount, n_requests, banks)
    lp = linprog(-v, A_ub=A, b_ub=b, bounds=(0, 1), method="highs")
    if lp.status != 0:
        raise RuntimeError(f"LP relaxation failed: {lp.message}")
    return float(-lp.fun)


def _repair(
    chosen: npt.NDArray[np.bool_],
    ri: npt.NDArray[np.intp],
    pj: npt.NDArray[np.intp],
    v: npt.NDArray[np.float64],
    amounts: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int64],
    quota_amount: npt.NDArray[np.float64],
    banks: BankQuotas,
) -> tuple[npt.NDArray[np.bool_], bool]:
    """Make a solution respect the amount quotas (products', then banks'): drop low value-per-yuan
    pairs, then refill the freed room best value first within every quota."""
    chosen = chosen.copy()
    amt = amounts[ri]
    bj = banks.bank_of[pj]
    n_bank = len(banks.count)
    bank_cap = banks.caps(int(ri.max()) + 1)
    used = np.bincount(pj[chosen], weights=amt[chosen], minlength=len(cap))
    count = np.bincount(pj[chosen], minlength=len(cap))
    b_used = np.bincount(bj[chosen], weights=amt[chosen], minlength=n_bank)
    b_count = np.bincount(bj[chosen], minlength=n_bank)
    changed = False

    def drop(c: int) -> None:
        nonlocal changed
        j, b = pj[c], bj[c]
        chosen[c], changed = False, True
        used[j], count[j], b_used[b], b_count[b] = (
            used[j] - amt[c],
            count[j] - 1,
            b_used[b] - amt[c],
            b_count[b] - 1,
        )

    for j in np.flatnonzero(used > quota_amount):
        idx = np.flatnonzero(chosen & (pj == j))
        for c in idx[np.argsort(v[idx] / amt[idx])]:
            if used[j] <= quota_amount[j]:
                break
            drop(c)
    for b in np.flatnonzero(b_used > banks.amount):
        idx = np.flatnonzero(chosen & (bj == b))
        for c in idx[np.argsort(v[idx] / amt[idx])]:
            if b_used[b] <= banks.amount[b]:
                break
            drop(c)
    if changed:
        taken = np.zeros(int(ri.max()) + 1, dtype=bool)
        taken[ri[chosen]] = True
        # Only pairs of untaken requests at products with room can go in; room only shrinks.
        can = np.flatnonzero(~taken[ri] & (count[pj] < cap[pj]) & (used[pj] + amt <= quota_amount[pj]))
        for c in can[np.argsort(-v[can])].tolist():
            j, b = pj[c], bj[c]
            if (
                not taken[ri[c]]
                and count[j] < cap[j]
                and used[j] + amt[c] <= quota_amount[j]
                and b_count[b] < bank_cap[b]
                and b_used[b] + amt[c] <= banks.amount[b]
            ):
                chosen[c], taken[ri[c]] = True, True
                used[j], count[j], b_used[b], b_count[b] = (
                    used[j] + amt[c],
                    count[j] + 1,
                    b_used[b] + amt[c],
                    b_count[b] + 1,
                )
    return chosen, changed
