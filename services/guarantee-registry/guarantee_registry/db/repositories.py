"""All SQL of guarantee-registry."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import case, false, func, or_, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from guarantee_registry.db.tables import (
    CapitalInjection,
    CompanyVersion,
    ComplianceState,
    CountyFiscalRevenue,
    DevelopmentZone,
    FundEntry,
    Guarantee,
    GuaranteeCompany,
    KnownOffer,
    ReguaranteeAgreement,
    ZoneAnnualSales,
)
from guarantee_registry.domain.rules import (
    MANAGERS,
    AgreementStatus,
    CompensationFund,
    FundEntryKind,
    OfferStatus,
)
from smefin.auth import Principal, Role
from smefin.db import utcnow

# Transaction-scoped advisory locks: serialise coverage diffs and the two funds' budgets.
LOCK_COVERAGE = 5_001
LOCK_REGIONAL_FUND = 5_002
LOCK_RISK_FUND = 5_003
LOCK_SMALL_MICRO_FUND = 5_004


def fund_lock(fund: CompensationFund) -> int:
    """The advisory lock that serialises one fund's payouts, so its balance never goes below zero."""
    return LOCK_RISK_FUND if fund is CompensationFund.STARTUP_MICRO else LOCK_SMALL_MICRO_FUND


async def advisory_lock(session: AsyncSession, key: int) -> None:
    """Hold `key` until the transaction ends."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


# ---- companies ---------------------------------------------------------------------------------


async def get_company(
    session: AsyncSession, company_id: UUID, *, for_update: bool = False
) -> GuaranteeCompany | None:
    """A company by id, row-locked when asked (SELECT … FOR UPDATE)."""
    stmt = select(GuaranteeCompany).where(GuaranteeCompany.id == company_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def lock_companies(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, GuaranteeCompany]:
    """Row-lock several companies in id order, so concurrent requests never deadlock."""
    if not ids:
        return {}
    stmt = (
        select(GuaranteeCompany)
        .where(col(GuaranteeCompany.id).in_(list(ids)))
        .order_by(col(GuaranteeCompany.id))
        .with_for_update()
    )
    return {c.id: c for c in (await session.exec(stmt)).all()}


async def company_by_uscc(session: AsyncSession, uscc: str) -> GuaranteeCompany | None:
    """A company by its USCC."""
    return (await session.exec(select(GuaranteeCompany).where(GuaranteeCompany.uscc == uscc))).first()


async def list_companies(
    session: AsyncSession, *, league_code: str | None, owner_org_id: str | None, limit: int, offset: int
) -> tuple[list[GuaranteeCompany], int]:
    """A page of companies and the total."""
    stmt = select(GuaranteeCompany)
    if league_code:
        stmt = stmt.where(GuaranteeCompany.league_code == league_code)
    if owner_org_id:
        stmt = stmt.where(GuaranteeCompany.owner_org_id == owner_org_id)
    total = (await session.execute(sa_select(func.count()).select_from(stmt.subquery()))).scalar_one()
    items = (await session.exec(stmt.order_by(col(GuaranteeCompany.name)).limit(limit).offset(offset))).all()
    return list(items), int(total)


async def all_companies(session: AsyncSession) -> list[GuaranteeCompany]:
    """Every company (coverage is computed over all of them)."""
    return list((await session.exec(select(GuaranteeCompany).order_by(col(GuaranteeCompany.name)))).all())


async def list_versions(session: AsyncSession, company_id: UUID) -> list[CompanyVersion]:
    """A company's audit trail, newest first."""
    stmt = (
        select(CompanyVersion)
        .where(CompanyVersion.company_id == company_id)
        .order_by(col(CompanyVersion.version).desc())
    )
    return list((await session.exec(stmt)).all())


# ---- capital -----------------------------------------------------------------------------------


async def list_injections(
    session: AsyncSession, *, company_ids: Sequence[UUID] | None, limit: int, offset: int
) -> tuple[list[CapitalInjection], int]:
    """A page of injections (optionally for some companies), newest first, and the total."""
    stmt = select(CapitalInjection)
    if company_ids is not None:
        stmt = stmt.where(col(CapitalInjection.company_id).in_(list(company_ids)))
    total = (await session.execute(sa_select(func.count()).select_from(stmt.subquery()))).scalar_one()
    stmt = stmt.order_by(col(CapitalInjection.injected_on).desc(), col(CapitalInjection.created_at).desc())
    return list((await session.exec(stmt.limit(limit).offset(offset))).all()), int(total)


async def injected_by_source(session: AsyncSession) -> dict[str, Decimal]:
    """Total injected per source."""
    rows = await session.execute(
        sa_select(col(CapitalInjection.source), func.sum(CapitalInjection.amount)).group_by(
            col(CapitalInjection.source)
        )
    )
    return {str(s): Decimal(a or 0) for s, a in rows.all()}


