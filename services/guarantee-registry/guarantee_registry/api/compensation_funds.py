"""Risk-compensation funds (风险补偿资金): balances, the office's appropriations, and each fund's ledger."""

from __future__ import annotations

from fastapi import APIRouter, status

from guarantee_registry.api.deps import Limit, Offset, PolicyDep, PrincipalDep, SessionDep
from guarantee_registry.api.schemas import AppropriationCreate, FundEntryPage, FundEntryRead, FundRead
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import compensation_funds
from guarantee_registry.domain.compensation_funds import FundBalance
from guarantee_registry.domain.rules import MANAGERS, CompensationFund

router = APIRouter(prefix="/api/v1/compensation-funds", tags=["compensation funds"])


def _read(b: FundBalance) -> FundRead:
    return FundRead(
        fund=b.fund,
        opening=b.opening,
        appropriated=b.appropriated,
        paid_out=b.paid_out,
        balance=b.balance,
        ratio=b.ratio,
    )


@router.get("", summary="Every fund's balance")
async def list_funds(session: SessionDep, policy: PolicyDep, principal: PrincipalDep) -> list[FundRead]:
    """Opening figure, appropriations, payouts and what is left, per fund (the office)."""
    return [
        _read(b)
        for b in await compensation_funds.balances(session=session, policy=policy, principal=principal)
    ]


@router.post("/{fund}/appropriations", status_code=status.HTTP_201_CREATED, summary="Add budget to a fund")
async def appropriate(
    fund: CompensationFund,
    body: AppropriationCreate,
    session: SessionDep,
    policy: PolicyDep,
    principal: PrincipalDep,
) -> FundRead:
    """The office adds a year's appropriation; the fund's new balance comes back."""
    state = await compensation_funds.appropriate(
        session=session,
        policy=policy,
        principal=principal,
        fund=fund,
        amount=body.amount,
        year=body.year,
        note=body.note,
    )
    return _read(state)


@router.get("/{fund}/entries", summary="A fund's ledger")
async def entries(
    fund: CompensationFund,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FundEntryPage:
    """Appropriations and payouts, newest first (the office)."""
    principal.require(*MANAGERS)
    rows, total = await repo.fund_entries(session, fund.value, limit, offset)
    return FundEntryPage(
        items=[FundEntryRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
