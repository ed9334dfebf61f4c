"""The scoring path: rules, price, model and expected value for a request x product grid."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import numpy.typing as npt

from loan_matching.domain.matching_model import MatchingModel, grid_features
from loan_matching.domain.scoring import (
    ProductBatch,
    RequestBatch,
    eligibility,
    evaluate_rules,
    indicative_rate,
)


class Ranked:
    """Everything the scoring path knows about a grid of pairs (arrays are (R, P) unless noted).

    `status` and `features` are built on first use only: ranking needs neither, and for a large
    grid they are most of the memory traffic (an (R, P, rules) tensor and an (R * P, features) matrix).
    """

    def __init__(
        self,
        req: RequestBatch,
        prod: ProductBatch,
        eligible: npt.NDArray[np.bool_],
        unknown: npt.NDArray[np.int8],
        rate: npt.NDArray[np.float64],
        probability: npt.NDArray[np.float32],
    ) -> None:
        self.req, self.prod = req, prod
        self.eligible = eligible
        self.unknown = unknown  # how many rules answered "unknown"
        self.rate = rate
        self.probability = probability  # 0 where not eligible; float32
        self.expected_value = req.amount[:, None] * probability  # expected yuan of SME credit delivered

    @cached_property
    def status(self) -> npt.NDArray[np.int8]:
        """(R, P, rules): met / not met / unknown per rule, for explanations."""
        return evaluate_rules(self.req, self.prod)

    @cached_property
    def features(self) -> npt.NDArray[np.float32]:
        """(R * P, features), row-major by request: what a match records for training."""
        return grid_features(self.req, self.prod, self.rate, self.status)


def rank_grid(req: RequestBatch, prod: ProductBatch, model: MatchingModel) -> Ranked:
    """Score every pair; pairs that are not eligible get probability 0."""
    eligible, unknown = eligibility(req, prod)
    rate = indicative_rate(req, prod)
    p = model.score_grid(req, prod, rate, unknown)
    np.multiply(p, eligible, out=p)
    return Ranked(req, prod, eligible, unknown, rate, p)
