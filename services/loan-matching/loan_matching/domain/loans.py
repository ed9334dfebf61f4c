"""Loans: the bank disburses an accepted offer and records repayment or default; repayment extensions
(适当放宽还贷时间) asked by the SME and decided by the bank."""

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db.tables import FinancingRequest, Loan, Offer
from loan_matching.domain.statuses import ExtensionStatus, LoanStatus, OfferStatus, RequestStatus
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict
from smefin.outbox import Outbox


def _facts(loan: Loan) -> dict[str, object]:
    return {"loan_id": loan.id, "offer_id": loan.offer_id, "uscc": loan.uscc, "bank_org_id": loan.bank_org_id}


async def disburse(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, offer_id: uuid.UUID
) -> Loan:
    """The bank pays out its accepted offer; a guaranteed offer must have its guarantee issued first."""
    principal.require(Role.BANK)
    o = await access.get_readable(session, Offer, principal, offer_id, lock=True)
    if o.status == OfferStatus.PENDING_GUARANTEE:
        raise Conflict("the guarantee has not been issued yet; the loan cannot be disbursed")
    if o.status != OfferStatus.ACCEPTED:
        raise Conflict(f"offer is {o.status}; only an accepted offer can be disbursed")
    loan = Loan(
        offer_id=o.id,
        product_id=o.product_id,
        uscc=o.uscc,
        bank_org_id=o.bank_org_id,
        amount=o.amount,
        rate=o.rate,
        term_months=o.term_months,
        outstanding=o.amount,
    )
    session.add(loan)
    o.status = OfferStatus.DISBURSED
    r = await session.get(FinancingRequest, o.request_id)
    assert r is not None  # a foreign key
    r.status = RequestStatus.DISBURSED
    await session.flush()
    await outbox.add(
        session,
        ev.LoanDisbursed(**_facts(loan), amount=loan.amount, rate=loan.rate, term_months=loan.term_months),  # type: ignore[arg-type]
        subject=str(loan.id),
    )
    return loan


async def _banks_running_loan(session: AsyncSession, principal: Principal, loan_id: uuid.UUID) -> Loan:
    principal.require(Role.BANK)
    loan = await access.get_readable(session, Loan, principal, loan_id, lock=True)
    if loan.status != LoanStatus.DISBURSED:
        raise Conflict(f"loan is {loan.status}")
    return loan


async def repaid(*, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: uuid.UUID) -> Loan:
    """The bank records full repayment."""
    loan = await _banks_running_loan(session, principal, loan_id)
    loan.status, loan.closed_at, loan.outstanding = LoanStatus.REPAID, utcnow(), Decimal("0.00")
    await outbox.add(session, ev.LoanRepaid(**_facts(loan), amount=loan.amount), subject=str(loan.id))  # type: ignore[arg-type]
    return loan


async def defaulted(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, loan_id: uuid.UUID, outstanding: Decimal
) -> Loan:
    """The bank records a default with the principal still outstanding."""
    loan = await _banks_running_loan(session, principal, loan_id)
    if outstanding > loan.amount:
        raise Conflict("outstanding principal cannot exceed the loan amount")
    loan.status, loan.closed_at, loan.outstanding = LoanStatus.DEFAULTED, utcnow(), outstanding
    await outbox.add(
        session,
        ev.LoanDefaulted(**_facts(loan), amount=loan.outstanding),  # type: ignore[arg-type]
        subject=str(loan.id),
    )
    return loan


async def request_extension(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    loan_id: uuid.UUID,
    extra_months: int,
    reason: str,
) -> Loan:
    """An SME in good standing (loan running, no extension asked before) asks for more time."""
    principal.require(Role.SME)
    loan = await access.get_readable(session, Loan, principal, loan_id, lock=True)
    if loan.status != LoanStatus.DISBURSED:
        raise Conflict(f"loan is {loan.status}; only a running loan can be extended")
    if loan.extension_status != ExtensionStatus.NONE:
        raise Conflict(f"an extension was already {loan.extension_status}")
    loan.extension_status = ExtensionStatus.REQUESTED
    loan.extension_months, loan.extension_reason = extra_months, reason
    await outbox.add(
        session,
        ev.LoanExtensionRequested(
            loan_id=loan.id,
            uscc=loan.uscc,
            bank_org_id=loan.bank_org_id,
            extra_months=extra_months,
            reason=reason,
        ),
        subject=str(loan.id),
    )
    return loan


async def decide_extension(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    loan_id: uuid.UUID,
    grant: bool,
    reason: str | None,
) -> Loan:
    """The bank answers the SME's extension request; a grant lengthens the term."""
    principal.require(Role.BANK)
    loan = await access.get_readable(session, Loan, principal, loan_id, lock=True)
    if loan.extension_status != ExtensionStatus.REQUESTED:
        raise Conflict("there is no pending extension request")
    loan.extension_status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    if grant:
        loan.term_months += loan.extension_months
    await outbox.add(
        session,
        ev.LoanExtensionDecided(
            loan_id=loan.id,
            uscc=loan.uscc,
            bank_org_id=loan.bank_org_id,
            granted=grant,
            extra_months=loan.extension_months,
            reason=reason,
        ),
        subject=str(loan.id),
    )
    return loan
