"""The matching model, as the service serves it: P(the bank approves and the SME accepts) for a
(request, product) pair.

* Features come from the request, the enterprise projection, its rating and the product
  (`FEATURES`), computed vectorised for a whole request x product grid or for aligned pairs.
* The model is a logistic regression over FEATURES plus two terms (unrated; collateral offered x
  required), served from its arrays: `models/matching-<version>.json`, named by
  `models/model_card.json` (held-out AUC, Brier, log loss, ECE, reliability bins; `.md` for people).
  Its log-odds split into per-request, per-product and a few pair terms, so a request x product
  grid is scored without a feature matrix (`MatchingModel.grid_terms`). Loaded once per process;
  its version goes on every match.

Training (labels, the documented synthetic cold-start history, the fit and the card) lives in
`loan_matching.models.training`; `python -m loan_matching.models train` / `check` run it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from loan_matching.domain.scoring import (
    GRADES,
    KINDS,
    UNKNOWN,
    ProductBatch,
    RequestBatch,
)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
CARD_FILE = "model_card.json"

FEATURES: tuple[str, ...] = (
    "log_amount_wan",
    "term_months",
    "amount_to_product_max",
    "grade_ord",
    "probability_of_default",
    "rating_score_k",
    "size_ord",
    "collateral_offered",
    "product_requires_collateral",
    "product_requires_guarantee",
    "kind_credit_only",
    "kind_startup_micro",
    "indicative_rate",
    "log_revenue_wan",
    "leverage",
    "growth_programme",
    "unknown_rules",
)
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def grid_features(req: RequestBatch, prod: ProductBatch, rate: F64, status: npt.NDArray[np.int8]) -> F32:
    """(R*P, len(FEATURES)) features for every request x product pair, row-major by request."""
    r = {k: v[:, None] for k, v in req.__dict__.items() if isinstance(v, np.ndarray)}
    p = {k: v[None, :] for k, v in prod.__dict__.items() if isinstance(v, np.ndarray) and v.ndim == 1}
    unknown = (status == UNKNOWN).sum(axis=-1)
    return _stack(r, p, rate, unknown, (len(req), len(prod)))


def pair_features(req: RequestBatch, prod: ProductBatch, rate: F64, unknown: npt.NDArray[Any]) -> F32:
    """Features for aligned pairs (row i of `req` with row i of `prod`)."""
    r = {k: v for k, v in req.__dict__.items() if isinstance(v, np.ndarray)}
    p = {k: v for k, v in prod.__dict__.items() if isinstance(v, np.ndarray) and v.ndim == 1}
    return _stack(r, p, rate, unknown, (len(req),))


def _stack(r: dict[str, Any], p: dict[str, Any], rate: F64, unknown: Any, shape: tuple[int, ...]) -> F32:
    out = np.empty((*shape, len(FEATURES)), dtype=np.float32)
    wan = r["amount"] / 1e4
    with np.errstate(divide="ignore", invalid="ignore"):
        out[..., 0] = np.log1p(wan)
        out[..., 1] = r["term"]
        out[..., 2] = np.where(np.isfinite(p["max_amount"]), r["amount"] / p["max_amount"], 0.0)
        out[..., 3] = r["grade_ord"]
        out[..., 4] = r["pd"]
        out[..., 5] = r["score"] / 1000.0
        out[..., 6] = r["size_ord"]
        out[..., 7] = r["collateral"]
        out[..., 8] = p["requires_collateral"]
        out[..., 9] = p["requires_guarantee"]
        out[..., 10] = p["kind_ord"] == KINDS.index("credit_only")
        out[..., 11] = p["kind_ord"] == KINDS.index("startup_micro_guaranteed")
        out[..., 12] = rate
        out[..., 13] = np.log1p(r["revenue"])
        out[..., 14] = wan / np.maximum(r["revenue"], 1.0)
        out[..., 15] = r["growth"]
        out[..., 16] = unknown
    return out.reshape(-1, len(FEATURES))


def sigmoid(x: Any) -> F64:
    """The logistic function, in float64."""
    out: F64 = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
    return out


# --- serving --------------------------------------------------------------------------------

# Feature roles for the grid pass: which features depend on the request only, the product only,
# or the pair. A linear model's log-odds then split into a per-request vector, a per-product vector
# and a few (R, P) terms, so a 250 x 1,000 grid never materialises its (250,000 x 17) feature matrix.
_REQUEST_COLS = {
    "log_amount_wan": 0,
    "term_months": 1,
    "grade_ord": 3,
    "probability_of_default": 4,
    "rating_score_k": 5,
    "size_ord": 6,
    "collateral_offered": 7,
    "log_revenue_wan": 13,
    "leverage": 14,
    "growth_programme": 15,
}
_PRODUCT_COLS = {
    "product_requires_collateral": 8,
    "product_requires_guarantee": 9,
    "kind_credit_only": 10,
    "kind_startup_micro": 11,
}
_PAIR_COLS = {"amount_to_product_max": 2, "indicative_rate": 12, "unknown_rules": 16}
assert sorted([*_REQUEST_COLS.values(), *_PRODUCT_COLS.values(), *_PAIR_COLS.values()]) == list(
    range(len(FEATURES))
), "every feature has exactly one role"
assert all(FEATURES[i] == k for d in (_REQUEST_COLS, _PRODUCT_COLS, _PAIR_COLS) for k, i in d.items())
# Terms the model adds to FEATURES: an unrated enterprise (grade, PD and score unknown), and
# collateral offered to a product that requires it (the one request x product interaction).
EXTRA_TERMS: tuple[str, ...] = ("unrated", "collateral_offered_x_required")


def design(X: F32, fill: F64) -> F64:
    """FEATURES rows -> the model's design matrix: unknowns filled, plus EXTRA_TERMS."""
    X64 = np.asarray(X, dtype=np.float64)
    missing = np.isnan(X64)
    filled = np.where(missing, fill[None, :], X64)
    extra = np.column_stack([missing[:, 3], filled[:, 7] * filled[:, 8]])
    return np.hstack([filled, extra])


