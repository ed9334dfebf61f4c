"""The scoring path: rules, price, model and expected value for a request x product grid.

One fused pass over the grid, in blocks of rows small enough to stay in cache: each block unpacks
its requests' rule bits (`scoring.pass_bits`), checks the amount interval, sums the model's
log-odds terms (`MatchingModel.grid_terms`), and writes eligibility, probability and expected value
straight into the result, with no (R, P) temporary. Large grids split their blocks over the
process's cores (numpy releases the GIL inside each operation).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt

from loan_matching.domain.matching_model import GridTerms, MatchingModel, grid_features
from loan_matching.domain.scoring import (
    ProductBatch,
    RequestBatch,
    eligibility,
    evaluate_rules,
    indicative_rate,
    pass_bits,
)

BLOCK_PAIRS = 65_536  # pairs per block: its float32 rows (256 KB) stay in L2 between operations
THREADED_PAIRS = 200_000  # below this a grid is scored in the calling thread (no hand-off cost)
THREADS = min(2, len(os.sched_getaffinity(0)))


class Ranked:
    """Everything the scoring path knows about a grid of pairs (arrays are (R, P) unless noted).

    `status`, `features`, `rate` and `unknown` are built on first use only: ranking needs none of
    them, and for a large grid they are most of the memory traffic.
    """

    def __init__(
        self,
        req: RequestBatch,
        prod: ProductBatch,
        eligible: npt.NDArray[np.bool_],
        probability: npt.NDArray[np.float32],
        expected_value: npt.NDArray[np.float64],
    ) -> None:
        self.req, self.prod = req, prod
        self.eligible = eligible
        self.probability = probability  # 0 where not eligible; float32
        self.expected_value = expected_value  # amount x probability: expected yuan of SME credit delivered

    @cached_property
    def rate(self) -> npt.NDArray[np.float64]:
        """Indicative rate, percent per year."""
        return indicative_rate(self.req, self.prod)

    @cached_property
    def unknown(self) -> npt.NDArray[np.int8]:
        """How many rules answered "unknown"."""
        return eligibility(self.req, self.prod)[1]

    @cached_property
    def status(self) -> npt.NDArray[np.int8]:
        """(R, P, rules): met / not met / unknown per rule, for explanations."""
        return evaluate_rules(self.req, self.prod)

    @cached_property
    def features(self) -> npt.NDArray[np.float32]:
        """(R * P, features), row-major by request: what a match records for training."""
        return grid_features(self.req, self.prod, self.rate, self.status)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="rank-grid")


def rank_grid(req: RequestBatch, prod: ProductBatch, model: MatchingModel) -> Ranked:
    """Score every pair; pairs that are not eligible get probability 0."""
    n_req, n_prod = len(req), len(prod)
    eligible = np.empty((n_req, n_prod), dtype=bool)
    probability = np.empty((n_req, n_prod), dtype=np.float32)
    expected = np.empty((n_req, n_prod), dtype=np.float64)
    if n_req and n_prod:
        bits, terms = pass_bits(req, prod), model.grid_terms(req, prod)
        t = prod.tables
        out = (eligible, probability, expected)
        rows = max(1, BLOCK_PAIRS // n_prod)
        starts = list(range(0, n_req, rows))
        if THREADS > 1 and n_req * n_prod >= THREADED_PAIRS:
            half = (len(starts) + 1) // 2
            parts = [starts[:half], starts[half:]]
            done = [
                _pool().submit(_blocks, part, rows, req.amount, bits, t.amount_low, t.amount_high, terms, out)
                for part in parts
            ]
            for f in done:
                f.result()
        else:
            _blocks(starts, rows, req.amount, bits, t.amount_low, t.amount_high, terms, out)
    return Ranked(req, prod, eligible, probability, expected)


def _blocks(
    starts: list[int],
    rows: int,
    amount: npt.NDArray[np.float64],
    bits: npt.NDArray[np.uint8],
    low: npt.NDArray[np.float64],
    high: npt.NDArray[np.float64],
    terms: GridTerms,
    out: tuple[npt.NDArray[np.bool_], npt.NDArray[np.float32], npt.NDArray[np.float64]],
) -> None:
    """The fused pass over the blocks of rows that start at `starts`, written into `out`."""
    eligible, probability, expected = out
    n_prod = eligible.shape[1]
    in_range = np.empty((rows, n_prod), dtype=bool)
    pair = np.empty((rows, n_prod), dtype=np.float32)
    with np.errstate(over="ignore"):  # exp(-log-odds) overflows to inf for p ~ 0: 1 / (1 + inf) = 0
        for s in starts:
            e = min(s + rows, len(amount))
            n = e - s
            amt = amount[s:e, None]
            ok, z, tmp, ok2 = eligible[s:e], probability[s:e], pair[:n], in_range[:n]
            np.greater_equal(amt, low, out=ok)
            ok &= np.unpackbits(bits[s:e], axis=1, count=n_prod).view(bool)
            np.less_equal(amt, high, out=ok2)
            ok &= ok2
            np.take(terms.table, terms.key[s:e], axis=0, out=z)
            np.multiply(terms.slope[s:e, None], terms.inv_max, out=tmp)
            z += tmp
            z += terms.row[s:e, None]
            np.exp(z, out=z)
            z += 1.0
            np.reciprocal(z, out=z)
            z *= ok
            np.multiply(z, amt, out=expected[s:e])
