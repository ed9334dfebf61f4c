"""Credit lines (授信): a bank grants, the SME draws without a new match, the bank reports repayments."""

import uuid

from fastapi import APIRouter, Query

from loan_matching.api.deps import OutboxDep, PrincipalDep, SessionDep
from loan_matching.api.schemas import (
    CreditLineCreate,
    CreditLineRead,
    DrawCreate,
    DrawRead,
    LineReview,
    RepaymentCreate,
)
from loan_matching.db import access
from loan_matching.db.tables import CreditLine, CreditLineDraw
from loan_matching.domain import credit_lines
from smefin.db import utcnow
from smefin.schemas import Limit, Offset, UtcDateTime

router = APIRouter(prefix="/api/v1/credit-lines", tags=["credit-lines"])


@router.post("", status_code=201, response_model=CreditLineRead, summary="Grant an SME a credit line")
async def grant(
    body: CreditLineCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> CreditLine:
    """A bank grants a limit for a term with its rate rule (base rate, grade and operating-signal spreads)."""
    return await credit_lines.grant(session=session, outbox=outbox, principal=who, terms=body.terms())


@router.get("", response_model=list[CreditLineRead], summary="Credit lines")
async def list_lines(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[CreditLine]:
    """An SME sees its lines, a bank those it granted, the office all."""
    return await access.page(session, CreditLine, who, limit=limit, offset=offset, status=status)


@router.post("/expire-due", summary="Expire lines past their term")
async def expire_due(
    session: SessionDep, outbox: OutboxDep, who: PrincipalDep, as_of: UtcDateTime | None = None
) -> dict[str, int]:
    """Operator job (also run periodically)."""
    who.require(*access.MANAGERS)
    return {"expired": await credit_lines.expire_due(session=session, outbox=outbox, as_of=as_of or utcnow())}


@router.get("/{line_id}", response_model=CreditLineRead)
async def get(line_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> CreditLine:
    """One line (its SME, its bank, the office)."""
    return await access.get_readable(session, CreditLine, who, line_id)


@router.post("/{line_id}/draws", status_code=201, response_model=DrawRead, summary="Draw on my line")
async def draw(
    line_id: uuid.UUID, body: DrawCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> CreditLineDraw:
    """The SME draws without a new match; an overdraw, or a line not active, is refused (409)."""
    return await credit_lines.draw(
        session=session, outbox=outbox, principal=who, line_id=line_id, amount=body.amount
    )


@router.get("/{line_id}/draws", response_model=list[DrawRead], summary="A line's draws")
async def draws(
    line_id: uuid.UUID, session: SessionDep, who: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> list[CreditLineDraw]:
    """Each draw with its rate and what is outstanding."""
    return await credit_lines.draws_of(
        session=session, principal=who, line_id=line_id, limit=limit, offset=offset
    )


@router.post("/{line_id}/repayments", response_model=DrawRead, summary="Report a repayment on a draw")
async def repay(
    line_id: uuid.UUID, body: RepaymentCreate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> CreditLineDraw:
    """The bank reports what the SME repaid; the line's room grows by as much."""
    return await credit_lines.repay(
        session=session,
        outbox=outbox,
        principal=who,
        line_id=line_id,
        draw_id=body.draw_id,
        amount=body.amount,
    )


@router.post(
    "/{line_id}/review", response_model=CreditLineRead, summary="Confirm or close a line under review"
)
async def review(
    line_id: uuid.UUID, body: LineReview, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> CreditLine:
    """After a rating change: confirm (active again) or close it (no new draws)."""
    return await credit_lines.review(
        session=session,
        outbox=outbox,
        principal=who,
        line_id=line_id,
        confirm=body.confirm,
        reason=body.reason,
    )
