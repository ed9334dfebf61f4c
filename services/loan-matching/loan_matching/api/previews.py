"""Approval odds before applying: an SME, or an anonymous visitor, previews its matches (nothing stored)."""

from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import ModelDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import PreviewCreate, PreviewRead
from loan_matching.domain import previews

router = APIRouter(prefix="/api/v1/previews", tags=["previews"])

Top = Query(default=20, ge=1, le=100, description="at most this many matches and misses")


@router.post("", response_model=PreviewRead, summary="Preview my matches, odds and rates (nothing is stored)")
async def preview_mine(
    body: PreviewCreate, session: SessionDep, who: PrincipalDep, model: ModelDep, limit: int = Top
) -> dict[str, Any]:
    """An SME: scored on its registered profile as matching would score it; no bank sees it."""
    return await previews.preview(
        session=session, principal=who, need=body.need(), figures=body.figures(), model=model, limit=limit
    )


@router.post("/public", response_model=PreviewRead, summary="Preview matches from a few figures (public)")
async def preview_public(
    body: PreviewCreate, session: SessionDep, model: ModelDep, limit: int = Top
) -> dict[str, Any]:
    """Anyone, without an account: the figures given are all the platform knows; nothing is stored."""
    return await previews.preview(
        session=session, principal=None, need=body.need(), figures=body.figures(), model=model, limit=limit
    )
