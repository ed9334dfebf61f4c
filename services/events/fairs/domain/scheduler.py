"""The meeting scheduler: pairs into slots and tables, maximising total match value.

The problem: choose meetings (SME, bank, slot, table) so that an SME meets at most one bank per slot,
a bank holds at most one meeting per table per slot and at most its staffing capacity per session,
a pair meets at most once, and fixed meetings (accepted requests, organizer pins) stay where they
are. Maximise the summed match score of the recommended meetings placed.

How (why this and not one big CP-SAT model: 1,000 × 100 × 16 is ~10^5 time-indexed variables):

1. Bound and selection: drop the time dimension. Each SME can take as many meetings as it has free
   slots, each bank as many as its tables and session capacities allow over the day. That is a
   bipartite b-matching, solved exactly by OR-Tools min-cost flow. Its optimum is an upper bound on
   any schedule (every schedule is a feasible b-matching), and with equal sessions and no fixed
   meetings it is attainable (König's edge-colouring theorem), so it is usually tight.
2. Realisation: place the chosen pairs slot by slot, each slot a max-weight b-matching (min-cost
   flow again) that favours the pairs whose SME or bank has the least slack left, so nobody is left
   with more meetings than remaining slots.
3. Fill: any pair that could not be placed, and every unchosen candidate, best score first, goes
   into the first slot where both sides are still free.

The gap to the bound is reported with every schedule.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

# Scores are probabilities; min-cost flow needs integer costs.
_SCALE = 1_000_000


@dataclass(frozen=True)
class BankSeat:
    """A bank at the fair: its table numbers and how many meetings it can staff per session."""

    key: str
    tables: tuple[int, ...]
    capacity_per_session: int


@dataclass(frozen=True)
class Candidate:
    """A recommended pair and its value (the match score)."""

    sme: str
    bank: str
    value: float


@dataclass(frozen=True)
class FixedMeeting:
    """A meeting that must stay: an accepted request or an organizer's pin."""

    sme: str
    bank: str
    slot: int
    table: int | None = None


@dataclass(frozen=True)
class Problem:
    """Everything the scheduler needs; `slot_sessions[t]` is the session of slot t."""

    slot_sessions: Sequence[int]
    smes: Sequence[str]
    banks: Sequence[BankSeat]
    candidates: Sequence[Candidate]
    fixed: Sequence[FixedMeeting] = ()


@dataclass(frozen=True)
class Placement:
    """One meeting of the schedule."""

    sme: str
    bank: str
    slot: int
    table: int
    fixed: bool
    value: float


@dataclass
class Schedule:
    """The scheduler's answer: meetings, objective, the bound it was measured against, the gap."""

    placements: list[Placement] = field(default_factory=list)
    objective: float = 0.0
    bound: float = 0.0
    seconds: float = 0.0
    solver: str = "ortools-min-cost-flow bound + slot-by-slot flow + fill"

    @property
    def gap(self) -> float:
        """Relative distance to the bound (0 = proven optimal)."""
        return 0.0 if self.bound <= 1e-9 else max(0.0, 1.0 - self.objective / self.bound)


class InfeasibleFixed(ValueError):
    """The fixed meetings themselves double-book someone."""


@dataclass
class _State:
    """Free capacity left as meetings are placed."""

    sme_free: NDArray[np.bool_]  # [sme, slot]
    room: NDArray[np.int64]  # [bank, slot] free tables
    session_left: NDArray[np.int64]  # [bank, session]
    tables_used: list[list[set[int]]]  # [bank][slot] table numbers taken
    met: set[tuple[int, int]]


def _index(problem: Problem) -> tuple[dict[str, int], dict[str, int], NDArray[np.int64], int]:
    smes = {k: i for i, k in enumerate(problem.smes)}
    banks = {b.key: j for j, b in enumerate(problem.banks)}
    sess = np.asarray(problem.slot_sessions, dtype=np.int64)
    n_sessions = int(sess.max()) + 1 if len(sess) else 0
    return smes, banks, sess, n_sessions


