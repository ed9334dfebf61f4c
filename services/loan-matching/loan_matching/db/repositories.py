"""All SQL of loan-matching: small query helpers over the tables."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db.tables import (
    BankQuota,
    Consent,
    CreditLine,
    Enterprise,
    FinancingRequest,
    GuaranteeCapacity,
    LendingReport,
    Loan,
    Match,
    Offer,
    Outcome,
    Product,
    SubsidyFundEntry,
)
from loan_matching.domain.statuses import (
    COMMITTED_OFFER,
    OPEN_REQUEST,
    TAKEN_OFFER,
    MatchStatus,
    ProductStatus,
)
from smefin.db import utcnow
from smefin.policy import loan_room

DEFAULT_GUARANTOR_SHARE = Decimal("80")


async def live_products(session: AsyncSession) -> list[Product]:
    """Every published product."""
    return list(await session.exec(select(Product).where(col(Product.status) == ProductStatus.PUBLISHED)))


async def quota_used(
    session: AsyncSession, since: dict[uuid.UUID, datetime]
) -> dict[uuid.UUID, tuple[int, Decimal]]:
    """Per product: offers taken (count, amount) since the start of its quota period."""
    if not since:
        return {}
    rows = (
        await session.execute(
            select(col(Offer.product_id), col(Offer.accepted_at), col(Offer.amount)).where(
                col(Offer.product_id).in_(list(since)),
                col(Offer.status).in_(TAKEN_OFFER),
            )
        )
    ).all()
    out: dict[uuid.UUID, tuple[int, Decimal]] = {}
    for pid, at, amount in rows:
        if at is not None and at >= since[pid]:
            n, a = out.get(pid, (0, Decimal(0)))
            out[pid] = (n + 1, a + amount)
    return out


async def capacities(session: AsyncSession) -> dict[str, Decimal]:
    """Guarantee company id -> the largest loan it could guarantee for one new client."""
    rows = await session.exec(select(GuaranteeCapacity))
    # Events from before loan_room carry only liability figures: the registry's default 80 % share applies.
    return {
        str(r.company_id): r.loan_room
        if r.loan_room is not None
        else loan_room(min(r.remaining, r.single_client_limit), DEFAULT_GUARANTOR_SHARE)
        for r in rows
    }


async def matches_of(session: AsyncSession, request_id: uuid.UUID) -> list[Match]:
    """A request's matches, best first."""
    q = select(Match).where(Match.request_id == request_id).order_by(col(Match.rank))
    return list(await session.exec(q))


async def offers_of(session: AsyncSession, request_id: uuid.UUID) -> list[Offer]:
    """A request's offers."""
    return list(await session.exec(select(Offer).where(Offer.request_id == request_id)))


async def due_matches(session: AsyncSession, as_of: datetime) -> list[Match]:
    """Proposed matches whose decision deadline has passed (locked for this transaction)."""
    q = (
        select(Match)
        .where(col(Match.status) == MatchStatus.PROPOSED, col(Match.decision_deadline) < as_of)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(q))


async def live_consent(session: AsyncSession, uscc: str, bank_org_id: str, now: datetime) -> bool:
    """Whether the SME has a live consent for this bank."""
    q = select(func.count()).where(
        Consent.uscc == uscc,
        Consent.bank_org_id == bank_org_id,
        col(Consent.revoked).is_(False),
        col(Consent.valid_until) > now,
    )
    return bool((await session.exec(q)).one())


async def accepted_with(session: AsyncSession, request_id: uuid.UUID, bank_org_id: str) -> bool:
    """Whether the SME accepted this bank's offer on the request."""
    q = select(func.count()).where(
        Offer.request_id == request_id,
        Offer.bank_org_id == bank_org_id,
        col(Offer.status).in_(TAKEN_OFFER),
    )
    return bool((await session.exec(q)).one())


async def open_requests(session: AsyncSession, limit: int, *, lock: bool = False) -> list[FinancingRequest]:
    """Requests still looking for a bank; `lock` holds them for the transaction (an assignment round).

    Locked in one order, and the submission handler locks its request too, so a round and the
    matching of a just-submitted request take turns instead of deadlocking on the match rows.
    """
    q = (
        select(FinancingRequest)
        .where(col(FinancingRequest.status).in_(OPEN_REQUEST))
        .order_by(col(FinancingRequest.created_at), col(FinancingRequest.id))
        .limit(limit)
    )
    if lock:
        q = q.with_for_update()
    return list(await session.exec(q))


