"""The SME rating model (适合中小企业特点的评级), as the service serves it: features, the scorecard's
arrays, scores, grades and reasons.

A scorecard: each characteristic (feature) is binned, each bin carries its weight of evidence
(WoE), a logistic regression over the WoE columns gives the log-odds of default, and the points per
attribute follow from it (500 points at even odds, 50 points per doubling of the good:bad odds).
The fitted card is plain arrays (`models/rating-scorecard-<v>.json`: bin edges or categories, WoE,
coefficient, points), named by `models/model_card.json` with its held-out figures and points table;
serving reads only those arrays, one enterprise with a few `bisect` calls, a batch with one
`searchsorted` per characteristic. Reasons: the characteristics whose bin adds the most log-odds of
default over the training average.

Training (optbinning, the synthetic cold-start history, evaluation, cross-validation) lives in
`credit_info.models.training`: `python -m credit_info.models train [--rows 20000] [--seed 7]`.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smefin.reference.grades import CREDIT_GRADES

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_VERSION = "rating-scorecard-2.0.0"  # also the artefact's name: models/<name>-<version>.json
CARD_FILE = "model_card.json"
TAX_GRADE_POINTS = {"A": 4.0, "B": 3.0, "M": 2.0, "C": 1.0, "D": 0.0}

# Feature -> what it means when it pushes the probability of default up (the reason code text).
FEATURES: dict[str, str] = {
    "tax_grade": "tax credit grade (纳税信用等级) is low",
    "taxes_paid_log": "little tax paid",
    "si_arrears_years": "social insurance arrears or missed months",
    "si_coverage": "few employees insured",
    "utility_late_months": "late utility payments",
    "court_defendant_cases": "court judgments against the enterprise",
    "enforcement_cases": "court enforcement or dishonest-debtor listings",
    "loans_repaid": "little loan repayment history",
    "loans_overdue": "overdue loans",
    "loans_defaulted": "defaulted loans",
    "guarantees_claimed": "guarantees claimed after default",
    "profit_margin": "low or negative profit margin",
    "revenue_log": "small revenue",
    "assets_log": "small total assets",
    "employees_log": "few employees",
}
NUMERIC = list(FEATURES)

# Grade by probability of default, best first.
GRADES: tuple[tuple[str, float], ...] = (
    ("AAA", 0.003),
    ("AA", 0.006),
    ("A", 0.012),
    ("BBB", 0.025),
    ("BB", 0.05),
    ("B", 0.10),
    ("CCC", 0.20),
    ("CC", 0.35),
    ("C", 1.01),
)
assert tuple(g for g, _ in GRADES) == CREDIT_GRADES, "the rating scale is the shared one"
# A factor is a reason code only if it adds this much log-odds of default (and was observed).
MIN_REASON_IMPACT = 0.05
# Score = 500 at even odds, +50 points per doubling of the good:bad odds, clipped to 300-900.
SCORE_BASE, SCORE_PDO = 500.0, 50.0


@dataclass(frozen=True)
class RecordView:
    """What the model reads of one live credit record."""

    source: str
    occurred_on: date
    negative: bool
    payload: dict[str, Any]


@dataclass(frozen=True)
class EnterpriseView:
    """What the model reads of the enterprise itself (money in 10,000 yuan)."""

    employees: int
    revenue: Decimal
    assets: Decimal
    records: Sequence[RecordView] = field(default_factory=tuple)


def _latest(records: Iterable[RecordView], source: str) -> RecordView | None:
    chosen = [r for r in records if r.source == source]
    return max(chosen, key=lambda r: r.occurred_on) if chosen else None


def features(ent: EnterpriseView) -> dict[str, float]:
    """The model's feature row for an enterprise and its live (not aged-out) records."""
    recs = list(ent.records)
    tax = _latest(recs, "tax")
    si = _latest(recs, "social_insurance")
    op = _latest(recs, "operating")

    def by(source: str) -> list[dict[str, Any]]:
        return [r.payload for r in recs if r.source == source]

    loans = by("loan")
    court = by("court")
    defendant = [c for c in court if c.get("role", "defendant") == "defendant"]
    op_revenue = float(op.payload.get("revenue", 0)) if op else 0.0
    op_profit = float(op.payload.get("profit", 0)) if op else 0.0
    return {
        "tax_grade": TAX_GRADE_POINTS.get(str(tax.payload.get("grade")), 2.0) if tax else math.nan,
        "taxes_paid_log": math.log1p(float(tax.payload.get("taxes_paid", 0))) if tax else math.nan,
        "si_arrears_years": float(
            sum(
                1
                for p in by("social_insurance")
                if float(p.get("arrears", 0)) > 0 or int(p.get("months_paid", 12)) < 12
            )
        ),
        "si_coverage": min(1.5, int(si.payload.get("insured_headcount", 0)) / max(ent.employees, 1))
        if si
        else math.nan,
        "utility_late_months": float(sum(int(p.get("months_late", 0)) for p in by("utilities"))),
        "court_defendant_cases": float(len(defendant)),
        "enforcement_cases": float(sum(1 for c in defendant if c.get("kind") != "judgment")),
        "loans_repaid": float(sum(1 for p in loans if p.get("status") == "repaid")),
        "loans_overdue": float(sum(1 for p in loans if p.get("status") == "overdue")),
        "loans_defaulted": float(sum(1 for p in loans if p.get("status") == "defaulted")),
        "guarantees_claimed": float(sum(1 for p in by("guarantee") if p.get("status") == "claimed")),
        "profit_margin": max(-1.0, min(1.0, op_profit / op_revenue)) if op_revenue > 0 else math.nan,
        "revenue_log": math.log1p(float(ent.revenue)),
        "assets_log": math.log1p(float(ent.assets)),
        "employees_log": math.log1p(ent.employees),
    }


