"""Training the SME rating scorecard: the synthetic cold-start history, optimal binning, the fit,
the evaluation and the cross-validation the bench runs on German credit.

Each characteristic is binned by optbinning (optimal binning under a monotonic or peaked event-rate
trend), each bin gets its WoE, a logistic regression over the WoE columns gives the log-odds of
default, and the card is exported to the arrays `credit_info.domain.rating_model` serves. Training
applies the same array code to the training rows, and the bench's cross-validation on German credit
calls the same `fit_scorecard`, so what is measured is what is served.

Train:  python -m credit_info.models train [--rows 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from credit_info.domain.rating_model import (
    CARD_FILE,
    MODEL_VERSION,
    MODELS_DIR,
    NUMERIC,
    Characteristic,
    Scorecard,
    load_model,
)

PREVIOUS_VERSION = "rating-lr-1.0.0"  # the calibrated logistic pipeline it replaced (kept as a baseline)
MIN_BIN_SHARE, MIN_BIN_ROWS = 0.005, 30
MONOTONIC: str | None = "auto"  # optbinning picks ascending, descending, peak or valley per characteristic
REGULARISATION = 1.0  # inverse strength (scikit-learn C)
# The synthetic history's "true scorecard": log-odds of default per unit of each feature.
TRUE_INTERCEPT = -3.6
TRUE_CENTRES: dict[str, float] = {
    "tax_grade": 2.0,
    "taxes_paid_log": 2.5,
    "si_coverage": 0.75,
    "profit_margin": 0.05,
    "revenue_log": 6.5,
    "assets_log": 6.8,
    "employees_log": 3.3,
}
TRUE_WEIGHTS: dict[str, float] = {
    "tax_grade": -0.45,
    "taxes_paid_log": -0.15,
    "si_arrears_years": 0.35,
    "si_coverage": -0.8,
    "utility_late_months": 0.08,
    "court_defendant_cases": 0.3,
    "enforcement_cases": 0.7,
    "loans_repaid": -0.15,
    "loans_overdue": 0.8,
    "loans_defaulted": 1.5,
    "guarantees_claimed": 1.0,
    "profit_margin": -3.0,
    "revenue_log": -0.1,
    "assets_log": -0.1,
    "employees_log": 0.0,
}


def synthetic_history(rows: int = 20_000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """A seeded synthetic cold-start history: one feature row and a default label per enterprise.

    Each enterprise has a latent financial health h ~ N(0, 1) and size s ~ N(0, 1). Its records are
    drawn noisily from h and s (healthier: better tax grade, fewer arrears, late payments, court
    cases and overdue loans). Some sources are missing, as for real new enterprises (tax 15 %,
    social insurance 20 %, operating figures 30 %: NaN, imputed by the pipeline). The 12-month
    default is Bernoulli(sigmoid(logit)) with a documented "true scorecard" logit over the features
    (weights in TRUE_WEIGHTS) plus noise, about 8 % bad. Replace with recorded outcomes
    (loan.defaulted / loan.repaid) once enough exist.
    """
    rng = np.random.default_rng(seed)
    h = rng.standard_normal(rows)
    s = rng.standard_normal(rows) + 0.3 * h

    def pois(lam: np.ndarray) -> np.ndarray:
        return np.asarray(rng.poisson(np.clip(lam, 0.01, None)), dtype=float)

    def noise(sd: float) -> np.ndarray:
        return np.asarray(rng.normal(0, sd, rows))

    x = pd.DataFrame(
        {
            "tax_grade": np.clip(np.round(2.3 + 0.8 * h + noise(0.9)), 0, 4),
            "taxes_paid_log": np.clip(2.5 + 0.8 * s + 0.2 * h + noise(0.6), 0, None),
            "si_arrears_years": pois(0.35 * np.exp(-0.8 * h)),
            "si_coverage": np.clip(0.75 + 0.1 * h + noise(0.2), 0, 1.5),
            "utility_late_months": pois(1.0 * np.exp(-0.7 * h)),
            "court_defendant_cases": pois(0.15 * np.exp(-0.8 * h)),
            "enforcement_cases": pois(0.05 * np.exp(-1.0 * h)),
            "loans_repaid": pois(1.2 * np.exp(0.2 * h + 0.3 * s)),
            "loans_overdue": pois(0.08 * np.exp(-1.0 * h)),
            "loans_defaulted": pois(0.02 * np.exp(-1.2 * h)),
            "guarantees_claimed": pois(0.02 * np.exp(-1.0 * h)),
            "profit_margin": np.clip(0.05 + 0.05 * h + noise(0.08), -1, 1),
            "revenue_log": np.log1p(np.exp(6.5 + 1.3 * s + noise(0.3))),
            "assets_log": np.log1p(np.exp(6.8 + 1.2 * s + noise(0.4))),
            "employees_log": np.log1p(np.exp(3.3 + 1.0 * s + noise(0.3))),
        }
    )[NUMERIC]
    centred = x - pd.Series(TRUE_CENTRES).reindex(NUMERIC, fill_value=0.0)
    centred["loans_repaid"] = np.minimum(x["loans_repaid"], 5)
    logit = (
        TRUE_INTERCEPT + centred.mul(pd.Series(TRUE_WEIGHTS)).sum(axis=1).to_numpy() + noise(0.5) - 0.3 * h
    )
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    for cols, share in (
        (["tax_grade", "taxes_paid_log"], 0.15),
        (["si_coverage"], 0.20),
        (["profit_margin"], 0.30),
    ):
        x.loc[rng.random(rows) < share, cols] = np.nan
    return x, y


# The scorecard's predecessor, kept as the baseline its figures are compared with.
def build_pipeline(numeric: Sequence[str], categorical: Sequence[str] = ()) -> Pipeline:
    """Impute and standardise numbers, one-hot categories, then a regularised logistic regression."""
    steps: list[tuple[str, Any, Sequence[str]]] = [
        (
            "num",
            Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
            list(numeric),
        )
    ]
    if categorical:
        steps.append(("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), list(categorical)))
    return Pipeline(
        [("prepare", ColumnTransformer(steps)), ("model", LogisticRegression(C=0.5, max_iter=2000))]
    )


def calibrated(pipeline: Pipeline) -> CalibratedClassifierCV:
    """The pipeline with a sigmoid calibration fitted on cross-validation folds."""
    return CalibratedClassifierCV(pipeline, method="sigmoid", cv=3)


def ks_statistic(y: np.ndarray, p: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the bad and good cumulative score distributions."""
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def evaluate(y: np.ndarray, p: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """AUC, KS, Brier score and a reliability table on held-out data."""
    frac, mean_pred = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    return {
        "rows": len(y),
        "bad_rate": round(float(np.mean(y)), 4),
        "auc": round(float(roc_auc_score(y, p)), 4),
        "ks": round(ks_statistic(y, p), 4),
        "brier": round(float(brier_score_loss(y, p)), 5),
        "calibration": [
            {"mean_predicted": round(float(m), 4), "observed": round(float(f), 4)}
            for m, f in zip(mean_pred, frac, strict=True)
        ],
    }


def _characteristic(name: str, values: pd.Series, y: np.ndarray, categorical: bool) -> Characteristic:
    """Optimal binning of one characteristic (optbinning), exported to arrays."""
    from optbinning import OptimalBinning  # training only: serving never imports it

    kind = "categorical" if categorical else "numerical"
    raw = (
        values.astype(object).where(values.notna(), np.nan).to_numpy()
        if categorical
        else values.to_numpy(float)
    )
    # Bins of at least 30 rows (or 0.5 %): rare but telling events (a defaulted loan) keep their own bin.
    ob = OptimalBinning(
        name=name,
        dtype=kind,
        min_prebin_size=max(MIN_BIN_SHARE, MIN_BIN_ROWS / len(y)),
        monotonic_trend=None if categorical else MONOTONIC,
    )
    with warnings.catch_warnings():
        # optbinning 1.0.0 builds its totals row in a way pandas 3 deprecates; harmless here.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        ob.fit(raw, y)
        table = ob.binning_table.build()
    rows = table.iloc[: len(table) - 3]  # the bins, then Special, Missing, Totals
    woe = [float(w) for w in rows["WoE"]]
    missing = table.iloc[len(table) - 2]  # the "Missing" row
    missing_woe = float(missing["WoE"]) if int(missing["Count"]) > 0 else 0.0
    if categorical:
        categories = {str(c): i for i, group in enumerate(ob.splits) for c in group}
        labels = [", ".join(map(str, g)) for g in ob.splits]
        return Characteristic(name, kind, [], categories, woe, missing_woe, labels)
    splits = [float(s) for s in ob.splits]
    labels = [str(b) for b in rows["Bin"]]
    return Characteristic(name, kind, splits, {}, woe, missing_woe, labels)


def fit_scorecard(
    x: pd.DataFrame,
    y: np.ndarray,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    *,
    version: str = MODEL_VERSION,
) -> Scorecard:
    """Bin every characteristic, regress default on the WoE columns, and export the card."""
    chars = [_characteristic(c, x[c], y, False) for c in numeric]
    chars += [_characteristic(c, x[c], y, True) for c in categorical]
    card = Scorecard(version, 0.0, chars)
    woe = card.woe_matrix(x)
    lr = LogisticRegression(C=REGULARISATION, max_iter=2000).fit(woe, y)
    card.intercept = float(lr.intercept_[0])
    for i, c in enumerate(chars):
        c.coef = float(lr.coef_[0][i])
        c.baseline = float(np.mean(c.coef * woe[:, i]))
    return card


def cross_validated_auc(
    x: pd.DataFrame,
    y: np.ndarray,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    folds: int = 10,
    seed: int = 0,
) -> list[float]:
    """Stratified k-fold AUCs of the scorecard the service trains, scored from its arrays."""
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    out = []
    for tr, te in cv.split(x, y):
        card = fit_scorecard(x.iloc[tr], y[tr], numeric, categorical)
        out.append(float(roc_auc_score(y[te], card.predict_proba(x.iloc[te]))))
    return out


def baseline_cross_validated_auc(
    x: pd.DataFrame,
    y: np.ndarray,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    folds: int = 10,
    seed: int = 0,
) -> list[float]:
    """The same folds for the calibrated logistic pipeline the scorecard replaced (PREVIOUS_VERSION)."""
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    model = calibrated(build_pipeline(numeric, categorical))
    return [float(s) for s in cross_val_score(model, x, y, cv=cv, scoring="roc_auc")]


def train(out_dir: Path = MODELS_DIR, rows: int = 20_000, seed: int = 7) -> dict[str, Any]:
    """Train on the synthetic history, evaluate on a 25 % hold-out, write the card and its evaluation."""
    x, y = synthetic_history(rows, seed)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    card = fit_scorecard(x_tr, y_tr, NUMERIC)
    previous = calibrated(build_pipeline(NUMERIC)).fit(x_tr, y_tr)
    report = {
        "version": MODEL_VERSION,
        "artifact": f"{MODEL_VERSION}.json",
        "estimator": "scorecard: optbinning per characteristic, WoE, logistic regression, points",
        "trained_on": f"synthetic_history(rows={rows}, seed={seed})",
        "features": NUMERIC,
        "held_out": evaluate(y_te, card.predict_proba(x_te)),
        "compared_with": {
            "model_version": PREVIOUS_VERSION,
            "estimator": "impute + standardise + logistic regression, sigmoid-calibrated (3 folds)",
        }
        | {k: v for k, v in evaluate(y_te, previous.predict_proba(x_te)[:, 1]).items() if k != "calibration"},
        "points": card.points_table(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("rating-*"):
        old.unlink()
    (out_dir / f"{MODEL_VERSION}.json").write_text(json.dumps(card.to_json(), indent=1) + "\n")
    (out_dir / CARD_FILE).write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "model_card.md").write_text(card_md(report))
    load_model.cache_clear()
    return report


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: `train`."""
    parser = argparse.ArgumentParser(prog="python -m credit_info.models")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train on the synthetic history and write model + evaluation")
    t.add_argument("--rows", type=int, default=20_000)
    t.add_argument("--seed", type=int, default=7)
    t.add_argument("--out", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    report = train(args.out, args.rows, args.seed)
    print(json.dumps({k: report[k] for k in ("version", "held_out", "compared_with")}, indent=2))


def card_md(report: dict[str, Any]) -> str:
    """The model card for people: what was trained on what, and how well it does on the hold-out."""
    h, c = report["held_out"], report["compared_with"]
    rows = "\n".join(f"| {b['mean_predicted']} | {b['observed']} |" for b in h["calibration"])
    return f"""# Rating model card: {report["version"]}

Target: default within 12 months. Estimator: {report["estimator"]}. Trained on {report["trained_on"]}
(see `credit_info/models/training.py` for the generating process). Artefact: `{report["artifact"]}`.

Held out ({h["rows"]} rows, bad rate {h["bad_rate"]}): AUC **{h["auc"]}**, KS {h["ks"]}, Brier **{h["brier"]}**.
Compared on the same split with {c["estimator"]} ({c["model_version"]}): AUC {c["auc"]}, KS {c["ks"]},
Brier {c["brier"]}.

| mean predicted (decile) | observed |
| --- | --- |
{rows}

Characteristics: {", ".join(report["features"])}; the points per attribute are in `model_card.json`.
Limits: the cold-start truth is synthetic; figures measure fit to it until recorded defaults dominate.
"""
