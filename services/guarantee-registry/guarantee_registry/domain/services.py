"""Service functions of guarantee-registry: each runs inside the caller's unit of work (no commits)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import CapitalInjection, CompanyVersion, Guarantee, GuaranteeCompany
from guarantee_registry.domain.rules import (
    ZERO,
    CapitalSource,
    CoverageReport,
    DivisionFigure,
    GuaranteeStatus,
    Obligation,
    Policy,
    Refusal,
    capacity_of,
    check_capacity,
    coverage,
    liability_of,
    money,
    risk_compensation,
)
from smefin.auth import Principal
from smefin.contracts.guarantees import (
    CapacityChanged,
    CapitalInjected,
    CoverageChanged,
    GuaranteeClaimed,
    GuaranteeCompanyRegistered,
    GuaranteeIssued,
    GuaranteeRefused,
    GuaranteeReleased,
)
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import UnknownDivision, county, league, league_of

AUDITED_FIELDS = (
    "uscc",
    "name",
    "league_code",
    "county_code",
    "zone_code",
    "licence_number",
    "registered_capital",
    "paid_in_capital",
    "net_assets",
    "ownership",
    "serves_small_micro_agri",
    "approval_required",
    "owner_org_id",
)
COVERAGE_FIELDS = {"league_code", "county_code", "zone_code", "registered_capital", "name"}
CAPACITY_FIELDS = {"net_assets", "serves_small_micro_agri"}


@dataclass(frozen=True)
class Actor:
    """Who made a change: a verified principal or an event the service applied."""

    subject: str
    role: str
    org_id: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor behind an API call."""
        return cls(principal.subject, principal.role.value, principal.org_id)

    @classmethod
    def event(cls, event_type: str) -> Actor:
        """The service itself, applying a consumed event."""
        return cls(f"event:{event_type}", "service", "guarantee-registry")


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | UUID) else value


def _snapshot(c: GuaranteeCompany) -> dict[str, Any]:
    return {f: _jsonable(getattr(c, f)) for f in (*AUDITED_FIELDS, "outstanding", "version")}


async def record_change(
    session: AsyncSession, c: GuaranteeCompany, action: str, changes: dict[str, Any], actor: Actor
) -> None:
    """Add a version to the company's audit trail."""
    session.add(
        CompanyVersion(
            company_id=c.id,
            version=c.version,
            action=action,
            changes=changes,
            snapshot=_snapshot(c),
            changed_by=actor.subject,
            changed_role=actor.role,
            changed_org=actor.org_id,
        )
    )
    await session.flush()


def bump_version(c: GuaranteeCompany) -> None:
    """A new audited version of the company."""
    c.version += 1
    c.updated_at = utcnow()


def check_divisions(league_code: str, county_code: str | None) -> None:
    """Raise 422 unless the league exists and the county lies in it."""
    try:
        league(league_code)
        if county_code is not None and county(county_code).league_code != league_code:
            raise Unprocessable(f"county {county_code} is not in league {league_code}")
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None


def _check_capital(c: GuaranteeCompany) -> None:
    if c.paid_in_capital > c.registered_capital:
        raise Unprocessable(
            f"paid-in capital {c.paid_in_capital} exceeds registered capital {c.registered_capital}"
        )


async def publish_capacity(
    session: AsyncSession, outbox: Outbox, policy: Policy, c: GuaranteeCompany
) -> None:
    """Tell loan-matching what the company can still guarantee."""
    cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
    await outbox.add(
        session,
        CapacityChanged(
            company_id=c.id,
            net_assets=c.net_assets,
            outstanding=c.outstanding,
            capacity_limit=cap.limit,
            remaining=cap.remaining,
            single_client_limit=cap.single_client_limit,
            league_code=c.league_code,
            leverage_multiple=cap.multiple,
        ),
        subject=str(c.id),
    )


# ---- companies ---------------------------------------------------------------------------------


