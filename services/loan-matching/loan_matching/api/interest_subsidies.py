"""Interest subsidies (贴息): the SME applies on a loan, the office decides; each programme's yearly fund."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep, SettingsDep
from loan_matching.api.schemas import (
    SubsidyAppropriation,
    SubsidyCreate,
    SubsidyDecision,
    SubsidyFundEntryRead,
    SubsidyFundRead,
    SubsidyRead,
)
from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import InterestSubsidy
from loan_matching.domain import subsidies
from loan_matching.domain.statuses import SubsidyProgramme, SubsidyStatus
from loan_matching.domain.subsidies import FundBalance
from smefin.auth import Role
from smefin.schemas import Limit, Offset

router = APIRouter(prefix="/api/v1/interest-subsidies", tags=["interest subsidies"])
Year = Annotated[int | None, Query(ge=2000, le=2100, description="the fund year; this year when omitted")]


def _fund(b: FundBalance) -> SubsidyFundRead:
    return SubsidyFundRead(
        programme=b.programme,
        year=b.year,
        opening=b.opening,
        appropriated=b.appropriated,
        paid_out=b.paid_out,
        balance=b.balance,
    )


@router.post("", status_code=201, response_model=SubsidyRead, summary="Apply for an interest subsidy")
async def apply(
    body: SubsidyCreate, session: SessionDep, settings: SettingsDep, who: PrincipalDep
) -> InterestSubsidy:
    """On one of my running loans; the amount is computed from its rate and period."""
    return await subsidies.apply(
        session=session,
        terms=settings.subsidy_terms(),
        principal=who,
        loan_id=body.loan_id,
        programme=body.programme,
    )


@router.get("", response_model=list[SubsidyRead], summary="Interest-subsidy applications")
async def list_subsidies(
    session: SessionDep,
    who: PrincipalDep,
    status: SubsidyStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[InterestSubsidy]:
    """My enterprise's (SME), on my bank's loans (bank), or every one (office)."""
    who.require(Role.SME, Role.BANK, Role.OFFICE)
    return await access.page(session, InterestSubsidy, who, limit=limit, offset=offset, status=status)


@router.get("/funds", response_model=list[SubsidyFundRead], summary="Each programme's fund for a year")
async def funds(
    session: SessionDep, settings: SettingsDep, who: PrincipalDep, year: Year = None
) -> list[SubsidyFundRead]:
    """Opening figure, appropriations, payouts and what is left (the office)."""
    who.require(Role.OFFICE)
    at = year or date.today().year
    return [
        _fund(await subsidies.balance_of(session, settings.subsidy_terms(), p, at)) for p in SubsidyProgramme
    ]


@router.post(
    "/funds/{programme}/appropriations",
    status_code=201,
    response_model=SubsidyFundRead,
    summary="Add budget to a programme's fund",
)
async def appropriate(
    programme: SubsidyProgramme,
    body: SubsidyAppropriation,
    session: SessionDep,
    settings: SettingsDep,
    who: PrincipalDep,
) -> SubsidyFundRead:
    """The office adds an appropriation for a year; the fund's new balance comes back."""
    state = await subsidies.appropriate(
        session=session,
        terms=settings.subsidy_terms(),
        principal=who,
        programme=programme,
        year=body.year,
        amount=body.amount,
        note=body.note,
    )
    return _fund(state)


@router.get(
    "/funds/{programme}/entries", response_model=list[SubsidyFundEntryRead], summary="A fund's ledger"
)
async def entries(
    programme: SubsidyProgramme, session: SessionDep, who: PrincipalDep, year: Year = None
) -> list[SubsidyFundEntryRead]:
    """Appropriations and payouts of one programme-year, newest first (the office)."""
    who.require(Role.OFFICE)
    rows = await repo.subsidy_fund_entries(session, programme.value, year or date.today().year)
    return [SubsidyFundEntryRead.model_validate(r) for r in rows]


@router.get("/{subsidy_id}", response_model=SubsidyRead, summary="One application")
async def get(subsidy_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> InterestSubsidy:
    """One application: its SME, the lending bank, or the office."""
    return await access.get_readable(session, InterestSubsidy, who, subsidy_id)


@router.post("/{subsidy_id}/decision", response_model=SubsidyRead, summary="Approve (pay) or reject")
async def decide(
    subsidy_id: uuid.UUID,
    body: SubsidyDecision,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    who: PrincipalDep,
) -> InterestSubsidy:
    """The office: approval pays from this year's fund (409 when the fund cannot cover it)."""
    return await subsidies.decide(
        session=session,
        outbox=outbox,
        terms=settings.subsidy_terms(),
        principal=who,
        subsidy_id=subsidy_id,
        approve=body.approve,
        reason=body.reason,
    )
