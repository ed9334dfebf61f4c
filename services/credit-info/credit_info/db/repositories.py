"""All SQL of credit-info."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db.tables import (
    ConsentEntry,
    CreditRecord,
    Dispute,
    Enterprise,
    IngestionBatch,
    LookupLog,
    Rating,
)
from credit_info.domain.records import NEGATIVE_RETENTION


async def get_enterprise(session: AsyncSession, uscc: str, *, lock: bool = False) -> Enterprise | None:
    """One enterprise, optionally locked for the rest of the transaction (serialises re-rating)."""
    stmt = select(Enterprise).where(Enterprise.uscc == uscc)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def search_enterprises(
    session: AsyncSession, filters: dict[str, Any], limit: int, offset: int
) -> tuple[Sequence[Enterprise], int]:
    """A page of enterprises matching equality filters, and the total."""
    conds = [col(getattr(Enterprise, k)) == v for k, v in filters.items() if v is not None]
    total = (await session.exec(select(func.count()).select_from(Enterprise).where(*conds))).one()
    stmt = select(Enterprise).where(*conds).order_by(col(Enterprise.uscc)).limit(limit).offset(offset)
    return (await session.exec(stmt)).all(), int(total)


def _live(today: date) -> ColumnElement[bool]:
    cutoff = today - NEGATIVE_RETENTION
    return and_(
        not_(col(CreditRecord.withdrawn)),
        or_(not_(col(CreditRecord.negative)), col(CreditRecord.occurred_on) >= cutoff),
    )


async def records_of(
    session: AsyncSession, uscc: str, *, today: date, source: str | None = None, live_only: bool = True
) -> Sequence[CreditRecord]:
    """An enterprise's records, newest first; live = not withdrawn and not aged out."""
    stmt = select(CreditRecord).where(CreditRecord.uscc == uscc)
    if live_only:
        stmt = stmt.where(_live(today))
    if source is not None:
        stmt = stmt.where(col(CreditRecord.source) == source)
    stmt = stmt.order_by(col(CreditRecord.occurred_on).desc(), col(CreditRecord.created_at).desc())
    return (await session.exec(stmt)).all()


async def get_record(session: AsyncSession, record_id: uuid.UUID) -> CreditRecord | None:
    """One record."""
    return await session.get(CreditRecord, record_id)


async def count_aged_out(session: AsyncSession, uscc: str, today: date) -> int:
    """How many negative records of the enterprise have aged out."""
    stmt = select(func.count()).where(
        col(CreditRecord.uscc) == uscc,
        col(CreditRecord.negative),
        col(CreditRecord.occurred_on) < today - NEGATIVE_RETENTION,
    )
    return int((await session.exec(stmt)).one())


async def existing_dedupe_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of these record identities are already stored."""
    if not keys:
        return set()
    stmt = select(CreditRecord.dedupe_key).where(col(CreditRecord.dedupe_key).in_(keys))
    return set((await session.exec(stmt)).all())


async def insert_record_if_new(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """Insert a record unless its identity exists; the new id, or None for a duplicate."""
    stmt = (
        pg_insert(CreditRecord)
        .values(id=uuid.uuid4(), withdrawn=False, **values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(col(CreditRecord.id))
    )
    result = await session.exec(stmt)
    return result.scalar_one_or_none()


async def enterprises_known(session: AsyncSession, usccs: Sequence[str]) -> dict[str, Enterprise]:
    """The registered enterprises among these codes."""
    if not usccs:
        return {}
    rows = (await session.exec(select(Enterprise).where(col(Enterprise.uscc).in_(usccs)))).all()
    return {e.uscc: e for e in rows}


async def claim_batch(session: AsyncSession, batch_id: str, provider: str, fmt: str, sha: str) -> bool:
    """Create the batch row; False when the batch id exists (waits for a concurrent twin to commit)."""
    stmt = (
        pg_insert(IngestionBatch)
        .values(
            batch_id=batch_id,
            provider=provider,
            format=fmt,
            content_sha256=sha,
            accepted=0,
            rejected=0,
            report={},
        )
        .on_conflict_do_nothing(index_elements=["batch_id"])
        .returning(col(IngestionBatch.batch_id))
    )
    return (await session.exec(stmt)).scalar_one_or_none() is not None


async def get_batch(session: AsyncSession, batch_id: str) -> IngestionBatch | None:
    """A stored batch."""
    return await session.get(IngestionBatch, batch_id)


async def record_batch_report(session: AsyncSession, batch_id: str, report: dict[str, Any]) -> None:
    """Keep a claimed batch's report, to answer a replay of it."""
    batch = await session.get(IngestionBatch, batch_id)
    assert batch is not None  # claimed in this transaction
    batch.accepted, batch.rejected, batch.report = report["accepted"], report["rejected"], report
    session.add(batch)


