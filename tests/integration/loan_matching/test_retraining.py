"""Retraining from recorded outcomes: the model command reads the outcome table, trains on it and
writes a new versioned artefact and card that the service then loads."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from loan_matching.db.tables import Outcome
from loan_matching.domain.matching_model import FEATURES, MODELS_DIR, load_model
from loan_matching.domain.statuses import OutcomeSource
from loan_matching.main import MIGRATIONS, create_app
from loan_matching.models.__main__ import main
from loan_matching.settings import Settings
from tests.support.infra import Infra
from tests.support.services import bearer, run_service


async def test_check_retrains_once_enough_outcomes_are_recorded(
    infra: Infra, topic_prefix: str, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    before = json.loads((models / "model_card.json").read_text())
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        async with svc.app.state.db.unit_of_work() as session:
            for i in range(40):
                features = [float((i + k) % 7) for k in range(len(FEATURES))]
                session.add(Outcome(source=OutcomeSource.OFFER_DECLINED, label=i % 2, features=features))
        card = (await svc.client.get("/api/v1/model", headers=bearer("office", "office"))).json()
        assert card["new_outcomes"] == 40 - int(before.get("outcomes_seen", 0))
        args = ["--database-url", svc.database_url, "--models-dir", str(models)]
        # Below the threshold nothing is trained; at it, the model is retrained on the recorded rows.
        assert await asyncio.to_thread(main, ["check", *args, "--threshold", "1000"]) == 0
        assert json.loads((models / "model_card.json").read_text())["version"] == before["version"]
        assert await asyncio.to_thread(main, ["check", *args, "--threshold", "10"]) == 0
    after = json.loads((models / "model_card.json").read_text())
    assert after["training_rows"]["recorded"] == 40
    assert after["outcomes_seen"] == 40
    assert (models / after["artifact"]).exists()
    assert not (models / before["artifact"]).exists()
    retrained = load_model(models)
    assert retrained.version == after["version"]
    load_model.cache_clear()  # the rest of the session serves the committed model