@dataclass(frozen=True)
class GridTerms:
    """A request x product grid's negated log-odds as `table[key[r], p] + row[r] + slope[r] * inv_max[p]`.

    A linear model's log-odds split into per-request, per-product and rank-one pair terms, so a
    grid is scored without its (R * P, features) matrix: one gathered table row and two broadcast
    adds per pair, in float32 (probabilities need no more than 7 digits).
    """

    key: npt.NDArray[np.intp]  # (R,) the request's row of `table`
    table: F32  # (keys, P)
    row: F32  # (R,)
    slope: F32  # (R,) amount x the weight of amount / product maximum
    inv_max: F32  # (P,) 1 / the product's maximum amount (0 when it has none)


@dataclass
class MatchingModel:
    """A loaded model: its version, card and the arrays of a logistic model over `design(X)`.

    Logistic regression on the raw FEATURES plus EXTRA_TERMS (standardisation folded into the
    weights); unknown feature values are filled with the training mean (`fill`).
    """

    version: str
    card: dict[str, Any]
    intercept: float
    weights: F64  # len(FEATURES) + len(EXTRA_TERMS)
    fill: F64  # len(FEATURES)

    def predict(self, X: F32) -> F64:
        """P(approve and accept) per row of FEATURES."""
        return sigmoid(design(X, self.fill) @ self.weights + self.intercept)

    def grid_terms(self, req: RequestBatch, prod: ProductBatch) -> GridTerms:
        """The log-odds of every pair, split into what the grid pass adds up (see `GridTerms`)."""
        w, fill = self.weights, self.fill
        r = _request_columns(req)
        r = np.where(np.isnan(r), fill[list(_REQUEST_COLS.values())][None, :], r)
        row = self.intercept + r @ w[list(_REQUEST_COLS.values())]
        row += w[len(FEATURES)] * np.isnan(req.grade_ord)
        # Everything else a pair's log-odds hold depends on the request only through a few
        # categories: grade (the rate's spread row), collateral offered (the one interaction) and
        # which of league, industry and size class are unknown (the unknown-rule count).
        t = prod.tables
        grade = np.where(np.isnan(req.grade_ord), len(GRADES), np.nan_to_num(req.grade_ord)).astype(np.intp)
        flags = np.column_stack(
            [req.collateral, req.league == "", req.industry == "", np.isnan(req.size_ord)]
        ).astype(np.intp)
        code = grade * 16 + flags @ np.array([8, 4, 2, 1])
        codes, key = np.unique(code, return_inverse=True)
        g, bits = codes // 16, (codes[:, None] & np.array([8, 4, 2, 1])) > 0
        by_grade = np.hstack([prod.spreads, prod.spreads.max(axis=1)[:, None]]).T + prod.base_rate[None, :]
        unknown_by = np.vstack([~t.any_league, ~t.any_industry, prod.size_mask != 0, t.has_grade_min]).astype(
            np.float64
        )
        with np.errstate(invalid="ignore"):
            unknown_always = prod.requires_guarantee & np.isnan(prod.guarantee_capacity)
        unknowns = (
            bits[:, 1:].astype(np.float64) @ unknown_by[:3]
            + (g == len(GRADES))[:, None] * unknown_by[3]
            + unknown_always
        )
        table = _product_columns(prod) @ w[list(_PRODUCT_COLS.values())]
        table = table[None, :] + bits[:, :1] * (w[len(FEATURES) + 1] * prod.requires_collateral)[None, :]
        table += w[12] * by_grade.astype(np.float32)[g] + w[16] * unknowns
        inv_max = np.where(np.isfinite(prod.max_amount), 1.0 / prod.max_amount, 0.0)
        f4 = np.float32
        # Negated: the grid pass takes exp(-log-odds) in place.
        return GridTerms(
            key=key.ravel().astype(np.intp),
            table=(-table).astype(f4),
            row=(-row).astype(f4),
            slope=(-w[2] * req.amount).astype(f4),
            inv_max=inv_max.astype(f4),
        )

    def to_json(self) -> dict[str, Any]:
        """The artefact: plain arrays, readable and diffable."""
        return {
            "version": self.version,
            "features": list(FEATURES),
            "extra_terms": list(EXTRA_TERMS),
            "intercept": self.intercept,
            "weights": [float(x) for x in self.weights],
            "fill": [float(x) for x in self.fill],
        }