SCORE_FACTOR = SCORE_PDO / math.log(2)


@dataclass
class Characteristic:
    """One binned characteristic: its bins, their WoE and points, and its weight in the regression."""

    name: str
    kind: str  # "numerical" or "categorical"
    splits: list[float]  # numerical: bin i is [splits[i-1], splits[i]) (bin 0 open below, last above)
    categories: dict[str, int]  # categorical: category -> bin
    woe: list[float]  # per bin
    missing_woe: float  # a missing value (empirical WoE of the training rows that lacked it)
    labels: list[str]  # per bin, for the points table
    coef: float = 0.0  # log-odds of default per unit of WoE
    baseline: float = 0.0  # the training mean of coef * WoE: a reason is a bin above it

    def bin_of(self, value: Any) -> int:
        """The bin of one value; -1 = missing, -2 = a category not seen in training (WoE 0)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return -1
        if self.kind == "numerical":
            return bisect.bisect_right(self.splits, float(value))
        return self.categories.get(str(value), -2)

    def woe_of(self, value: Any) -> float:
        """WoE of one value."""
        b = self.bin_of(value)
        return self.missing_woe if b == -1 else 0.0 if b == -2 else self.woe[b]

    def woe_column(self, values: Any) -> np.ndarray:
        """WoE of a column of values, vectorised."""
        if self.kind == "numerical":
            v = np.asarray(values, dtype=np.float64)
            table = np.asarray([*self.woe, self.missing_woe])
            idx = np.searchsorted(np.asarray(self.splits), v, side="right")
            return np.asarray(table[np.where(np.isnan(v), len(self.woe), idx)])
        return np.array([self.woe_of(x) for x in values], dtype=np.float64)

    def points(self, intercept: float, n: int) -> list[float]:
        """Points per bin (and the missing bin last): they add up to the score before rounding."""
        base = (SCORE_BASE - SCORE_FACTOR * intercept) / n
        return [round(base - SCORE_FACTOR * self.coef * w, 2) for w in [*self.woe, self.missing_woe]]


@dataclass
class Scorecard:
    """The served model: characteristics and the intercept, nothing else."""

    version: str
    intercept: float
    characteristics: list[Characteristic]

    @property
    def names(self) -> list[str]:
        """Characteristic names, in order."""
        return [c.name for c in self.characteristics]

    def woe_matrix(self, x: pd.DataFrame) -> np.ndarray:
        """(rows, characteristics) WoE."""
        return np.column_stack([c.woe_column(x[c.name].to_numpy()) for c in self.characteristics])

    def log_odds(self, woe: np.ndarray) -> np.ndarray:
        """Log-odds of default from WoE rows."""
        return np.asarray(self.intercept + woe @ np.array([c.coef for c in self.characteristics]))

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        """Probability of default per row."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.log_odds(self.woe_matrix(x)))))

    def points_table(self) -> list[dict[str, Any]]:
        """Every attribute's points: the scorecard a credit officer reads."""
        n = len(self.characteristics)
        return [
            {"characteristic": c.name, "bin": label, "woe": round(w, 4), "points": pts}
            for c in self.characteristics
            for label, w, pts in zip(
                [*c.labels, "missing"], [*c.woe, c.missing_woe], c.points(self.intercept, n), strict=True
            )
        ]

    def to_json(self) -> dict[str, Any]:
        """The artefact."""
        return {
            "version": self.version,
            "intercept": self.intercept,
            "characteristics": [c.__dict__ for c in self.characteristics],
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Scorecard:
        """Read an artefact written by `to_json`."""
        return Scorecard(
            data["version"], float(data["intercept"]), [Characteristic(**c) for c in data["characteristics"]]
        )


def _value(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 4)


@dataclass(frozen=True)
class Reason:
    """A factor that lowered the score, with its share of the log-odds."""

    code: str
    message: str
    value: float | None
    impact: float


@dataclass(frozen=True)
class RatingResult:
    """Score, probability of default, grade and reasons."""

    score: int
    probability_of_default: float
    grade: str
    reasons: list[Reason]
    model_version: str = MODEL_VERSION


def grade_for(pd_: float) -> str:
    """Letter grade for a probability of default."""
    return next(g for g, ceiling in GRADES if pd_ < ceiling)


def score_for(pd_: float) -> int:
    """300-900 score from the probability of default."""
    pd_ = min(max(pd_, 1e-6), 1 - 1e-6)
    raw = SCORE_BASE + SCORE_PDO / math.log(2) * math.log((1 - pd_) / pd_)
    return round(min(900.0, max(300.0, raw)))


class RatingModel:
    """The scorecard loaded for serving: one enterprise in pure Python, a batch in numpy."""

    def __init__(self, card: Scorecard) -> None:
        self.card = card
        self.version = card.version

    def _result(
        self, feats: dict[str, float], contrib: list[float], log_odds: float, top: int
    ) -> RatingResult:
        pd_ = 1.0 / (1.0 + math.exp(-log_odds))
        impact = [(k - c.baseline, c.name) for k, c in zip(contrib, self.card.characteristics, strict=True)]
        reasons = [
            Reason(name, FEATURES.get(name, name), _value(feats[name]), round(i, 4))
            for i, name in sorted(impact, reverse=True)[:top]
            if i > MIN_REASON_IMPACT and not math.isnan(feats[name])
        ]
        return RatingResult(score_for(pd_), round(pd_, 6), grade_for(pd_), reasons, self.version)

    def rate(self, ent: EnterpriseView, top: int = 3) -> RatingResult:
        """Rate one enterprise from its live records."""
        return self.rate_features(features(ent), top)

    def rate_features(self, feats: dict[str, float], top: int = 3) -> RatingResult:
        """Rate one feature row (microseconds: a few bisects and a sum)."""
        contrib = [c.coef * c.woe_of(feats[c.name]) for c in self.card.characteristics]
        return self._result(feats, contrib, self.card.intercept + math.fsum(contrib), top)

    def rate_many(self, ents: Sequence[EnterpriseView], top: int = 3) -> list[RatingResult]:
        """Rate a batch: features per enterprise, then one array pass for WoE and log-odds."""
        rows = [features(e) for e in ents]
        if not rows:
            return []
        frame = pd.DataFrame(rows, columns=NUMERIC)
        woe = self.card.woe_matrix(frame)
        contrib = woe * np.array([c.coef for c in self.card.characteristics])
        log_odds = self.card.intercept + contrib.sum(axis=1)
        return [
            self._result(f, list(c), float(z), top)
            for f, c, z in zip(rows, contrib.tolist(), log_odds, strict=True)
        ]


@cache
def load_model(models_dir: Path = MODELS_DIR) -> RatingModel:
    """Load the scorecard its model card names, once per process."""
    card = json.loads((models_dir / CARD_FILE).read_text())
    data = json.loads((models_dir / card["artifact"]).read_text())
    return RatingModel(Scorecard.from_json(data))
