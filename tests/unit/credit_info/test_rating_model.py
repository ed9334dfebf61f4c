"""The rating model: features from records, grades, scores, reasons, and the committed artefact."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from credit_info.domain.rating_model import (
    CARD_FILE,
    MODEL_VERSION,
    MODELS_DIR,
    NUMERIC,
    Characteristic,
    EnterpriseView,
    RecordView,
    Scorecard,
    features,
    grade_for,
    load_model,
    score_for,
)
from credit_info.models.__main__ import main
from credit_info.models.training import fit_scorecard, synthetic_history

TODAY = date(2026, 5, 1)


def view(*records: RecordView) -> EnterpriseView:
    return EnterpriseView(employees=80, revenue=Decimal("8500"), assets=Decimal("5000"), records=records)


def test_features_read_the_latest_records_and_mark_missing_sources() -> None:
    f = features(
        view(
            RecordView("tax", date(2024, 4, 1), True, {"grade": "C", "taxes_paid": "1"}),
            RecordView("tax", date(2025, 4, 1), False, {"grade": "A", "taxes_paid": "99"}),
            RecordView("loan", TODAY, True, {"status": "defaulted"}),
            RecordView("court", TODAY, False, {"kind": "judgment", "role": "plaintiff"}),
        )
    )
    assert f["tax_grade"] == 4.0
    assert f["taxes_paid_log"] == math.log1p(99)
    assert f["loans_defaulted"] == 1
    assert f["court_defendant_cases"] == 0
    assert math.isnan(f["si_coverage"])
    assert math.isnan(f["profit_margin"])
    assert list(f) == NUMERIC


def test_grades_and_scores_are_monotone_in_probability_of_default() -> None:
    pds = [0.001, 0.004, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 0.6]
    assert [grade_for(p) for p in pds] == ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"]
    scores = [score_for(p) for p in pds]
    assert scores == sorted(scores, reverse=True)
    assert all(300 <= s <= 900 for s in scores)
    assert score_for(0.5) == 500


def test_bad_records_lower_the_score_and_become_reasons() -> None:
    model = load_model()
    clean = model.rate(view(RecordView("tax", TODAY, False, {"grade": "A", "taxes_paid": "80"})))
    bad = model.rate(
        view(
            RecordView("tax", TODAY, True, {"grade": "D", "taxes_paid": "1"}),
            RecordView("loan", TODAY, True, {"status": "defaulted"}),
            RecordView("court", TODAY, True, {"kind": "enforcement", "role": "defendant"}),
        )
    )
    assert bad.score < clean.score
    assert bad.probability_of_default > clean.probability_of_default
    assert {"loans_defaulted", "tax_grade"} <= {r.code for r in bad.reasons}
    assert all(r.impact > 0 for r in bad.reasons)


def test_synthetic_history_is_seeded() -> None:
    x1, y1 = synthetic_history(500, seed=3)
    x2, y2 = synthetic_history(500, seed=3)
    assert x1.equals(x2)
    assert np.array_equal(y1, y2)
    assert 0.03 < y1.mean() < 0.2


def test_committed_artefact_is_small_and_evaluated() -> None:
    evaluation = json.loads((MODELS_DIR / CARD_FILE).read_text())
    assert evaluation["version"] == MODEL_VERSION == load_model().version
    artefact = MODELS_DIR / evaluation["artifact"]
    assert artefact.name == f"{MODEL_VERSION}.json"  # models/<name>-<version>.json, as in loan-matching
    assert artefact.stat().st_size < 200_000
    assert (MODELS_DIR / "model_card.md").read_text().startswith(f"# Rating model card: {MODEL_VERSION}")
    assert evaluation["held_out"]["auc"] > 0.75
    assert evaluation["held_out"]["ks"] > 0.3
    assert evaluation["held_out"]["calibration"]
    # As accurate as the calibrated logistic pipeline it replaced, on the same hold-out.
    assert evaluation["held_out"]["auc"] >= evaluation["compared_with"]["auc"] - 0.005
    assert evaluation["held_out"]["brier"] <= evaluation["compared_with"]["brier"] * 1.02
    assert {p["characteristic"] for p in evaluation["points"]} == set(NUMERIC)


def test_points_per_attribute_add_up_to_the_score() -> None:
    model = load_model()
    card = model.card
    ent = view(
        RecordView("tax", TODAY, False, {"grade": "B", "taxes_paid": "20"}),
        RecordView("loan", TODAY, True, {"status": "overdue"}),
    )
    feats = features(ent)
    n = len(card.characteristics)
    total = 0.0
    for c in card.characteristics:
        b = c.bin_of(feats[c.name])
        points = c.points(card.intercept, n)
        total += points[-1] if b == -1 else points[b]
    assert round(min(900, max(300, total))) == pytest.approx(model.rate(ent).score, abs=1)


def test_one_rating_and_the_batch_agree() -> None:
    model = load_model()
    ents = [
        view(),
        view(RecordView("tax", TODAY, True, {"grade": "D", "taxes_paid": "0"})),
        view(
            RecordView("operating", TODAY, False, {"revenue": "900", "profit": "-90"}),
            RecordView("loan", TODAY, True, {"status": "defaulted"}),
        ),
    ]
    assert model.rate_many(ents) == [model.rate(e) for e in ents]
    assert model.rate_many([]) == []


def test_a_split_value_falls_in_the_upper_bin_and_missing_has_its_own() -> None:
    c = Characteristic("x", "numerical", [1.0, 2.0], {}, [0.5, 0.0, -0.5], 0.2, ["a", "b", "c"])
    assert [c.bin_of(v) for v in (0.0, 1.0, 1.5, 2.0, 9.0, math.nan, None)] == [0, 1, 1, 2, 2, -1, -1]
    assert list(c.woe_column([0.0, 1.0, 2.0, math.nan])) == [0.5, 0.0, -0.5, 0.2]
    k = Characteristic("k", "categorical", [], {"a": 0, "b": 1}, [0.3, -0.3], 0.1, ["a", "b"])
    assert [k.woe_of(v) for v in ("a", "b", "zz", None)] == [0.3, -0.3, 0.0, 0.1]


def test_scorecard_fits_and_round_trips_through_its_arrays() -> None:
    x, y = synthetic_history(4000, seed=11)
    x["sector"] = np.where(x["revenue_log"] > 6.5, "manufacturing", "services")
    card = fit_scorecard(x.iloc[:3000], y[:3000], NUMERIC, ["sector"])
    again = Scorecard.from_json(json.loads(json.dumps(card.to_json())))
    p = card.predict_proba(x.iloc[3000:])
    assert np.allclose(p, again.predict_proba(x.iloc[3000:]))
    assert roc_auc_score(y[3000:], p) > 0.8


def test_training_command_writes_the_artefact_and_card_the_service_loads(tmp_path: Path) -> None:
    main(["train", "--rows", "3000", "--seed", "5", "--out", str(tmp_path)])
    card = json.loads((tmp_path / CARD_FILE).read_text())
    assert card["artifact"] == f"{card['version']}.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [card["artifact"], CARD_FILE, "model_card.md"]
    )
    model = load_model(tmp_path)
    assert model.version == card["version"]
    assert card["held_out"]["auc"] > 0.7
    load_model.cache_clear()  # the rest of the session serves the committed model