async def enterprises(session: AsyncSession, usccs: Sequence[str]) -> dict[str, Enterprise]:
    """Enterprise projections by USCC."""
    q = select(Enterprise).where(col(Enterprise.uscc).in_(list(usccs)))
    return {e.uscc: e for e in (await session.exec(q))}


async def latest_match_for(session: AsyncSession, uscc: str, bank_org_id: str) -> Match | None:
    """The newest match of this SME with this bank."""
    q = (
        select(Match)
        .join(FinancingRequest, col(FinancingRequest.id) == col(Match.request_id))
        .where(FinancingRequest.uscc == uscc, Match.bank_org_id == bank_org_id)
        .order_by(col(Match.created_at).desc())
        .limit(1)
    )
    return (await session.exec(q)).first()


async def outcome_count(session: AsyncSession) -> int:
    """How many training outcomes are recorded."""
    return int((await session.exec(select(func.count()).select_from(Outcome))).one())


async def reports(session: AsyncSession, bank_org_id: str | None) -> list[LendingReport]:
    """Lending reports, one bank's or all."""
    q = select(LendingReport).order_by(LendingReport.bank_org_id, LendingReport.month)
    if bank_org_id is not None:
        q = q.where(LendingReport.bank_org_id == bank_org_id)
    return list(await session.exec(q))


async def loan_of_offer(session: AsyncSession, offer_id: uuid.UUID) -> Loan | None:
    """The loan disbursed on an offer, if any."""
    return (await session.exec(select(Loan).where(Loan.offer_id == offer_id))).first()


async def upsert_enterprise(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or replace the enterprise projection (ratings are other columns, kept)."""
    values = values | {"updated_at": utcnow()}
    t = Enterprise.__table__  # type: ignore[attr-defined]
    await session.execute(
        insert(t).values(**values).on_conflict_do_update(index_elements=["uscc"], set_=values)
    )


async def upsert_lending_report(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or correct one bank's month."""
    t = LendingReport.__table__  # type: ignore[attr-defined]
    stmt = insert(t).values(**values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["bank_org_id", "month"], set_=values))


async def funnel_rows(
    session: AsyncSession, since: datetime, until: datetime, league_code: str | None
) -> tuple[
    list[tuple[FinancingRequest, str | None, str | None]],
    list[Match],
    list[Offer],
    list[Loan],
    dict[uuid.UUID, str],
]:
    """Requests submitted in [since, until) (with league and size class), their matches, offers and
    loans, and the kind of every product matched: what the funnel is computed from."""
    q = (
        select(FinancingRequest, Enterprise.league_code, Enterprise.size_class)
        .join(Enterprise, col(Enterprise.uscc) == col(FinancingRequest.uscc), isouter=True)
        .where(col(FinancingRequest.created_at) >= since, col(FinancingRequest.created_at) < until)
    )
    if league_code is not None:
        q = q.where(col(Enterprise.league_code) == league_code)
    requests: list[tuple[FinancingRequest, str | None, str | None]] = [
        (r, lg, size) for r, lg, size in (await session.exec(q)).all()
    ]
    ids = select(FinancingRequest.id).where(
        col(FinancingRequest.created_at) >= since, col(FinancingRequest.created_at) < until
    )
    if league_code is not None:
        ids = ids.join(Enterprise, col(Enterprise.uscc) == col(FinancingRequest.uscc)).where(
            col(Enterprise.league_code) == league_code
        )
    wanted = ids.scalar_subquery()
    matches = list(await session.exec(select(Match).where(col(Match.request_id).in_(wanted))))
    offers = list(await session.exec(select(Offer).where(col(Offer.request_id).in_(wanted))))
    loans = list(
        await session.exec(
            select(Loan)
            .join(Offer, col(Offer.id) == col(Loan.offer_id))
            .where(col(Offer.request_id).in_(wanted))
        )
    )
    q_kinds = select(col(Product.id), col(Product.kind)).where(
        col(Product.id).in_({m.product_id for m in matches})
    )
    kinds: dict[uuid.UUID, str] = {pid: kind for pid, kind in (await session.execute(q_kinds)).all()}
    return requests, matches, offers, loans, kinds


async def subsidy_fund_entries(session: AsyncSession, programme: str, year: int) -> list[SubsidyFundEntry]:
    """One programme-year's ledger, newest first."""
    stmt = (
        select(SubsidyFundEntry)
        .where(col(SubsidyFundEntry.programme) == programme, col(SubsidyFundEntry.year) == year)
        .order_by(col(SubsidyFundEntry.recorded_at).desc())
    )
    return list((await session.exec(stmt)).all())