async def register_company(
    session: AsyncSession, outbox: Outbox, policy: Policy, data: dict[str, Any], actor: Actor
) -> GuaranteeCompany:
    """Register a guarantee company; the first version of its audit trail."""
    if data.get("league_code") is None:
        data["league_code"] = league_of(data["uscc"][2:8]).code
        if data.get("county_code") is None and data["uscc"][2:8] != data["league_code"]:
            try:
                data["county_code"] = county(data["uscc"][2:8]).code
            except UnknownDivision:
                pass
    check_divisions(data["league_code"], data.get("county_code"))
    if await repo.company_by_uscc(session, data["uscc"]) is not None:
        raise Conflict(f"a guarantee company with USCC {data['uscc']} is already registered")
    c = GuaranteeCompany(**data)
    _check_capital(c)
    session.add(c)
    await session.flush()
    await record_change(
        session,
        c,
        "registered",
        {f: {"from": None, "to": _jsonable(getattr(c, f))} for f in AUDITED_FIELDS},
        actor,
    )
    await outbox.add(
        session,
        GuaranteeCompanyRegistered(
            company_id=c.id,
            uscc=c.uscc,
            name=c.name,
            league_code=c.league_code,
            registered_capital=c.registered_capital,
            paid_in_capital=c.paid_in_capital,
            net_assets=c.net_assets,
        ),
        subject=str(c.id),
    )
    await publish_capacity(session, outbox, policy, c)
    await refresh_coverage(session, outbox, policy)
    return c


async def update_company(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    company_id: UUID,
    changes: dict[str, Any],
    actor: Actor,
    authorize: Callable[[GuaranteeCompany], None],
) -> GuaranteeCompany:
    """Apply changes as a new audited version (the row is locked while it changes)."""
    c = await repo.get_company(session, company_id, for_update=True)
    if c is None:
        raise NotFound(f"guarantee company {company_id} not found")
    authorize(c)
    diff = {
        k: {"from": _jsonable(getattr(c, k)), "to": _jsonable(v)}
        for k, v in changes.items()
        if getattr(c, k) != v
    }
    if not diff:
        return c
    for k in diff:
        setattr(c, k, changes[k])
    check_divisions(c.league_code, c.county_code)
    _check_capital(c)
    bump_version(c)
    await record_change(session, c, "updated", diff, actor)
    if diff.keys() & CAPACITY_FIELDS:
        await publish_capacity(session, outbox, policy, c)
    if diff.keys() & COVERAGE_FIELDS:
        await refresh_coverage(session, outbox, policy)
    return c


# ---- capital injections ------------------------------------------------------------------------


async def inject_capital(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    *,
    company_id: UUID,
    amount: Decimal,
    injected_on: date,
    source: CapitalSource,
    county_code: str | None,
    note: str | None,
    actor: Actor,
    authorize: Callable[[GuaranteeCompany], None],
) -> CapitalInjection:
    """Record an injection; it raises registered and paid-in capital and net assets (增资)."""
    c = await repo.get_company(session, company_id, for_update=True)
    if c is None:
        raise NotFound(f"guarantee company {company_id} not found")
    authorize(c)
    if source is CapitalSource.COUNTY_MATCHING_FUND:
        county_code = county_code or c.county_code
        if county_code is None:
            raise Unprocessable(
                "a county matching fund injection needs county_code (the company has no county)"
            )
    if county_code is not None:
        try:
            league_code = county(county_code).league_code
        except UnknownDivision as exc:
            raise Unprocessable(str(exc)) from None
    else:
        league_code = c.league_code
    if source is CapitalSource.REGIONAL_SPECIAL_FUND:
        await repo.advisory_lock(session, repo.LOCK_REGIONAL_FUND)
        used = await repo.regional_fund_used(session)
        if used + amount > policy.regional_fund_total:
            raise Conflict(
                f"the regional special fund has {policy.regional_fund_total - used} yuan left "
                f"of {policy.regional_fund_total}; {amount} asked"
            )
    inj = CapitalInjection(
        company_id=c.id,
        amount=amount,
        injected_on=injected_on,
        source=source.value,
        league_code=league_code,
        county_code=county_code,
        note=note,
        recorded_by=actor.subject,
    )
    session.add(inj)
    before = {f: getattr(c, f) for f in ("registered_capital", "paid_in_capital", "net_assets")}
    c.registered_capital += amount
    c.paid_in_capital += amount
    c.net_assets += amount
    bump_version(c)
    await session.flush()
    diff = {f: {"from": str(v), "to": str(getattr(c, f))} for f, v in before.items()}
    diff["injection"] = {"id": str(inj.id), "amount": str(amount), "source": source.value}
    await record_change(session, c, "capital_injected", diff, actor)
    await outbox.add(
        session,
        CapitalInjected(company_id=c.id, amount=amount, source=source.value, injected_on=injected_on),
        subject=str(c.id),
    )
    await publish_capacity(session, outbox, policy, c)
    await refresh_coverage(session, outbox, policy)
    return inj


# ---- coverage ----------------------------------------------------------------------------------


