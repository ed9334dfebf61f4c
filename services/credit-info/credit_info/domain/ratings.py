"""Ratings (适合中小企业特点的评级): recomputed from live records, announced when they move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import CreditRecord, Rating
from credit_info.domain.rating_model import EnterpriseView, RatingResult, RecordView, load_model
from credit_info.domain.records import CreditSource
from smefin.auth import Principal, Role
from smefin.contracts.enterprises import RatingChanged
from smefin.db import utcnow
from smefin.errors import NotFound
from smefin.outbox import Outbox


def record_view(r: CreditRecord) -> RecordView:
    """What the model reads of a stored record."""
    return RecordView(CreditSource(r.source).value, r.occurred_on, r.negative, r.payload)


async def recompute_rating(
    session: AsyncSession, outbox: Outbox, uscc: str, today: date | None = None
) -> Rating | None:
    """Re-rate an enterprise from its live records; publish rating.changed when grade or score moved."""
    return (await recompute_ratings(session, outbox, [uscc], today)).get(uscc)


async def recompute_ratings(
    session: AsyncSession, outbox: Outbox, usccs: Sequence[str], today: date | None = None
) -> dict[str, Rating]:
    """Re-rate many enterprises in one pass: three queries, one array pass of the scorecard.

    Publishes rating.changed for each whose grade or score moved. Unknown USCCs are skipped.
    """
    today = today or date.today()
    ents = await repo.enterprises_for_rating(session, usccs)
    if not ents:
        return {}
    found = [e.uscc for e in ents]
    records = await repo.live_records_of_many(session, found, today=today)
    currents = await repo.ratings_of(session, found)
    views = [
        EnterpriseView(e.employees, e.revenue, e.assets, [record_view(r) for r in records[e.uscc]])
        for e in ents
    ]
    out: dict[str, Rating] = {}
    for ent, result in zip(ents, load_model().rate_many(views), strict=True):
        out[ent.uscc] = await _store_rating(session, outbox, ent.uscc, result, currents.get(ent.uscc))
    await session.flush()
    return out


async def _store_rating(
    session: AsyncSession, outbox: Outbox, uscc: str, result: RatingResult, current: Rating | None
) -> Rating:
    reasons = [
        {"code": r.code, "message": r.message, "value": r.value, "impact": r.impact} for r in result.reasons
    ]
    pd_ = Decimal(str(result.probability_of_default)).quantize(Decimal("0.000001"))
    previous_grade = current.grade if current else None
    previous_score = current.score if current else None
    changed = current is None or current.grade != result.grade or current.score != result.score
    if current is None:
        current = Rating(uscc=uscc, score=0, probability_of_default=pd_, grade="", model_version="")
    current.score, current.grade, current.probability_of_default = result.score, result.grade, pd_
    current.reasons, current.model_version, current.computed_at = reasons, result.model_version, utcnow()
    session.add(current)
    if changed:
        await outbox.add(
            session,
            RatingChanged(
                uscc=uscc,
                score=result.score,
                probability_of_default=pd_,
                grade=result.grade,
                previous_grade=previous_grade,
                previous_score=previous_score,
                model_version=result.model_version,
                reasons=[r["code"] for r in reasons],
            ),
            subject=uscc,
        )
    return current


async def rerate_aged(session: AsyncSession, outbox: Outbox, today: date | None = None) -> list[str]:
    """Re-rate enterprises a negative record has aged out of since they were last rated."""
    today = today or date.today()
    usccs = list(await repo.usccs_with_newly_aged_records(session, today))
    await recompute_ratings(session, outbox, usccs, today)
    return usccs


async def recompute(*, session: AsyncSession, outbox: Outbox, principal: Principal, uscc: str) -> Rating:
    """Re-rate now (office or services); publishes rating.changed only if grade or score moved."""
    principal.require(Role.OFFICE, Role.SERVICE)
    rating = await recompute_rating(session, outbox, uscc)
    if rating is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    return rating


def rating_dict(rating: Rating | None) -> dict[str, Any] | None:
    """A rating as JSON."""
    if rating is None:
        return None
    return {
        "uscc": rating.uscc,
        "score": rating.score,
        "probability_of_default": str(rating.probability_of_default),
        "grade": rating.grade,
        "reasons": rating.reasons,
        "model_version": rating.model_version,
        "computed_at": rating.computed_at.isoformat(),
    }
