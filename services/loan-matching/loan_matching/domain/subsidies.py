"""Interest subsidies (贴息): an SME applies on a loan, the office approves, the subsidy is computed from
the loan's rate and period and paid from the programme's fund for the year — a ledger that never goes
below zero (an approval the fund cannot cover is refused, never paid in part).

Figures from the 2011 policy: the regional technology-progress subsidy fund is 100 million yuan a year, of
which 20 million go to industrial-park infrastructure, so 80 million are for loan interest; the start-up
micro guaranteed loan programme subsidises the whole interest. Both are settings (`LOAN_MATCHING_*`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import InterestSubsidy, Loan, Product, SubsidyFundEntry
from loan_matching.domain.statuses import FundEntryKind, LoanStatus, SubsidyProgramme, SubsidyStatus
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, Unprocessable
from smefin.outbox import Outbox
from smefin.policy import CENT

STARTUP_KIND = "startup_micro_guaranteed"


@dataclass(frozen=True)
class SubsidyTerms:
    """The programmes' figures: yearly fund, share of the interest paid, longest period subsidised."""

    tech_fund_per_year: Decimal = Decimal("80000000")
    tech_share: Decimal = Decimal("0.5")
    tech_max_months: int = 12
    startup_fund_per_year: Decimal = Decimal("20000000")
    startup_max_months: int = 24

    def of(self, programme: SubsidyProgramme) -> tuple[Decimal, Decimal, int]:
        """(fund per year, share of interest, max months) of one programme."""
        if programme is SubsidyProgramme.TECH_PROGRESS:
            return self.tech_fund_per_year, self.tech_share, self.tech_max_months
        return self.startup_fund_per_year, Decimal("1"), self.startup_max_months


SUBSIDY_TERMS = SubsidyTerms()


def subsidy_amount(principal: Decimal, rate: Decimal, months: int, share: Decimal) -> Decimal:
    """Interest on `principal` at `rate` percent a year for `months`, times the share subsidised."""
    return (principal * rate / 100 * months / 12 * share).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FundBalance:
    """A programme's fund for one year."""

    programme: SubsidyProgramme
    year: int
    opening: Decimal
    appropriated: Decimal
    paid_out: Decimal

    @property
    def balance(self) -> Decimal:
        """What is left this year."""
        return self.opening + self.appropriated - self.paid_out


async def balance_of(
    session: AsyncSession, terms: SubsidyTerms, programme: SubsidyProgramme, year: int
) -> FundBalance:
    """The fund's opening figure for the year, appropriations and payouts."""
    sums = await repo.subsidy_fund_movements(session, programme.value, year)
    return FundBalance(
        programme,
        year,
        terms.of(programme)[0],
        sums.get(FundEntryKind.APPROPRIATION, Decimal(0)),
        sums.get(FundEntryKind.PAYOUT, Decimal(0)),
    )


async def apply(
    *,
    session: AsyncSession,
    terms: SubsidyTerms,
    principal: Principal,
    loan_id: uuid.UUID,
    programme: SubsidyProgramme,
) -> InterestSubsidy:
    """The SME applies for a subsidy on one of its running loans; the amount is computed now."""
    principal.require(Role.SME)
    loan = await access.get_readable(session, Loan, principal, loan_id)
    if loan.status != LoanStatus.DISBURSED:
        raise Conflict(f"loan is {loan.status}; only a running loan can receive an interest subsidy")
    if programme is SubsidyProgramme.STARTUP:
        product = await session.get(Product, loan.product_id)
        if product is None or product.kind != STARTUP_KIND:
            message = (
                "only start-up micro guaranteed loans (创业小额担保贷款) qualify for the start-up subsidy"
            )
            raise Unprocessable(f"programme: {message}", details=[{"field": "programme", "message": message}])
    taken = await session.exec(
        access.readable(InterestSubsidy, principal).where(
            col(InterestSubsidy.loan_id) == loan.id, col(InterestSubsidy.programme) == programme.value
        )
    )
    if taken.first() is not None:
        raise Conflict(f"this loan already has a {programme.value} subsidy application")
    _, share, max_months = terms.of(programme)
    months = min(loan.term_months + loan.extension_months, max_months)
    subsidy = InterestSubsidy(
        loan_id=loan.id,
        programme=programme.value,
        uscc=loan.uscc,
        bank_org_id=loan.bank_org_id,
        principal=loan.amount,
        loan_rate=loan.rate,
        months=months,
        amount=subsidy_amount(loan.amount, loan.rate, months, share),
    )
    session.add(subsidy)
    await session.flush()
    return subsidy


async def decide(
    *,
    session: AsyncSession,
    outbox: Outbox,
    terms: SubsidyTerms,
    principal: Principal,
    subsidy_id: uuid.UUID,
    approve: bool,
    reason: str | None,
) -> InterestSubsidy:
    """The office approves (paid from this year's fund, or refused if the fund cannot cover it) or rejects."""
    principal.require(*access.MANAGERS)
    subsidy = await access.get_readable(session, InterestSubsidy, principal, subsidy_id, lock=True)
    if subsidy.status != SubsidyStatus.APPLIED:
        raise Conflict(f"the application is already {subsidy.status}")
    now = utcnow()
    subsidy.decided_by, subsidy.decided_at, subsidy.reason = principal.subject, now, reason
    if not approve:
        subsidy.status = SubsidyStatus.REJECTED
        session.add(subsidy)
        await session.flush()
        return subsidy
    programme = SubsidyProgramme(subsidy.programme)
    await repo.lock_subsidy_fund(session, list(SubsidyProgramme).index(programme), now.year)
    fund = await balance_of(session, terms, programme, now.year)
    if subsidy.amount > fund.balance:
        raise Conflict(
            f"the {programme.value} fund has {fund.balance} yuan left for {now.year}; "
            f"this subsidy needs {subsidy.amount}: add an appropriation first"
        )
    subsidy.status, subsidy.fund_year = SubsidyStatus.PAID, now.year
    session.add(subsidy)
    session.add(
        SubsidyFundEntry(
            programme=programme.value,
            year=now.year,
            kind=FundEntryKind.PAYOUT,
            amount=subsidy.amount,
            subsidy_id=subsidy.id,
            recorded_by=principal.subject,
        )
    )
    await session.flush()
    await outbox.add(
        session,
        ev.InterestSubsidyPaid(
            subsidy_id=subsidy.id,
            loan_id=subsidy.loan_id,
            uscc=subsidy.uscc,
            bank_org_id=subsidy.bank_org_id,
            programme=programme.value,
            amount=subsidy.amount,
            year=now.year,
        ),
        subject=str(subsidy.loan_id),
    )
    return subsidy


async def appropriate(
    *,
    session: AsyncSession,
    terms: SubsidyTerms,
    principal: Principal,
    programme: SubsidyProgramme,
    year: int,
    amount: Decimal,
    note: str | None,
) -> FundBalance:
    """The office adds budget to a programme's fund for a year."""
    principal.require(Role.OFFICE)
    session.add(
        SubsidyFundEntry(
            programme=programme.value,
            year=year,
            kind=FundEntryKind.APPROPRIATION,
            amount=amount,
            note=note,
            recorded_by=principal.subject,
        )
    )
    await session.flush()
    return await balance_of(session, terms, programme, year)
