"""Annotated dependency aliases for loan-matching endpoints."""

from typing import Annotated

from fastapi import Depends, Request

from loan_matching.domain.matching_model import MatchingModel, load_model
from loan_matching.settings import Settings
from smefin.auth import PrincipalDep
from smefin.web import OutboxDep, ReadSessionDep, SessionDep


async def _model(request: Request) -> MatchingModel:
    model: MatchingModel | None = getattr(request.app.state, "model", None)
    return model or load_model()


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ModelDep = Annotated[MatchingModel, Depends(_model)]
SettingsDep = Annotated[Settings, Depends(_settings)]

__all__ = ["ModelDep", "OutboxDep", "PrincipalDep", "ReadSessionDep", "SessionDep", "SettingsDep"]
