"""Credit lines (授信): a bank grants an SME a limit for a term with a rate rule; the SME draws on it
without a new match; the bank reports repayments; the line expires, or is reviewed when the rating
changes. Draws and repayments are published, and credit-info records them in the credit file."""

import calendar
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import CreditLine, CreditLineDraw, Enterprise
from loan_matching.domain.scoring import build_products, build_requests, explain_rate, indicative_rate
from loan_matching.domain.statuses import CreditLineStatus, DrawStatus
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox

# Lines a draw or a rating change concerns.
LIVE_LINE = (CreditLineStatus.ACTIVE, CreditLineStatus.UNDER_REVIEW)


def add_months(t: datetime, months: int) -> datetime:
    """`months` calendar months after `t` (the day clipped to the month's last)."""
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


def _facts(line: CreditLine) -> dict[str, Any]:
    return {"line_id": line.id, "uscc": line.uscc, "bank_org_id": line.bank_org_id}


async def _status(
    session: AsyncSession, outbox: Outbox, line: CreditLine, status: CreditLineStatus, reason: str | None
) -> None:
    line.status, line.status_reason, line.updated_at = status, reason, utcnow()
    await outbox.add(
        session,
        ev.CreditLineStatusChanged(**_facts(line), status=status, reason=reason),
        subject=str(line.id),
    )


async def grant(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, terms: dict[str, Any]
) -> CreditLine:
    """A bank grants a line to an SME it knows (a live consent, or an offer the SME took)."""
    principal.require(Role.BANK)
    uscc = terms["uscc"]
    ent = await session.get(Enterprise, uscc)
    if ent is None:
        raise Conflict(f"enterprise {uscc} is not in the SME basic database (no enterprise.registered seen)")
    if not await repo.knows_sme(session, uscc, principal.org_id, utcnow()):
        raise Conflict(
            "a line needs the SME's live consent for your bank, or an offer of yours it accepted; "
            "ask the SME for consent first"
        )
    now = utcnow()
    line = CreditLine(
        bank_org_id=principal.org_id,
        uscc=uscc,
        credit_limit=terms["credit_limit"],
        outstanding=Decimal("0.00"),
        term_months=terms["term_months"],
        expires_at=add_months(now, terms["term_months"]),
        base_rate=terms["base_rate"],
        grade_spreads={k: str(v) for k, v in terms["grade_spreads"].items()},
        signal_spreads=terms["signal_spreads"],
        grade_at_grant=ent.grade,
    )
    session.add(line)
    await session.flush()
    await outbox.add(
        session,
        ev.CreditLineGranted(
            **_facts(line),
            credit_limit=line.credit_limit,
            term_months=line.term_months,
            expires_at=line.expires_at,
            base_rate=line.base_rate,
        ),
        subject=str(line.id),
    )
    return line


async def _line_rate(
    session: AsyncSession, line: CreditLine, amount: Decimal
) -> tuple[Decimal, list[dict[str, str]]]:
    """The line's rate rule on the SME as the platform knows it now (grade and operating signals)."""
    ent = await session.get(Enterprise, line.uscc)
    row: dict[str, Any] = {"amount": amount, "term_months": line.term_months}
    if ent is not None:
        row |= {c: getattr(ent, c) for c in Enterprise.model_fields if c not in ("uscc", "updated_at")}
    rule = {
        "base_rate": line.base_rate,
        "grade_spreads": line.grade_spreads,
        "signal_spreads": line.signal_spreads,
    }
    req, prod = build_requests([row]), build_products([rule])
    return Decimal(f"{indicative_rate(req, prod)[0, 0]:.4f}"), explain_rate(req, 0, prod, 0)


