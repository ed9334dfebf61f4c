"""Ratings (适合中小企业特点的评级): score, probability of default, grade and reasons."""

from __future__ import annotations

from fastapi import APIRouter, Request

from credit_info.api.deps import OutboxDep, PrincipalDep, PurposeQuery, SessionDep, UsccPath, authorize_read
from credit_info.api.schemas import RatingRead
from credit_info.db import repositories as repo
from credit_info.db.tables import Rating
from credit_info.domain import ratings
from smefin.errors import NotFound

router = APIRouter(prefix="/api/v1/ratings", tags=["ratings"])


@router.get("/{uscc}", response_model=RatingRead)
async def get_rating(
    uscc: UsccPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    purpose: PurposeQuery = None,
) -> Rating:
    """The current rating: the enterprise itself, the office, or a bank with a live consent (logged)."""
    await authorize_read(request, session, principal, uscc, "rating", purpose)
    rating = await repo.get_rating(session, uscc)
    if rating is None:
        raise NotFound(f"no rating for {uscc}")
    return rating


@router.post("/{uscc}/recompute", response_model=RatingRead)
async def recompute(
    uscc: UsccPath, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> Rating:
    """Re-rate now (office or services); publishes rating.changed only if grade or score moved."""
    return await ratings.recompute(session=session, outbox=outbox, principal=principal, uscc=uscc)