async def build_report(session: AsyncSession, policy: Policy, year: int | None = None) -> CoverageReport:
    """Coverage from the companies and the office's figures (each division's latest, or `year`'s)."""
    companies = await repo.all_companies(session)
    counties = [
        DivisionFigure(r.county_code, county(r.county_code).name, r.league_code, r.year, r.fiscal_revenue)
        for r in await repo.county_revenues(session, year)
    ]
    zones = [
        DivisionFigure(z.code, z.name, z.league_code, s.year, s.annual_sales)
        for z, s in await repo.zones_with_sales(session, year)
    ]
    return coverage(companies, counties, zones, policy)


async def refresh_coverage(session: AsyncSession, outbox: Outbox, policy: Policy) -> list[Obligation]:
    """Recompute coverage and publish `coverage.changed` for each division whose compliance flipped."""
    await repo.advisory_lock(session, repo.LOCK_COVERAGE)
    report = await build_report(session, policy)
    states = await repo.compliance_states(session)
    flipped: list[Obligation] = []
    for o in report.all():
        # A league starts out of compliance; a county or zone without an obligation is compliant.
        previous = states.get((o.scope, o.code), o.scope != "league")
        if previous == o.compliant:
            continue
        flipped.append(o)
        await repo.set_compliance(session, o.scope, o.code, o.compliant)
        await outbox.add(
            session,
            CoverageChanged(
                scope=o.scope,
                code=o.code,
                name=o.name,
                league_code=o.league_code,
                compliant=o.compliant,
                previous_compliant=previous,
                shortfall=o.shortfall,
                counting_company_ids=o.counting_company_ids,
            ),
            subject=f"{o.scope}:{o.code}",
        )
    return flipped


# ---- guarantees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuaranteeRequest:
    """A guarantee asked for an offer, naming the guarantors in order of preference."""

    offer_id: UUID
    uscc: str
    bank_org_id: str
    amount: Decimal
    company_ids: Sequence[str]
    request_id: UUID | None = None
    guarantor_share: Decimal | None = None
    startup_micro_loan: bool | None = None
    origin: str = "event"
    # Set when the named company itself approves a guarantee its rules held for approval.
    approved_by: UUID | None = None


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


async def request_guarantee(
    session: AsyncSession, outbox: Outbox, policy: Policy, req: GuaranteeRequest
) -> Guarantee:
    """Issue the guarantee with the first named company that has capacity, or record the refusal."""
    g = await repo.guarantee_by_offer(session, req.offer_id, for_update=True)
    reopen = GuaranteeStatus.REFUSED, GuaranteeStatus.PENDING_APPROVAL if req.approved_by else None
    if g is not None and g.status not in reopen:
        return g  # issued, waiting for approval, or settled: a repeated request changes nothing
    share = req.guarantor_share if req.guarantor_share is not None else policy.default_guarantor_share
    liability = liability_of(req.amount, share)
    micro = (
        req.startup_micro_loan
        if req.startup_micro_loan is not None
        else req.amount <= policy.startup_micro_loan_max
    )
    if g is None:
        g = Guarantee(
            offer_id=req.offer_id,
            uscc=req.uscc,
            bank_org_id=req.bank_org_id,
            amount=req.amount,
            guarantor_share=share,
            status=GuaranteeStatus.REFUSED.value,
            origin=req.origin,
        )
    g.request_id, g.amount, g.guarantor_share, g.startup_micro_loan = req.request_id, req.amount, share, micro
    g.updated_at = utcnow()
    ids = list(dict.fromkeys(i for i in map(_uuid, req.company_ids) if i is not None))
    locked = await repo.lock_companies(session, ids)
    refusals: list[Refusal] = []
    if not req.company_ids:
        refusals.append(Refusal("no_guarantor_named", "the offer names no guarantee company"))
    elif not locked:
        refusals.append(Refusal("company_not_found", "none of the named guarantee companies is registered"))
    for cid in ids:
        c = locked.get(cid)
        if c is None:
            continue
        cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
        refusal = check_capacity(cap, await repo.client_exposure(session, c.id, req.uscc), liability)
        g.company_id = c.id
        if refusal is not None:
            refusals.append(refusal)
            continue
        if c.approval_required and req.approved_by != c.id:
            # Held, not issued: the company's own yes comes first (its capacity is checked again then).
            g.status, g.liability, g.reason_code = GuaranteeStatus.PENDING_APPROVAL.value, ZERO, None
            g.reason = f"waiting for {c.name} to approve the guarantee, as its rules require"
            session.add(g)
            await session.flush()
            return g
        g.status, g.liability, g.reason_code, g.reason = GuaranteeStatus.ISSUED.value, liability, None, None
        c.outstanding = money(c.outstanding + liability)
        session.add(g)
        await session.flush()
        await outbox.add(
            session,
            GuaranteeIssued(
                guarantee_id=g.id,
                company_id=c.id,
                offer_id=g.offer_id,
                uscc=g.uscc,
                amount=g.amount,
                guarantor_share=share,
                bank_share=100 - share,
            ),
            subject=str(g.id),
        )
        await publish_capacity(session, outbox, policy, c)
        return g
    return await refuse(
        session, outbox, g, code=refusals[-1].code, reason="; ".join(r.reason for r in refusals)
    )