def _initial_state(
    problem: Problem, smes: dict[str, int], banks: dict[str, int], sess: NDArray[np.int64], n_sessions: int
) -> tuple[_State, list[Placement]]:
    n, m, s = len(smes), len(banks), len(sess)
    state = _State(
        sme_free=np.ones((n, s), dtype=bool),
        room=np.array([[len(b.tables)] * s for b in problem.banks], dtype=np.int64).reshape(m, s),
        session_left=np.array(
            [[b.capacity_per_session] * n_sessions for b in problem.banks], dtype=np.int64
        ).reshape(m, n_sessions),
        tables_used=[[set() for _ in range(s)] for _ in range(m)],
        met=set(),
    )
    placed: list[Placement] = []
    value_of = {(c.sme, c.bank): c.value for c in problem.candidates}
    # Fixed meetings with a table first, so the others take whatever table is left.
    for f in sorted(problem.fixed, key=lambda f: f.table is None):
        i, j, t = smes.get(f.sme), banks.get(f.bank), f.slot
        if i is None or j is None or not 0 <= t < s:
            raise InfeasibleFixed(
                f"fixed meeting {f.sme}–{f.bank} in slot {t} names an unknown party or slot"
            )
        bank = problem.banks[j]
        table = (
            f.table
            if f.table is not None
            else next((x for x in bank.tables if x not in state.tables_used[j][t]), None)
        )
        if (
            not state.sme_free[i, t]
            or table is None
            or table not in bank.tables
            or table in state.tables_used[j][t]
            or state.session_left[j, sess[t]] <= 0
            or (i, j) in state.met
        ):
            raise InfeasibleFixed(f"fixed meeting {f.sme}–{f.bank} in slot {t} double-books someone")
        _take(state, i, j, t, table, sess)
        placed.append(Placement(f.sme, f.bank, t, table, True, value_of.get((f.sme, f.bank), 0.0)))
    return state, placed


def _take(state: _State, i: int, j: int, t: int, table: int, sess: NDArray[np.int64]) -> None:
    state.sme_free[i, t] = False
    state.room[j, t] -= 1
    state.session_left[j, sess[t]] -= 1
    state.tables_used[j][t].add(table)
    state.met.add((i, j))


def _bank_capacity(
    state: _State, sess: NDArray[np.int64], n_sessions: int, from_slot: int = 0
) -> NDArray[np.int64]:
    """Meetings each bank can still hold in slots from `from_slot` on."""
    room = state.room[:, from_slot:]
    later = sess[from_slot:]
    total = np.zeros(room.shape[0], dtype=np.int64)
    for k in range(n_sessions):
        in_k = room[:, later == k].sum(axis=1)
        total += np.minimum(in_k, state.session_left[:, k])
    return total


