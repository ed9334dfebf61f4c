"""Loans: disbursed, repaid or defaulted by the bank; repayment extensions (适当放宽还贷时间)."""

import uuid

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import DefaultBody, ExtensionDecision, ExtensionRequest, LoanCreate, LoanRead
from loan_matching.db import access
from loan_matching.db.tables import Loan
from loan_matching.domain import loans
from smefin.auth import Role
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])


@router.post("", status_code=201, response_model=LoanRead, summary="Disburse an accepted offer")
async def disburse(body: LoanCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Loan:
    """The bank pays out; a guaranteed offer must have its guarantee issued first."""
    return await loans.disburse(session=session, outbox=outbox, principal=who, offer_id=body.offer_id)


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
    return await access.page(
        session, Loan, who, limit=limit, offset=offset, order="disbursed_at", status=status
    )


@router.get("/{loan_id}", response_model=LoanRead)
async def get(loan_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Loan:
    """One loan."""
    return await access.get_readable(session, Loan, who, loan_id)


@router.post("/{loan_id}/repaid", response_model=LoanRead, summary="Record full repayment")
async def repaid(loan_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep) -> Loan:
    """The bank records that the loan was repaid."""
    return await loans.repaid(session=session, outbox=outbox, principal=who, loan_id=loan_id)


@router.post("/{loan_id}/defaulted", response_model=LoanRead, summary="Record a default")
async def defaulted(
    loan_id: uuid.UUID, body: DefaultBody, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """The bank records a default with the outstanding principal."""
    return await loans.defaulted(
        session=session, outbox=outbox, principal=who, loan_id=loan_id, outstanding=body.outstanding
    )


@router.post("/{loan_id}/extension-request", response_model=LoanRead, summary="Ask for more time to repay")
async def request_extension(
    loan_id: uuid.UUID, body: ExtensionRequest, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """An SME in good standing (loan running, no extension asked before) asks (适当放宽还贷时间)."""
    return await loans.request_extension(
        session=session,
        outbox=outbox,
        principal=who,
        loan_id=loan_id,
        extra_months=body.extra_months,
        reason=body.reason,
    )


@router.post("/{loan_id}/extension-decision", response_model=LoanRead, summary="Grant or refuse an extension")
async def decide_extension(
    loan_id: uuid.UUID, body: ExtensionDecision, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Loan:
    """The bank answers the SME's extension request."""
    return await loans.decide_extension(
        session=session, outbox=outbox, principal=who, loan_id=loan_id, grant=body.grant, reason=body.reason
    )