async def refuse(session: AsyncSession, outbox: Outbox, g: Guarantee, *, code: str, reason: str) -> Guarantee:
    """Record the refusal and tell loan-matching why (guarantee.refused)."""
    g.status, g.liability, g.reason_code, g.reason = GuaranteeStatus.REFUSED.value, ZERO, code, reason[:4000]
    g.updated_at = utcnow()
    session.add(g)
    await session.flush()
    await outbox.add(
        session,
        GuaranteeRefused(
            company_id=g.company_id,
            offer_id=g.offer_id,
            uscc=g.uscc,
            reason=g.reason,
            reason_code=g.reason_code,
        ),
        subject=str(g.id),
    )
    return g


async def _settle(session: AsyncSession, offer_id: UUID) -> tuple[Guarantee, GuaranteeCompany] | None:
    g = await repo.guarantee_by_offer(session, offer_id, for_update=True)
    if g is None or g.status != GuaranteeStatus.ISSUED or g.company_id is None:
        return None  # not guaranteed here, refused, or already settled: nothing to do
    c = await repo.get_company(session, g.company_id, for_update=True)
    assert c is not None  # foreign key
    c.outstanding = max(money(c.outstanding - g.liability), ZERO)
    return g, c


async def release_guarantee(
    session: AsyncSession, outbox: Outbox, policy: Policy, offer_id: UUID, loan_id: UUID | None
) -> Guarantee | None:
    """The loan was repaid: release the guarantor's liability."""
    settled = await _settle(session, offer_id)
    if settled is None:
        return None
    g, c = settled
    g.status, g.loan_id, g.updated_at = GuaranteeStatus.RELEASED.value, loan_id, utcnow()
    await session.flush()
    await outbox.add(
        session,
        GuaranteeReleased(
            guarantee_id=g.id, company_id=c.id, offer_id=g.offer_id, uscc=g.uscc, amount=g.amount
        ),
        subject=str(g.id),
    )
    await publish_capacity(session, outbox, policy, c)
    return g


async def claim_guarantee(
    session: AsyncSession,
    outbox: Outbox,
    policy: Policy,
    offer_id: UUID,
    loan_id: UUID | None,
    principal: Decimal,
) -> Guarantee | None:
    """The loan defaulted: the guarantor pays its share of the outstanding principal (代偿); for start-up
    micro loans the risk-compensation fund reimburses part, and the rest reduces net assets."""
    settled = await _settle(session, offer_id)
    if settled is None:
        return None
    g, c = settled
    paid = liability_of(min(principal, g.amount), g.guarantor_share)
    comp = ZERO
    if g.startup_micro_loan:
        await repo.advisory_lock(session, repo.LOCK_RISK_FUND)
        comp = risk_compensation(paid, await repo.risk_compensation_used(session), policy)
    g.status, g.loan_id, g.updated_at = GuaranteeStatus.CLAIMED.value, loan_id, utcnow()
    g.claim_principal, g.guarantor_paid, g.risk_compensation = principal, paid, comp
    before = c.net_assets
    c.net_assets = money(c.net_assets - paid + comp)
    bump_version(c)
    await session.flush()
    await record_change(
        session,
        c,
        "guarantee_claimed",
        {
            "net_assets": {"from": str(before), "to": str(c.net_assets)},
            "claim": {"guarantee_id": str(g.id), "paid": str(paid), "risk_compensation": str(comp)},
        },
        Actor.event("loan.defaulted"),
    )
    await outbox.add(
        session,
        GuaranteeClaimed(
            guarantee_id=g.id,
            company_id=c.id,
            offer_id=g.offer_id,
            uscc=g.uscc,
            amount=g.amount,
            risk_compensation=comp,
            guarantor_paid=paid,
            startup_micro_loan=g.startup_micro_loan,
        ),
        subject=str(g.id),
    )
    await publish_capacity(session, outbox, policy, c)
    return g
