"""The scoring path: rules, price, model and expected value for a request x product grid."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from loan_matching.domain.matching_model import MatchingModel, grid_features
from loan_matching.domain.scoring import NOT_MET, ProductBatch, RequestBatch, evaluate_rules, indicative_rate


@dataclass
class Ranked:
    """Everything the scoring path knows about a grid of pairs (arrays are (R, P) unless noted)."""

    status: npt.NDArray[np.int8]  # (R, P, rules)
    eligible: npt.NDArray[np.bool_]
    rate: npt.NDArray[np.float64]
    probability: npt.NDArray[np.float64]  # 0 where not eligible
    expected_value: npt.NDArray[np.float64]  # P x amount (expected yuan of SME credit delivered)
    features: npt.NDArray[np.float32]  # (R * P, features)


def rank_grid(req: RequestBatch, prod: ProductBatch, model: MatchingModel) -> Ranked:
    """Score every pair; the model runs only on eligible pairs."""
    status = evaluate_rules(req, prod)
    eligible = ~(status == NOT_MET).any(axis=-1)
    rate = indicative_rate(req, prod)
    X = grid_features(req, prod, rate, status)
    flat = eligible.ravel()
    p = np.zeros(flat.shape, dtype=np.float64)
    if flat.any():
        p[flat] = model.predict(X[flat])
    prob = p.reshape(eligible.shape)
    return Ranked(status, eligible, rate, prob, prob * req.amount[:, None], X)