async def disputes_of(session: AsyncSession, uscc: str, *, open_only: bool = False) -> Sequence[Dispute]:
    """An enterprise's disputes, newest first."""
    stmt = select(Dispute).where(Dispute.uscc == uscc)
    if open_only:
        stmt = stmt.where(Dispute.status == "open")
    return (await session.exec(stmt.order_by(col(Dispute.created_at).desc()))).all()


async def get_dispute(session: AsyncSession, dispute_id: uuid.UUID, *, lock: bool = False) -> Dispute | None:
    """One dispute."""
    stmt = select(Dispute).where(Dispute.id == dispute_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def open_dispute_for(session: AsyncSession, record_id: uuid.UUID) -> Dispute | None:
    """The open dispute on a record, if any."""
    stmt = select(Dispute).where(Dispute.record_id == record_id, Dispute.status == "open")
    return (await session.exec(stmt)).first()


async def consent_entries(
    session: AsyncSession,
    *,
    uscc: str | None = None,
    bank_org_id: str | None = None,
    consent_id: uuid.UUID | None = None,
) -> Sequence[ConsentEntry]:
    """Ledger rows, oldest first."""
    stmt = select(ConsentEntry)
    if uscc is not None:
        stmt = stmt.where(ConsentEntry.uscc == uscc)
    if bank_org_id is not None:
        stmt = stmt.where(ConsentEntry.bank_org_id == bank_org_id)
    if consent_id is not None:
        stmt = stmt.where(ConsentEntry.consent_id == consent_id)
    return (await session.exec(stmt.order_by(col(ConsentEntry.id)))).all()


async def lookups_of(
    session: AsyncSession, uscc: str, limit: int, offset: int
) -> tuple[Sequence[LookupLog], int]:
    """Who looked at the file, newest first."""
    total = (await session.exec(select(func.count()).where(col(LookupLog.uscc) == uscc))).one()
    stmt = (
        select(LookupLog)
        .where(LookupLog.uscc == uscc)
        .order_by(col(LookupLog.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.exec(stmt)).all(), int(total)


async def get_rating(session: AsyncSession, uscc: str) -> Rating | None:
    """The current rating."""
    return await session.get(Rating, uscc)


async def usccs_with_newly_aged_records(session: AsyncSession, today: date) -> Sequence[str]:
    """Enterprises whose rating predates a negative record ageing out (occurred before the cutoff)."""
    cutoff = today - NEGATIVE_RETENTION
    stmt = (
        select(CreditRecord.uscc)
        .join(Rating, col(Rating.uscc) == col(CreditRecord.uscc))
        .where(
            col(CreditRecord.negative),
            not_(col(CreditRecord.withdrawn)),
            col(CreditRecord.occurred_on) < cutoff,
            # Still counted when last rated: it aged out after the rating was computed.
            col(CreditRecord.occurred_on) >= func.date(col(Rating.computed_at)) - NEGATIVE_RETENTION,
        )
        .distinct()
    )
    return (await session.exec(stmt)).all()


async def enterprises_for_rating(session: AsyncSession, usccs: Sequence[str]) -> Sequence[Enterprise]:
    """Many enterprises, locked in USCC order (the batch re-rate; one order, so batches never deadlock)."""
    stmt = (
        select(Enterprise)
        .where(col(Enterprise.uscc).in_(list(usccs)))
        .order_by(col(Enterprise.uscc))
        .with_for_update()
    )
    return (await session.exec(stmt)).all()


async def live_records_of_many(
    session: AsyncSession, usccs: Sequence[str], *, today: date
) -> dict[str, list[CreditRecord]]:
    """Live records of many enterprises in one query, newest first per enterprise."""
    stmt = (
        select(CreditRecord)
        .where(col(CreditRecord.uscc).in_(list(usccs)), _live(today))
        .order_by(col(CreditRecord.occurred_on).desc(), col(CreditRecord.created_at).desc())
    )
    out: dict[str, list[CreditRecord]] = {u: [] for u in usccs}
    for r in (await session.exec(stmt)).all():
        out[r.uscc].append(r)
    return out


async def ratings_of(session: AsyncSession, usccs: Sequence[str]) -> dict[str, Rating]:
    """Current ratings of many enterprises."""
    stmt = select(Rating).where(col(Rating.uscc).in_(list(usccs)))
    return {r.uscc: r for r in (await session.exec(stmt)).all()}


async def withdraw_record(session: AsyncSession, record_id: uuid.UUID) -> None:
    """Take a superseded figure's credit record out of reports and ratings."""
    record = await session.get(CreditRecord, record_id)
    if record is not None:
        record.withdrawn = True
        session.add(record)