async def injected_by_county_and_source(session: AsyncSession) -> list[tuple[str | None, str, str, Decimal]]:
    """(county, league, source, total) over injections, by the paying county or the company's."""
    county = func.coalesce(CapitalInjection.county_code, GuaranteeCompany.county_code)
    rows = await session.execute(
        sa_select(
            county,
            col(CapitalInjection.league_code),
            col(CapitalInjection.source),
            func.sum(CapitalInjection.amount),
        )
        .join(GuaranteeCompany, col(GuaranteeCompany.id) == col(CapitalInjection.company_id))
        .group_by(county, CapitalInjection.league_code, CapitalInjection.source)
    )
    return [(c, str(lg), str(s), Decimal(a or 0)) for c, lg, s, a in rows.all()]


async def regional_fund_used(session: AsyncSession) -> Decimal:
    """How much of the regional special fund has been injected."""
    total = await session.execute(
        sa_select(func.coalesce(func.sum(CapitalInjection.amount), 0)).where(
            col(CapitalInjection.source) == "regional_special_fund"
        )
    )
    return Decimal(total.scalar_one())


# ---- divisions ---------------------------------------------------------------------------------


async def upsert_county_revenue(session: AsyncSession, row: CountyFiscalRevenue) -> None:
    """Insert or replace a county's fiscal revenue for a year."""
    values = {
        k: getattr(row, k) for k in ("county_code", "year", "league_code", "fiscal_revenue", "updated_by")
    }
    stmt = pg_insert(CountyFiscalRevenue).values(**values, updated_at=utcnow())
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["county_code", "year"],
            set_={
                "fiscal_revenue": stmt.excluded.fiscal_revenue,
                "updated_by": stmt.excluded.updated_by,
                "updated_at": stmt.excluded.updated_at,
            },
        )
    )


async def county_revenue(session: AsyncSession, county_code: str, year: int) -> CountyFiscalRevenue | None:
    """One county-year as stored now (the upsert bypasses the session's identity map)."""
    row = await session.get(CountyFiscalRevenue, (county_code, year))
    if row is not None:
        await session.refresh(row)
    return row


async def county_revenues(session: AsyncSession, year: int | None) -> list[CountyFiscalRevenue]:
    """Each county's figure for `year`, or its latest when no year is given."""
    stmt = select(CountyFiscalRevenue)
    if year is not None:
        stmt = stmt.where(CountyFiscalRevenue.year == year)
    rows = (
        await session.exec(stmt.order_by(col(CountyFiscalRevenue.county_code), col(CountyFiscalRevenue.year)))
    ).all()
    latest: dict[str, CountyFiscalRevenue] = {}
    for r in rows:
        latest[r.county_code] = r
    return list(latest.values())


async def all_county_revenues(session: AsyncSession) -> list[CountyFiscalRevenue]:
    """Every recorded county-year."""
    stmt = select(CountyFiscalRevenue).order_by(
        col(CountyFiscalRevenue.county_code), col(CountyFiscalRevenue.year)
    )
    return list((await session.exec(stmt)).all())


async def upsert_zone(session: AsyncSession, zone: DevelopmentZone) -> None:
    """Insert or replace a development zone."""
    values = {k: getattr(zone, k) for k in ("code", "name", "league_code", "county_code", "updated_by")}
    stmt = pg_insert(DevelopmentZone).values(**values, updated_at=utcnow())
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={
                k: getattr(stmt.excluded, k)
                for k in ("name", "league_code", "county_code", "updated_by", "updated_at")
            },
        )
    )


async def get_zone(session: AsyncSession, code: str) -> DevelopmentZone | None:
    """A zone by code."""
    return await session.get(DevelopmentZone, code)


async def upsert_zone_sales(session: AsyncSession, row: ZoneAnnualSales) -> None:
    """Insert or replace a zone's annual sales for a year."""
    values = {k: getattr(row, k) for k in ("zone_code", "year", "annual_sales", "updated_by")}
    stmt = pg_insert(ZoneAnnualSales).values(**values, updated_at=utcnow())
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["zone_code", "year"],
            set_={
                "annual_sales": stmt.excluded.annual_sales,
                "updated_by": stmt.excluded.updated_by,
                "updated_at": stmt.excluded.updated_at,
            },
        )
    )


async def zones_with_sales(
    session: AsyncSession, year: int | None
) -> list[tuple[DevelopmentZone, ZoneAnnualSales]]:
    """Each zone with its figure for `year`, or its latest."""
    stmt = select(DevelopmentZone, ZoneAnnualSales).join(
        ZoneAnnualSales, col(ZoneAnnualSales.zone_code) == col(DevelopmentZone.code)
    )
    if year is not None:
        stmt = stmt.where(ZoneAnnualSales.year == year)
    rows = (await session.exec(stmt.order_by(col(DevelopmentZone.code), col(ZoneAnnualSales.year)))).all()
    latest: dict[str, tuple[DevelopmentZone, ZoneAnnualSales]] = {}
    for z, s in rows:
        latest[z.code] = (z, s)
    return list(latest.values())


