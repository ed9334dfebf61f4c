"""The matching model's card, and whether enough new outcomes arrived to retrain."""

from typing import Any

from fastapi import APIRouter

from loan_matching.api.deps import ModelDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.db import repositories as repo
from loan_matching.domain.matching_model import new_outcomes_since_training

router = APIRouter(prefix="/api/v1/model", tags=["model"])


@router.get("", summary="Model card and retraining status")
async def card(
    session: SessionDep, who: PrincipalDep, model: ModelDep, settings: SettingsDep
) -> dict[str, Any]:
    """Version, held-out AUC and calibration, and outcomes recorded since training."""
    del who  # any authenticated caller may read the card
    new = new_outcomes_since_training(await repo.outcome_count(session), model.card)
    return {
        "version": model.version,
        "card": model.card,
        "new_outcomes": new,
        "retrain_after": settings.retrain_after_outcomes,
        "retrain_due": new >= settings.retrain_after_outcomes,
        "retrain_command": "python -m loan_matching.models check --database-url <url>",
    }