async def subsidy_fund_movements(session: AsyncSession, programme: str, year: int) -> dict[str, Decimal]:
    """A programme-year's appropriations and payouts, summed by kind."""
    rows = await session.execute(
        sa_select(col(SubsidyFundEntry.kind), func.coalesce(func.sum(SubsidyFundEntry.amount), 0))
        .where(col(SubsidyFundEntry.programme) == programme, col(SubsidyFundEntry.year) == year)
        .group_by(col(SubsidyFundEntry.kind))
    )
    return {kind: Decimal(total) for kind, total in rows.all()}


async def lock_subsidy_fund(session: AsyncSession, programme_index: int, year: int) -> None:
    """Serialise one programme-year's payouts until the transaction ends, so the fund never goes negative."""
    await session.execute(sa_select(func.pg_advisory_xact_lock(7_100 + programme_index, year)))


async def requests_queued_on(session: AsyncSession, product_id: uuid.UUID) -> set[uuid.UUID]:
    """Requests with a queued match on the product (an edit may make them ineligible)."""
    q = select(col(Match.request_id)).where(
        Match.product_id == product_id, col(Match.status) == MatchStatus.QUEUED
    )
    return set((await session.exec(q)).all())


async def open_matches_of_product(session: AsyncSession, product_id: uuid.UUID) -> list[Match]:
    """The product's matches no bank has decided on yet (queued or proposed), locked, oldest request first."""
    q = (
        select(Match)
        .where(
            Match.product_id == product_id,
            col(Match.status).in_((MatchStatus.QUEUED, MatchStatus.PROPOSED)),
        )
        .order_by(col(Match.created_at), col(Match.id))
        .with_for_update()
    )
    return list(await session.exec(q))


async def bank_quotas(session: AsyncSession, banks: Sequence[str] | None = None) -> dict[str, BankQuota]:
    """Banks' dedicated quotas by bank (all banks' when `banks` is None)."""
    q = select(BankQuota)
    if banks is not None:
        q = q.where(col(BankQuota.bank_org_id).in_(list(banks)))
    return {b.bank_org_id: b for b in await session.exec(q)}


async def bank_quota_of(session: AsyncSession, bank_org_id: str, *, lock: bool = False) -> BankQuota | None:
    """One bank's quota row (locked: offers of one bank then take turns against its quota)."""
    q = select(BankQuota).where(BankQuota.bank_org_id == bank_org_id)
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()


async def bank_usage(session: AsyncSession, since: dict[str, datetime]) -> dict[str, tuple[int, Decimal]]:
    """Per bank: offers committed (standing or taken; count, amount) since the start of its quota period."""
    out: dict[str, tuple[int, Decimal]] = {}
    for bank, start in since.items():
        q = select(func.count(), func.coalesce(func.sum(Offer.amount), 0)).where(
            Offer.bank_org_id == bank,
            col(Offer.status).in_(COMMITTED_OFFER),
            col(Offer.created_at) >= start,
        )
        n, amount = (await session.execute(q)).one()
        out[bank] = (int(n), Decimal(amount))
    return out


async def knows_sme(session: AsyncSession, uscc: str, bank_org_id: str, now: datetime) -> bool:
    """Whether the bank may know the SME: a live consent, or an offer of the bank the SME took."""
    if await live_consent(session, uscc, bank_org_id, now):
        return True
    q = select(func.count()).where(
        Offer.uscc == uscc, Offer.bank_org_id == bank_org_id, col(Offer.status).in_(TAKEN_OFFER)
    )
    return bool((await session.exec(q)).one())


async def lines_of(session: AsyncSession, uscc: str, statuses: Sequence[str]) -> list[CreditLine]:
    """An SME's credit lines in these statuses, locked."""
    q = (
        select(CreditLine)
        .where(CreditLine.uscc == uscc, col(CreditLine.status).in_(list(statuses)))
        .order_by(col(CreditLine.created_at))
        .with_for_update()
    )
    return list(await session.exec(q))


async def due_lines(session: AsyncSession, as_of: datetime, statuses: Sequence[str]) -> list[CreditLine]:
    """Lines past their term (locked, skipping those another replica holds)."""
    q = (
        select(CreditLine)
        .where(col(CreditLine.status).in_(list(statuses)), col(CreditLine.expires_at) <= as_of)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(q))
