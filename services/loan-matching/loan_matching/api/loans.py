"""Loans: disbursed, repaid or defaulted by the bank; repayment extensions (适当放宽还贷时间)."""

import uuid

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import DefaultBody, ExtensionDecision, ExtensionRequest, LoanCreate, LoanRead
from loan_matching.db import repositories as repo
from loan_matching.db.tables import FinancingRequest, Loan, Offer
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound
from smefin.outbox import Outbox
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])


async def visible(
    session: SessionDep, loan_id: uuid.UUID, who: Principal, *, bank_only: bool = False
) -> Loan:
    """The caller's loan (its bank's, or its enterprise's unless `bank_only`)."""
    loan = await session.get(Loan, loan_id)
    ok = loan is not None and (
        (who.role == Role.BANK and loan.bank_org_id == who.org_id)
        or (not bank_only and who.role == Role.SME and loan.uscc == who.uscc)
        or (not bank_only and who.role == Role.OFFICE)
    )
    if not ok or loan is None:
        raise NotFound("no such loan")
    return loan


def _facts(loan: Loan) -> dict[str, object]:
    return {"loan_id": loan.id, "offer_id": loan.offer_id, "uscc": loan.uscc, "bank_org_id": loan.bank_org_id}


@router.post("", status_code=201, response_model=LoanRead, summary="Disburse an accepted offer")
async def disburse(body: LoanCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Loan:
    """The bank pays out; a guaranteed offer must have its guarantee issued first."""
    who.require(Role.BANK)
    o = await session.get(Offer, body.offer_id, with_for_update=True)
    if o is None or o.bank_org_id != who.org_id:
        raise NotFound("no such offer")
    if o.status == "pending_guarantee":
        raise Conflict("the guarantee has not been issued yet; the loan cannot be disbursed")
    if o.status != "accepted":
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
    o.status = "disbursed"
    r = await session.get(FinancingRequest, o.request_id)
    assert r is not None
    r.status = "disbursed"
    await session.flush()
    await outbox.add(
        session,
        ev.LoanDisbursed(**_facts(loan), amount=loan.amount, rate=loan.rate, term_months=loan.term_months),  # type: ignore[arg-type]
        subject=str(loan.id),
    )
    return loan


@router.get("", response_model=list[LoanRead])
async def list_loans(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Loan]:
    """My enterprise's loans (SME) or my bank's."""
    who.require(Role.SME, Role.BANK, Role.OFFICE)
    uscc = (who.uscc or "-") if who.role == Role.SME else None
    bank = who.org_id if who.role == Role.BANK else None
    return await repo.by_filter(
        session, Loan, limit, offset, uscc=uscc, bank_org_id=bank, status=status, order="disbursed_at"
    )


@router.get("/{loan_id}", response_model=LoanRead)
async def get(loan_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Loan:
    """One loan."""
    return await visible(session, loan_id, who)


async def _close(session: SessionDep, outbox: Outbox, loan: Loan, status: str) -> None:
    if loan.status != "disbursed":
        raise Conflict(f"loan is {loan.status}")
    loan.status, loan.closed_at = status, utcnow()
    if status == "repaid":
        loan.outstanding = loan.outstanding * 0
        await outbox.add(session, ev.LoanRepaid(**_facts(loan), amount=loan.amount), subject=str(loan.id))  # type: ignore[arg-type]
    else:
        await outbox.add(
            session, ev.LoanDefaulted(**_facts(loan), amount=loan.outstanding), subject=str(loan.id)
        )  # type: ignore[arg-type]


@router.post("/{loan_id}/repaid", response_model=LoanRead, summary="Record full repayment")
async def repaid(loan_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Loan:
    """The bank records that the loan was repaid."""
    loan = await visible(session, loan_id, who, bank_only=True)
    await _close(session, outbox, loan, "repaid")
    return loan


@router.post("/{loan_id}/defaulted", response_model=LoanRead, summary="Record a default")
async def defaulted(
    loan_id: uuid.UUID, body: DefaultBody, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """The bank records a default with the outstanding principal."""
    loan = await visible(session, loan_id, who, bank_only=True)
    if body.outstanding > loan.amount:
        raise Conflict("outstanding principal cannot exceed the loan amount")
    loan.outstanding = body.outstanding
    await _close(session, outbox, loan, "defaulted")
    return loan


@router.post("/{loan_id}/extension-request", response_model=LoanRead, summary="Ask for more time to repay")
async def request_extension(
    loan_id: uuid.UUID, body: ExtensionRequest, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """An SME in good standing (loan running, no extension asked before) asks (适当放宽还贷时间)."""
    who.require(Role.SME)
    loan = await visible(session, loan_id, who)
    if loan.status != "disbursed":
        raise Conflict(f"loan is {loan.status}; only a running loan can be extended")
    if loan.extension_status != "none":
        raise Conflict(f"an extension was already {loan.extension_status}")
    loan.extension_status, loan.extension_months, loan.extension_reason = (
        "requested",
        body.extra_months,
        body.reason,
    )
    await outbox.add(
        session,
        ev.LoanExtensionRequested(
            loan_id=loan.id,
            uscc=loan.uscc,
            bank_org_id=loan.bank_org_id,
            extra_months=body.extra_months,
            reason=body.reason,
        ),
        subject=str(loan.id),
    )
    return loan


@router.post("/{loan_id}/extension-decision", response_model=LoanRead, summary="Grant or refuse an extension")
async def decide_extension(
    loan_id: uuid.UUID, body: ExtensionDecision, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """The bank answers the SME's extension request."""
    loan = await visible(session, loan_id, who, bank_only=True)
    if loan.extension_status != "requested":
        raise Conflict("there is no pending extension request")
    loan.extension_status = "granted" if body.grant else "refused"
    if body.grant:
        loan.term_months += loan.extension_months
    await outbox.add(
        session,
        ev.LoanExtensionDecided(
            loan_id=loan.id,
            uscc=loan.uscc,
            bank_org_id=loan.bank_org_id,
            granted=body.grant,
            extra_months=loan.extension_months,
            reason=body.reason,
        ),
        subject=str(loan.id),
    )
    return loan