async def draw(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, line_id: uuid.UUID, amount: Decimal
) -> CreditLineDraw:
    """The SME draws on its own active line, within what is left of the limit (else 409)."""
    principal.require(Role.SME)
    line = await access.get_readable(session, CreditLine, principal, line_id, lock=True)
    now = utcnow()
    if line.status == CreditLineStatus.ACTIVE and line.expires_at <= now:
        await _status(
            session, outbox, line, CreditLineStatus.EXPIRED, f"the term ended on {line.expires_at.date()}"
        )
    if line.status != CreditLineStatus.ACTIVE:
        why = f" ({line.status_reason})" if line.status_reason else ""
        raise Conflict(f"the line is {line.status}{why}; only an active line can be drawn on")
    available = line.credit_limit - line.outstanding
    if amount > available:
        raise Conflict(
            f"overdraw refused: {amount} asked, {available} available of the {line.credit_limit} limit "
            f"({line.outstanding} drawn)"
        )
    rate, why_rate = await _line_rate(session, line, amount)
    d = CreditLineDraw(
        line_id=line.id,
        bank_org_id=line.bank_org_id,
        uscc=line.uscc,
        amount=amount,
        rate=rate,
        outstanding=amount,
        rate_explanation=why_rate,
    )
    line.outstanding += amount
    line.updated_at = now
    session.add(d)
    await session.flush()
    await outbox.add(
        session,
        ev.CreditLineDrawn(
            **_facts(line), draw_id=d.id, amount=amount, rate=rate, outstanding=line.outstanding
        ),
        subject=str(line.id),
    )
    return d


async def repay(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    line_id: uuid.UUID,
    draw_id: uuid.UUID,
    amount: Decimal,
) -> CreditLineDraw:
    """The bank reports a repayment on one draw (at most what is outstanding on it)."""
    principal.require(Role.BANK)
    line = await access.get_readable(session, CreditLine, principal, line_id, lock=True)
    d = await session.get(CreditLineDraw, draw_id, with_for_update=True)
    if d is None or d.line_id != line.id:
        raise NotFound("no such draw on this line")
    if amount > d.outstanding:
        raise Unprocessable(f"the repayment {amount} exceeds the {d.outstanding} outstanding on this draw")
    d.outstanding -= amount
    line.outstanding -= amount
    line.updated_at = utcnow()
    if d.outstanding == 0:
        d.status, d.repaid_at = DrawStatus.REPAID, utcnow()
    await outbox.add(
        session,
        ev.CreditLineRepaid(
            **_facts(line),
            draw_id=d.id,
            amount=amount,
            draw_amount=d.amount,
            draw_outstanding=d.outstanding,
            outstanding=line.outstanding,
        ),
        subject=str(line.id),
    )
    return d


async def review(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    line_id: uuid.UUID,
    confirm: bool,
    reason: str | None,
) -> CreditLine:
    """The bank confirms a line under review (active again, at today's grade) or closes it."""
    principal.require(Role.BANK)
    line = await access.get_readable(session, CreditLine, principal, line_id, lock=True)
    if line.status not in LIVE_LINE:
        raise Conflict(f"the line is {line.status}")
    if confirm:
        if line.status != CreditLineStatus.UNDER_REVIEW:
            raise Conflict("the line is not under review; there is nothing to confirm")
        ent = await session.get(Enterprise, line.uscc)
        line.grade_at_grant = ent.grade if ent is not None else line.grade_at_grant
        await _status(session, outbox, line, CreditLineStatus.ACTIVE, reason or "confirmed after review")
    else:
        await _status(session, outbox, line, CreditLineStatus.CLOSED, reason or "closed by the bank")
    return line


async def rating_changed(
    *, session: AsyncSession, outbox: Outbox, uscc: str, grade: str, previous: str | None
) -> int:
    """A new grade flags the SME's active lines granted at another grade for the bank's review."""
    n = 0
    for line in await repo.lines_of(session, uscc, (CreditLineStatus.ACTIVE,)):
        if line.grade_at_grant == grade:
            continue
        was = line.grade_at_grant or previous or "unrated"
        await _status(
            session, outbox, line, CreditLineStatus.UNDER_REVIEW, f"rating changed from {was} to {grade}"
        )
        n += 1
    return n


async def expire_due(*, session: AsyncSession, outbox: Outbox, as_of: datetime) -> int:
    """Expire every live line past its term (outstanding draws are still repaid; no new draws)."""
    due = await repo.due_lines(session, as_of, LIVE_LINE)
    for line in due:
        await _status(
            session, outbox, line, CreditLineStatus.EXPIRED, f"the term ended on {line.expires_at.date()}"
        )
    return len(due)


async def draws_of(
    *, session: AsyncSession, principal: Principal, line_id: uuid.UUID, limit: int, offset: int
) -> list[CreditLineDraw]:
    """A line's draws (its SME, its bank, the office)."""
    line = await access.get_readable(session, CreditLine, principal, line_id)
    return await access.page(session, CreditLineDraw, principal, limit=limit, offset=offset, line_id=line.id)