def _request_columns(req: RequestBatch) -> F64:
    wan = req.amount / 1e4
    with np.errstate(divide="ignore", invalid="ignore"):
        cols = {
            "log_amount_wan": np.log1p(wan),
            "term_months": req.term,
            "grade_ord": req.grade_ord,
            "probability_of_default": req.pd,
            "rating_score_k": req.score / 1000.0,
            "size_ord": req.size_ord,
            "collateral_offered": req.collateral,
            "log_revenue_wan": np.log1p(req.revenue),
            "leverage": wan / np.maximum(req.revenue, 1.0),
            "growth_programme": req.growth,
        }
    # float32 first, as grid_features stores them, so both paths see the same numbers.
    return np.column_stack([np.asarray(cols[k], dtype=np.float32) for k in _REQUEST_COLS]).astype(np.float64)


def _product_columns(prod: ProductBatch) -> F64:
    cols = {
        "product_requires_collateral": prod.requires_collateral,
        "product_requires_guarantee": prod.requires_guarantee,
        "kind_credit_only": prod.kind_ord == KINDS.index("credit_only"),
        "kind_startup_micro": prod.kind_ord == KINDS.index("startup_micro_guaranteed"),
    }
    return np.column_stack([np.asarray(cols[k], dtype=np.float64) for k in _PRODUCT_COLS])


@cache
def load_model(models_dir: Path = MODELS_DIR) -> MatchingModel:
    """Load the current model once per process."""
    card_path = models_dir / CARD_FILE
    if not card_path.exists():
        raise RuntimeError(
            f"no model card in {models_dir}: train one with `python -m loan_matching.models train`"
        )
    card = json.loads(card_path.read_text())
    art = json.loads((models_dir / card["artifact"]).read_text())
    if art["features"] != list(FEATURES) or art["extra_terms"] != list(EXTRA_TERMS):
        raise RuntimeError(f"model {card['version']} was trained on other features; retrain it")
    return MatchingModel(
        card["version"],
        card,
        float(art["intercept"]),
        np.asarray(art["weights"], dtype=np.float64),
        np.asarray(art["fill"], dtype=np.float64),
    )


def new_outcomes_since_training(outcomes_total: int, card: dict[str, Any]) -> int:
    """How many outcomes arrived after the current model was trained."""
    return max(0, outcomes_total - int(card.get("outcomes_seen", 0)))