async def all_zones(session: AsyncSession) -> list[DevelopmentZone]:
    """Every zone."""
    return list((await session.exec(select(DevelopmentZone).order_by(col(DevelopmentZone.code)))).all())


# ---- guarantees --------------------------------------------------------------------------------


async def guarantee_by_offer(
    session: AsyncSession, offer_id: UUID, *, for_update: bool = False
) -> Guarantee | None:
    """The guarantee (or refusal) recorded for an offer."""
    stmt = select(Guarantee).where(Guarantee.offer_id == offer_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def get_guarantee(
    session: AsyncSession, guarantee_id: UUID, *, for_update: bool = False
) -> Guarantee | None:
    """A guarantee by id (locked for a state change when asked)."""
    return await session.get(Guarantee, guarantee_id, with_for_update=for_update)


async def client_exposure(session: AsyncSession, company_id: UUID, uscc: str) -> Decimal:
    """The company's outstanding liability towards one client: what it kept of its own guarantees plus
    what it took over as a re-guarantor."""
    issued = col(Guarantee.status) == "issued"
    client = col(Guarantee.uscc) == uscc
    kept = sa_select(func.coalesce(func.sum(Guarantee.liability - Guarantee.ceded_liability), 0)).where(
        col(Guarantee.company_id) == company_id, client, issued
    )
    taken = sa_select(func.coalesce(func.sum(Guarantee.ceded_liability), 0)).where(
        col(Guarantee.reguarantor_id) == company_id, client, issued
    )
    return Decimal((await session.execute(kept)).scalar_one()) + Decimal(
        (await session.execute(taken)).scalar_one()
    )


# ---- re-guarantee and compensation funds ------------------------------------------------------


async def active_agreements(
    session: AsyncSession, company_ids: Sequence[UUID]
) -> dict[UUID, ReguaranteeAgreement]:
    """The active re-guarantee agreement of each company that has one."""
    if not company_ids:
        return {}
    stmt = select(ReguaranteeAgreement).where(
        col(ReguaranteeAgreement.company_id).in_(list(company_ids)),
        col(ReguaranteeAgreement.status) == AgreementStatus.ACTIVE,
    )
    return {a.company_id: a for a in (await session.exec(stmt)).all()}


async def get_agreement(
    session: AsyncSession, agreement_id: UUID, *, for_update: bool = False
) -> ReguaranteeAgreement | None:
    """One agreement."""
    return await session.get(ReguaranteeAgreement, agreement_id, with_for_update=for_update)


async def list_agreements(session: AsyncSession, principal: Principal) -> list[ReguaranteeAgreement]:
    """The agreements the caller may see: the office every one, a guarantor those its companies are party to."""
    stmt = select(ReguaranteeAgreement).order_by(col(ReguaranteeAgreement.created_at).desc())
    if principal.role not in MANAGERS:
        own = select(GuaranteeCompany.id).where(col(GuaranteeCompany.owner_org_id) == principal.org_id)
        stmt = stmt.where(
            or_(
                col(ReguaranteeAgreement.company_id).in_(own),
                col(ReguaranteeAgreement.reguarantor_id).in_(own),
            )
        )
    return list((await session.exec(stmt)).all())


async def reguarantee_figures(
    session: AsyncSession, company_ids: Sequence[UUID]
) -> dict[UUID, tuple[Decimal, Decimal]]:
    """Per company: the liability it ceded to re-guarantors, and the liability it took over as one."""
    out = {cid: (Decimal(0), Decimal(0)) for cid in company_ids}
    if not company_ids:
        return out
    issued = col(Guarantee.status) == "issued"
    ceded_rows = await session.execute(
        sa_select(col(Guarantee.company_id), func.sum(Guarantee.ceded_liability))
        .where(col(Guarantee.company_id).in_(list(company_ids)), issued)
        .group_by(col(Guarantee.company_id))
    )
    for cid, amount in ceded_rows.all():
        out[cid] = (Decimal(amount), out[cid][1])
    taken_rows = await session.execute(
        sa_select(col(Guarantee.reguarantor_id), func.sum(Guarantee.ceded_liability))
        .where(col(Guarantee.reguarantor_id).in_(list(company_ids)), issued)
        .group_by(col(Guarantee.reguarantor_id))
    )
    for cid, amount in taken_rows.all():
        out[cid] = (out[cid][0], Decimal(amount))
    return out


async def fund_movements(session: AsyncSession, fund: str) -> tuple[Decimal, Decimal]:
    """A fund's appropriations and payouts so far."""
    rows = await session.execute(
        sa_select(col(FundEntry.kind), func.coalesce(func.sum(FundEntry.amount), 0))
        .where(col(FundEntry.fund) == fund)
        .group_by(col(FundEntry.kind))
    )
    sums = {kind: Decimal(total) for kind, total in rows.all()}
    return sums.get(FundEntryKind.APPROPRIATION, Decimal(0)), sums.get(FundEntryKind.PAYOUT, Decimal(0))


async def fund_entries(
    session: AsyncSession, fund: str, limit: int, offset: int
) -> tuple[list[FundEntry], int]:
    """A fund's ledger, newest first."""
    where = col(FundEntry.fund) == fund
    total = (await session.execute(sa_select(func.count()).select_from(FundEntry).where(where))).scalar_one()
    stmt = (
        select(FundEntry).where(where).order_by(col(FundEntry.recorded_at).desc()).limit(limit).offset(offset)
    )
    return list((await session.exec(stmt)).all()), int(total)


def readable_guarantees(principal: Principal) -> SelectOfScalar[Guarantee]:
    """The guarantees the caller may see, in one place: the office and services all, a bank its own
    loans', a guarantor its companies', an SME its own; any other role none."""
    stmt = select(Guarantee)
    if principal.role in MANAGERS:
        return stmt
    if principal.role == Role.BANK:
        return stmt.where(col(Guarantee.bank_org_id) == principal.org_id)
    if principal.role == Role.GUARANTOR:
        own = select(GuaranteeCompany.id).where(col(GuaranteeCompany.owner_org_id) == principal.org_id)
        return stmt.where(col(Guarantee.company_id).in_(own))
    if principal.role == Role.SME and principal.uscc:
        return stmt.where(col(Guarantee.uscc) == principal.uscc)
    return stmt.where(false())


async def get_readable_guarantee(
    session: AsyncSession, principal: Principal, guarantee_id: UUID
) -> Guarantee | None:
    """One guarantee the caller may see, else None."""
    stmt = readable_guarantees(principal).where(col(Guarantee.id) == guarantee_id)
    return (await session.exec(stmt)).first()


async def list_guarantees(
    session: AsyncSession,
    principal: Principal,
    *,
    company_id: UUID | None = None,
    status: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Guarantee], int]:
    """A page of the guarantees the caller may see, newest first, and their total."""
    stmt = readable_guarantees(principal)
    if company_id is not None:
        stmt = stmt.where(col(Guarantee.company_id) == company_id)
    if status is not None:
        stmt = stmt.where(col(Guarantee.status) == status)
    total = (await session.execute(sa_select(func.count()).select_from(stmt.subquery()))).scalar_one()
    stmt = stmt.order_by(col(Guarantee.created_at).desc()).limit(limit).offset(offset)
    return list((await session.exec(stmt)).all()), int(total)


