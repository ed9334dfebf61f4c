"""Risk-compensation funds (风险补偿资金) as ledgers: appropriations in, payouts on claims, never below zero.

Two schemes: start-up micro guaranteed loans (创业小额担保贷款, 2011) and small and micro loans a
financing guarantee company guarantees (融资性担保小微企业贷款风险补偿, 2013). Each fund opens with the
policy figure; the office adds appropriations; a payout takes the fund's share of what the guarantor paid,
capped at the balance, under the fund's own advisory lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import FundEntry, Guarantee
from guarantee_registry.domain.rules import (
    MANAGERS,
    ZERO,
    CompensationFund,
    FundEntryKind,
    Policy,
    compensation,
    fund_terms,
)
from smefin.auth import Principal


@dataclass(frozen=True)
class FundBalance:
    """Where a fund stands."""

    fund: CompensationFund
    opening: Decimal
    appropriated: Decimal
    paid_out: Decimal
    ratio: Decimal

    @property
    def balance(self) -> Decimal:
        """What is left to pay (never negative: payouts are capped at it)."""
        return self.opening + self.appropriated - self.paid_out


async def balance_of(session: AsyncSession, policy: Policy, fund: CompensationFund) -> FundBalance:
    """The fund's opening figure, appropriations and payouts so far."""
    opening, ratio = fund_terms(fund, policy)
    appropriated, paid_out = await repo.fund_movements(session, fund.value)
    return FundBalance(fund, opening, appropriated, paid_out, ratio)


async def balances(*, session: AsyncSession, policy: Policy, principal: Principal) -> list[FundBalance]:
    """Every fund's balance (the office and services)."""
    principal.require(*MANAGERS)
    return [await balance_of(session, policy, f) for f in CompensationFund]


async def appropriate(
    *,
    session: AsyncSession,
    policy: Policy,
    principal: Principal,
    fund: CompensationFund,
    amount: Decimal,
    year: int,
    note: str | None,
) -> FundBalance:
    """The office adds budget to a fund (a year's appropriation)."""
    principal.require(*MANAGERS)
    await repo.advisory_lock(session, repo.fund_lock(fund))
    session.add(
        FundEntry(
            fund=fund.value,
            kind=FundEntryKind.APPROPRIATION.value,
            amount=amount,
            year=year,
            note=note,
            recorded_by=principal.subject,
        )
    )
    await session.flush()
    return await balance_of(session, policy, fund)


async def pay_out(
    *, session: AsyncSession, policy: Policy, fund: CompensationFund, guarantee: Guarantee, paid: Decimal
) -> Decimal:
    """The fund's share of a guarantor's payment on a claim, within the balance; recorded on the ledger."""
    await repo.advisory_lock(session, repo.fund_lock(fund))
    state = await balance_of(session, policy, fund)
    amount = compensation(paid, state.balance, state.ratio)
    if amount > ZERO:
        session.add(
            FundEntry(
                fund=fund.value,
                kind=FundEntryKind.PAYOUT.value,
                amount=amount,
                guarantee_id=guarantee.id,
                note=f"claim on offer {guarantee.offer_id}",
                recorded_by="event:loan.defaulted",
            )
        )
        await session.flush()
    return amount
