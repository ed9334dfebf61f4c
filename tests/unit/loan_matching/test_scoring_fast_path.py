"""The fast scoring path gives the same answers as the full one: rules, features and model, no I/O."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from loan_matching.domain.matching_model import CARD_FILE, MODELS_DIR, grid_features, load_model
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import (
    NOT_MET,
    UNKNOWN,
    ProductBatch,
    RequestBatch,
    build_products,
    build_requests,
    eligibility,
    evaluate_rules,
    indicative_rate,
)
from loan_matching.models.training import synthetic_batches, train


def _batches(seed: int = 1) -> tuple[RequestBatch, ProductBatch]:
    req, prod = synthetic_batches(np.random.default_rng(seed), 120, 80)
    # Unknowns of every kind, and quotas and capacities that bite.
    req.league[:10] = ""
    req.industry[10:20] = ""
    req.size_ord[20:30] = np.nan
    prod.guarantee_capacity[:10] = np.nan
    prod.guarantee_capacity[10:20] = 2e5
    prod.quota_left_count[20:25] = 0
    prod.quota_left_amount[25:30] = 5e5
    return req, prod


def test_eligibility_is_the_fold_of_the_status_tensor() -> None:
    req, prod = _batches()
    status = evaluate_rules(req, prod)
    eligible, unknown = eligibility(req, prod)
    assert (eligible == ~(status == NOT_MET).any(axis=-1)).all()
    assert (unknown == (status == UNKNOWN).sum(axis=-1)).all()
    assert 0 < eligible.mean() < 1
    assert unknown.any()


def test_fused_pass_is_eligible_exactly_where_no_rule_says_not_met() -> None:
    req, prod = _batches(4)
    # Amounts and terms exactly at the products' bounds, and at an amount quota and a capacity.
    req.amount[30:40] = prod.max_amount[:10]
    req.amount[40:50] = prod.min_amount[10:20]
    req.amount[50:55] = 5e5
    req.amount[55:60] = 2e5
    req.term[60:70] = prod.max_term[:10]
    req.term[70:80] = prod.min_term[:10]
    ranked = rank_grid(req, prod, load_model())
    status = evaluate_rules(req, prod)
    assert (ranked.eligible == ~(status == NOT_MET).any(axis=-1)).all()
    assert (ranked.unknown == (status == UNKNOWN).sum(axis=-1)).all()
    assert (ranked.rate == indicative_rate(req, prod)).all()


def test_fused_pass_gives_the_same_grid_in_one_thread_and_in_blocks_over_two() -> None:
    req, prod = synthetic_batches(np.random.default_rng(5), 600, 500)
    model = load_model()
    threaded = rank_grid(req, prod, model)  # 300,000 pairs: split over the threads, 131 rows a block
    alone = [rank_grid(req.take(slice(i, i + 1)), prod, model) for i in (0, 131, 599)]
    for i, one in zip((0, 131, 599), alone, strict=True):
        assert (one.eligible[0] == threaded.eligible[i]).all()
        assert np.array_equal(one.probability[0], threaded.probability[i])
        assert np.array_equal(one.expected_value[0], threaded.expected_value[i])


def test_grid_score_equals_the_model_on_the_feature_matrix() -> None:
    req, prod = _batches(2)
    model = load_model()
    ranked = rank_grid(req, prod, model)
    full = model.predict(ranked.features).reshape(ranked.eligible.shape) * ranked.eligible
    assert np.abs(full - ranked.probability).max() < 1e-6
    assert (ranked.probability[~ranked.eligible] == 0).all()
    assert np.allclose(ranked.expected_value, ranked.probability * req.amount[:, None])
    assert (ranked.status == evaluate_rules(req, prod)).all()
    assert np.allclose(ranked.features, grid_features(req, prod, ranked.rate, ranked.status), equal_nan=True)


def test_unrated_enterprise_pays_the_worst_spread_and_scores() -> None:
    prods = build_products(
        [{"kind": "credit_only", "base_rate": 4.0, "grade_spreads": {"AAA": 0.2, "BB": 1.1}}]
    )
    reqs = build_requests(
        [{"amount": 1e5, "term_months": 12}, {"amount": 1e5, "term_months": 12, "grade": "AAA"}]
    )
    assert np.allclose(indicative_rate(reqs, prods)[:, 0], [5.1, 4.2])
    ranked = rank_grid(reqs, prods, load_model())
    assert ranked.eligible.all()
    assert (ranked.probability > 0).all()


def test_no_products_and_no_requests() -> None:
    ranked = rank_grid(build_requests([{"amount": 1e5, "term_months": 12}]), build_products([]), load_model())
    assert ranked.probability.shape == (1, 0)
    ranked = rank_grid(build_requests([]), build_products([{"kind": "credit_only"}]), load_model())
    assert ranked.probability.shape == (0, 1)


def test_committed_model_is_as_accurate_as_the_boosted_trees_it_replaced() -> None:
    card = json.loads((MODELS_DIR / CARD_FILE).read_text())
    now, before = card["held_out"], card["compared_with"]
    assert now["auc"] >= before["auc"] - 0.005
    assert now["brier"] <= before["brier"] + 0.002
    assert now["ece"] <= 0.02


def test_trained_artefact_round_trips(tmp_path: Path) -> None:
    card = train(models_dir=tmp_path, n_synthetic=4000, compare=False)
    model = load_model(tmp_path)
    assert model.version == card["version"]
    req, prod = _batches(3)
    X = rank_grid(req, prod, model).features
    p = model.predict(X)
    assert p.shape == (len(X),)
    assert ((p > 0) & (p < 1)).all()
    (tmp_path / card["artifact"]).write_text(json.dumps({"features": ["other"], "extra_terms": []}))
    load_model.cache_clear()
    with pytest.raises(RuntimeError, match="retrain"):
        load_model(tmp_path)
