"""Capital injections (增资): they raise registered and paid-in capital and net assets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import CapitalInjection, GuaranteeCompany
from guarantee_registry.domain.companies import Actor, bump_version, publish_capacity, record_change
from guarantee_registry.domain.coverage import refresh_coverage
from guarantee_registry.domain.rules import CapitalSource, Policy
from smefin.contracts.guarantees import CapitalInjected
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import UnknownDivision, county


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
