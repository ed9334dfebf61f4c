"""SQL over the projections of other services' events: enterprises, open requests, matches, loans."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db.tables import EnterpriseSeen, FinancingRequestSeen, LoanSeen, MatchSeen
from smefin.db import utcnow

OPEN = "open"
LIVE_MATCH = ("proposed", "expired")  # a declined match is not worth a meeting


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


async def upsert_enterprise(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or refresh an enterprise."""
    stmt = insert(_table(EnterpriseSeen)).values(**values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["uscc"], set_=values))


async def add_request(session: AsyncSession, values: dict[str, Any]) -> None:
    """Record a submitted request (a later status event that arrived first wins)."""
    await session.execute(insert(_table(FinancingRequestSeen)).values(**values).on_conflict_do_nothing())


async def set_request_status(session: AsyncSession, request_id: uuid.UUID, uscc: str, status: str) -> None:
    """Close a request; remembered even if its submission has not arrived yet."""
    values = {
        "request_id": request_id,
        "uscc": uscc,
        "amount": Decimal(0),
        "status": status,
        "submitted_at": utcnow(),
    }
    stmt = insert(_table(FinancingRequestSeen)).values(**values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["request_id"], set_={"status": status}))


async def upsert_match(session: AsyncSession, values: dict[str, Any]) -> None:
    """Record a proposed match with its score."""
    stmt = insert(_table(MatchSeen)).values(**values)
    update = {k: v for k, v in values.items() if k not in ("match_id", "status")}
    await session.execute(stmt.on_conflict_do_update(index_elements=["match_id"], set_=update))


async def set_match_status(session: AsyncSession, match_id: uuid.UUID, status: str) -> None:
    """Mark a match expired or declined (ignored if it was never seen)."""
    m = await session.get(MatchSeen, match_id)
    if m is not None:
        m.status = status


async def add_loan(session: AsyncSession, values: dict[str, Any]) -> None:
    """Record a disbursed loan once."""
    await session.execute(insert(_table(LoanSeen)).values(**values).on_conflict_do_nothing())


@dataclass(frozen=True)
class OpenMatch:
    """A live match on an open request, with the enterprise it is for."""

    match_id: uuid.UUID
    request_id: uuid.UUID
    product_id: uuid.UUID
    bank_org_id: str
    score: Decimal
    uscc: str
    amount: Decimal
    league_code: str | None
    industry: str | None


async def open_requests(session: AsyncSession) -> list[tuple[FinancingRequestSeen, EnterpriseSeen | None]]:
    """Every open request with its enterprise (if the enterprise event has arrived)."""
    q = (
        select(FinancingRequestSeen, EnterpriseSeen)
        .join(EnterpriseSeen, col(EnterpriseSeen.uscc) == col(FinancingRequestSeen.uscc), isouter=True)
        .where(FinancingRequestSeen.status == OPEN)
    )
    return [(r, e) for r, e in (await session.exec(q)).all()]


async def open_matches(
    session: AsyncSession, *, usccs: Sequence[str] | None = None, banks: Sequence[str] | None = None
) -> list[OpenMatch]:
    """Live matches on open requests, optionally only between these SMEs and banks."""
    q = (
        select(MatchSeen, FinancingRequestSeen, EnterpriseSeen)
        .join(FinancingRequestSeen, col(FinancingRequestSeen.request_id) == col(MatchSeen.request_id))
        .join(EnterpriseSeen, col(EnterpriseSeen.uscc) == col(FinancingRequestSeen.uscc), isouter=True)
        .where(FinancingRequestSeen.status == OPEN, col(MatchSeen.status).in_(LIVE_MATCH))
    )
    if usccs is not None:
        q = q.where(col(FinancingRequestSeen.uscc).in_(list(usccs)))
    if banks is not None:
        q = q.where(col(MatchSeen.bank_org_id).in_(list(banks)))
    return [
        OpenMatch(
            match_id=m.match_id,
            request_id=m.request_id,
            product_id=m.product_id,
            bank_org_id=m.bank_org_id,
            score=m.score,
            uscc=r.uscc,
            amount=r.amount,
            league_code=e.league_code if e else None,
            industry=e.industry if e else None,
        )
        for m, r, e in (await session.exec(q)).all()
    ]


async def enterprise(session: AsyncSession, uscc: str) -> EnterpriseSeen | None:
    """One enterprise of the projection."""
    return await session.get(EnterpriseSeen, uscc)


async def loans_between(
    session: AsyncSession, usccs: Sequence[str], start: datetime, end: datetime
) -> list[LoanSeen]:
    """Loans disbursed to these SMEs in [start, end]."""
    q = select(LoanSeen).where(
        col(LoanSeen.uscc).in_(list(usccs)),
        col(LoanSeen.disbursed_at) >= start,
        col(LoanSeen.disbursed_at) <= end,
    )
    return list(await session.exec(q))


async def best_match(session: AsyncSession, uscc: str, bank_org_id: str) -> OpenMatch | None:
    """The best live match between an SME's open requests and a bank, if any."""
    found = await open_matches(session, usccs=[uscc], banks=[bank_org_id])
    return max(found, key=lambda m: m.score, default=None)
