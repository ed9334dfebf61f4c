"""The scheduler against an exact CP-SAT model on small fairs, and the rules it must never break."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from fairs.domain.scheduler import (
    BankSeat,
    Candidate,
    FixedMeeting,
    InfeasibleFixed,
    Placement,
    Problem,
    Schedule,
    check,
    solve,
)


def optimum(p: Problem) -> float:
    """The exact optimum of the time-indexed model (CP-SAT), for the recommended pairs only."""
    m = cp_model.CpModel()
    slots = range(len(p.slot_sessions))
    fixed_sme = {(f.sme, f.slot) for f in p.fixed}
    fixed_bank: dict[tuple[str, int], int] = {}
    fixed_session: dict[tuple[str, int], int] = {}
    for f in p.fixed:
        fixed_bank[(f.bank, f.slot)] = fixed_bank.get((f.bank, f.slot), 0) + 1
        k = p.slot_sessions[f.slot]
        fixed_session[(f.bank, k)] = fixed_session.get((f.bank, k), 0) + 1
    x = {(c.sme, c.bank, t): m.new_bool_var(f"x{c.sme}{c.bank}{t}") for c in p.candidates for t in slots}
    for c in p.candidates:
        m.add(sum(x[(c.sme, c.bank, t)] for t in slots) <= 1)
    for s in p.smes:
        for t in slots:
            m.add(
                sum(v for (a, _, u), v in x.items() if a == s and u == t) <= (0 if (s, t) in fixed_sme else 1)
            )
    for b in p.banks:
        for t in slots:
            m.add(
                sum(v for (_, a, u), v in x.items() if a == b.key and u == t)
                <= len(b.tables) - fixed_bank.get((b.key, t), 0)
            )
        for k in set(p.slot_sessions):
            m.add(
                sum(v for (_, a, u), v in x.items() if a == b.key and p.slot_sessions[u] == k)
                <= b.capacity_per_session - fixed_session.get((b.key, k), 0)
            )
    value = {(c.sme, c.bank): round(c.value * 1000) for c in p.candidates}
    m.maximize(sum(value[(s, b)] * v for (s, b, _), v in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(m) == cp_model.OPTIMAL
    return solver.objective_value / 1000


def small_fair(seed: int, fixed: bool) -> Problem:
    rng = random.Random(seed)
    sessions = [0, 0, 0, 1, 1]
    banks = []
    table = 1
    for j in range(3):
        n = rng.choice([1, 2])
        banks.append(BankSeat(f"b{j}", tuple(range(table, table + n)), rng.randint(1, 3 * n)))
        table += n
    smes = [f"s{i}" for i in range(7)]
    cands = [
        Candidate(s, b.key, rng.randint(1, 1000) / 1000) for s in smes for b in banks if rng.random() < 0.6
    ]
    fixes: list[FixedMeeting] = []
    if fixed and cands:
        c = cands.pop(rng.randrange(len(cands)))
        fixes.append(FixedMeeting(c.sme, c.bank, rng.randrange(len(sessions))))
    return Problem(sessions, smes, banks, cands, fixes)


@pytest.mark.parametrize("seed", range(12))
def test_schedule_is_valid_optimal_on_small_fairs_and_bound_holds(seed: int) -> None:
    p = small_fair(seed, fixed=seed % 2 == 1)
    s = solve(p)
    assert check(p, s) == []
    best = optimum(p)
    # Values are thousandths, so the comparison is exact to rounding.
    assert s.bound >= best - 1e-6
    assert s.objective == pytest.approx(best, abs=1e-6)
    assert s.gap == pytest.approx(0.0, abs=1e-9)


def test_fixed_meetings_stay_and_capacity_per_session_holds() -> None:
    # One bank, two tables, but staff for one meeting per session; three SMEs want it.
    p = Problem(
        slot_sessions=[0, 0, 1, 1],
        smes=["s1", "s2", "s3"],
        banks=[BankSeat("b", (7, 8), 1)],
        candidates=[Candidate("s2", "b", 0.9), Candidate("s3", "b", 0.8)],
        fixed=[FixedMeeting("s1", "b", 1, 8)],
    )
    s = solve(p)
    assert check(p, s) == []
    assert Placement("s1", "b", 1, 8, True, 0.0) in s.placements
    recommended = [x for x in s.placements if not x.fixed]
    # Session 0 is taken by the fixed meeting: only one more meeting fits, the best one, in session 1.
    assert [(x.sme, p.slot_sessions[x.slot]) for x in recommended] == [("s2", 1)]
    assert s.objective == pytest.approx(0.9)


def test_fixed_meetings_that_double_book_are_refused() -> None:
    p = Problem(
        [0, 0],
        ["s1"],
        [BankSeat("b1", (1,), 2), BankSeat("b2", (2,), 2)],
        [],
        [
            FixedMeeting("s1", "b1", 0),
            FixedMeeting("s1", "b2", 0),
        ],
    )
    with pytest.raises(InfeasibleFixed, match="double-books"):
        solve(p)


def test_check_names_every_broken_rule() -> None:
    p = Problem([0, 0], ["s1", "s2"], [BankSeat("b1", (1,), 1), BankSeat("b2", (2,), 2)], [])
    bad = Schedule(
        placements=[
            Placement("s1", "b1", 0, 1, False, 0.5),
            Placement("s1", "b2", 0, 2, False, 0.5),  # s1 twice in slot 0
            Placement("s2", "b1", 1, 1, False, 0.5),  # b1 over capacity in session 0
            Placement("s2", "b2", 1, 1, False, 0.5),  # table 1 not b2's, and booked twice in slot 1
        ]
    )
    errors = check(p, bad)
    assert any("booked twice in slot 0" in e for e in errors)
    assert any("over its capacity" in e for e in errors)
    assert any("is not one of b2's" in e for e in errors)
    assert any("table 1 is booked twice" in e for e in errors)


def test_pairs_without_value_are_not_scheduled() -> None:
    p = Problem([0], ["s1"], [BankSeat("b1", (1,), 1)], [Candidate("s1", "b1", 0.0)])
    assert solve(p).placements == []