async def company_ids_of_org(session: AsyncSession, org_id: str) -> list[UUID]:
    """Ids of the companies an organisation manages."""
    stmt = select(GuaranteeCompany.id).where(GuaranteeCompany.owner_org_id == org_id)
    return list((await session.exec(stmt)).all())


# ---- compliance state --------------------------------------------------------------------------


async def compliance_states(session: AsyncSession) -> dict[tuple[str, str], bool]:
    """Last published state per (scope, code)."""
    return {(s.scope, s.code): s.compliant for s in (await session.exec(select(ComplianceState))).all()}


async def set_compliance(session: AsyncSession, scope: str, code: str, compliant: bool) -> None:
    """Record the published state of one division."""
    stmt = pg_insert(ComplianceState).values(scope=scope, code=code, compliant=compliant, updated_at=utcnow())
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope", "code"],
            set_={"compliant": stmt.excluded.compliant, "updated_at": stmt.excluded.updated_at},
        )
    )


async def get_known_offer(session: AsyncSession, offer_id: UUID) -> KnownOffer | None:
    """The offer as loan-matching's events described it, or None if none arrived yet."""
    return await session.get(KnownOffer, offer_id)


async def upsert_known_offer(session: AsyncSession, offer: KnownOffer) -> None:
    """Record an offer; `accepted` is never downgraded by a late `made`."""
    values = offer.model_dump()
    stmt = pg_insert(KnownOffer).values(**values)
    update: dict[str, Any] = {k: stmt.excluded[k] for k in values if k != "offer_id"}
    accepted = OfferStatus.ACCEPTED.value
    update["status"] = case((col(KnownOffer.status) == accepted, accepted), else_=stmt.excluded.status)
    # Only offer.accepted carries the borrower's size class: a late offer.made must not erase it.
    update["size_class"] = func.coalesce(stmt.excluded.size_class, col(KnownOffer.size_class))
    await session.execute(stmt.on_conflict_do_update(index_elements=["offer_id"], set_=update))