def _b_matching(
    ci: NDArray[np.int64],
    cj: NDArray[np.int64],
    weight: NDArray[np.int64],
    left_cap: NDArray[np.int64],
    right_cap: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Max-weight bipartite b-matching (each edge at most once) by min-cost flow; which edges are used."""
    n, m = len(left_cap), len(right_cap)
    if len(ci) == 0:
        return np.zeros(0, dtype=bool)
    src, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    supply = int(left_cap.sum())
    edges = flow.add_arcs_with_capacity_and_unit_cost(ci, n + cj, np.ones(len(ci), dtype=np.int64), -weight)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, src, dtype=np.int64),
        np.arange(n, dtype=np.int64),
        left_cap.astype(np.int64),
        np.zeros(n, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m, dtype=np.int64),
        np.full(m, sink, dtype=np.int64),
        right_cap.astype(np.int64),
        np.zeros(m, dtype=np.int64),
    )
    # The bypass lets flow skip any pair that is not worth it: we maximise value, not meetings.
    flow.add_arc_with_capacity_and_unit_cost(src, sink, supply, 0)
    flow.set_node_supply(src, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the network is always feasible thanks to the bypass
        raise RuntimeError(f"min-cost flow ended with status {status}")
    used: NDArray[np.bool_] = flow.flows(edges) > 0
    return used


def solve(problem: Problem) -> Schedule:
    """Schedule the fair: fixed meetings kept, recommended pairs placed to maximise total value."""
    started = time.perf_counter()
    smes, banks, sess, n_sessions = _index(problem)
    n_slots = len(sess)
    state, placed = _initial_state(problem, smes, banks, sess, n_sessions)

    seen: set[tuple[int, int]] = set()
    rows: list[tuple[int, int, float]] = []
    for c in problem.candidates:
        i, j = smes.get(c.sme), banks.get(c.bank)
        if i is None or j is None or c.value <= 0 or (i, j) in state.met or (i, j) in seen:
            continue
        seen.add((i, j))
        rows.append((i, j, c.value))
    ci = np.array([r[0] for r in rows], dtype=np.int64)
    cj = np.array([r[1] for r in rows], dtype=np.int64)
    cv = np.array([r[2] for r in rows], dtype=np.float64)
    weight = np.rint(cv * _SCALE).astype(np.int64)

    # 1. The time-free relaxation: exact, and an upper bound on every schedule.
    sme_cap = state.sme_free.sum(axis=1).astype(np.int64)
    bank_cap = _bank_capacity(state, sess, n_sessions)
    chosen = _b_matching(ci, cj, weight, sme_cap, bank_cap)
    bound = float(cv[chosen].sum()) if len(cv) else 0.0

    # 2. Place the chosen pairs slot by slot, the tightest parties first.
    pending = chosen.copy()
    placed_mask = np.zeros(len(ci), dtype=bool)
    for t in range(n_slots):
        if not pending.any():
            break
        k = sess[t]
        idx = np.flatnonzero(pending)
        pi, pj = ci[idx], cj[idx]
        ok = state.sme_free[pi, t] & (state.room[pj, t] > 0) & (state.session_left[pj, k] > 0)
        idx, pi, pj = idx[ok], pi[ok], pj[ok]
        if len(idx) == 0:
            continue
        sme_deg = np.bincount(ci[pending], minlength=len(smes))
        bank_deg = np.bincount(cj[pending], minlength=len(banks))
        sme_slack = state.sme_free[:, t:].sum(axis=1) - sme_deg
        bank_slack = _bank_capacity(state, sess, n_sessions, t) - bank_deg
        urgency = 1.0 / (1.0 + np.maximum(sme_slack[pi], 0)) + 1.0 / (1.0 + np.maximum(bank_slack[pj], 0))
        w = np.rint((1.0 + 4.0 * urgency + cv[idx]) * 1000).astype(np.int64)
        slot_cap = np.minimum(state.room[:, t], state.session_left[:, k])
        used = _b_matching(pi, pj, w, np.ones(len(smes), dtype=np.int64), slot_cap)
        for e in idx[used]:
            i, j = int(ci[e]), int(cj[e])
            _place(state, problem, placed, i, j, t, float(cv[e]), sess)
            pending[e] = False
            placed_mask[e] = True

    # 3. Fill: unplaced chosen pairs, then the rest, best score first, into the first free slot.
    for e in np.argsort(-cv, kind="stable"):
        if placed_mask[e]:
            continue
        i, j = int(ci[e]), int(cj[e])
        if (i, j) in state.met:
            continue
        ok = state.sme_free[i] & (state.room[j] > 0) & (state.session_left[j, sess] > 0)
        free = np.flatnonzero(ok)
        if len(free):
            _place(state, problem, placed, i, j, int(free[0]), float(cv[e]), sess)
            placed_mask[e] = True

    objective = float(cv[placed_mask].sum()) if len(cv) else 0.0
    return Schedule(
        placements=placed,
        objective=objective,
        bound=max(bound, objective),
        seconds=time.perf_counter() - started,
    )


def _place(
    state: _State,
    problem: Problem,
    placed: list[Placement],
    i: int,
    j: int,
    t: int,
    value: float,
    sess: NDArray[np.int64],
) -> None:
    bank = problem.banks[j]
    table = next(x for x in bank.tables if x not in state.tables_used[j][t])
    _take(state, i, j, t, table, sess)
    placed.append(Placement(problem.smes[i], bank.key, t, table, False, value))


def check(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule a schedule breaks (empty when it is valid): used by tests and before saving."""
    errors: list[str] = []
    sess = list(problem.slot_sessions)
    banks = {b.key: b for b in problem.banks}
    sme_slots: set[tuple[str, int]] = set()
    tables: set[tuple[int, int]] = set()
    pairs: set[tuple[str, str]] = set()
    per_session: dict[tuple[str, int], int] = {}
    for p in schedule.placements:
        b = banks.get(p.bank)
        if b is None or not 0 <= p.slot < len(sess):
            errors.append(f"{p}: unknown bank or slot")
            continue
        if p.table not in b.tables:
            errors.append(f"{p}: table {p.table} is not one of {p.bank}'s")
        if (p.sme, p.slot) in sme_slots:
            errors.append(f"{p.sme} is booked twice in slot {p.slot}")
        if (p.slot, p.table) in tables:
            errors.append(f"table {p.table} is booked twice in slot {p.slot}")
        if (p.sme, p.bank) in pairs:
            errors.append(f"{p.sme} meets {p.bank} twice")
        key = (p.bank, sess[p.slot])
        per_session[key] = per_session.get(key, 0) + 1
        if per_session[key] > b.capacity_per_session:
            errors.append(f"{p.bank} is over its capacity in session {sess[p.slot]}")
        sme_slots.add((p.sme, p.slot))
        tables.add((p.slot, p.table))
        pairs.add((p.sme, p.bank))
    return errors
