"""Which events credit-info consumes, and what it does with each: loans and guarantees become records."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import messaging
from credit_info.domain.ratings import recompute_rating
from credit_info.domain.records import CreditSource, GuaranteePayload, LoanPayload, dedupe_key
from credit_info.settings import Settings
from smefin.consumer import Handler, PermanentError
from smefin.contracts.envelope import Envelope, Topic
from smefin.contracts.financing import CreditLineDrawn, CreditLineRepaid, LoanEvent
from smefin.contracts.guarantees import GuaranteeFacts
from smefin.db import utcnow
from smefin.outbox import Outbox
from smefin.reference import InvalidUscc, parse_uscc

OUTBOX = Outbox(messaging.outbox, source="credit-info")
LOAN_STATUS = {"loan.disbursed": "disbursed", "loan.repaid": "repaid", "loan.defaulted": "defaulted"}
GUARANTEE_STATUS = {
    "guarantee.issued": "issued",
    "guarantee.released": "released",
    "guarantee.claimed": "claimed",
    # A correction: the guarantee was issued in error; the report shows both, the rating ignores it.
    "guarantee.cancelled": "cancelled",
}


async def _store(
    session: AsyncSession, envelope: Envelope, uscc: str, source: CreditSource, payload: Any, ref: str
) -> None:
    try:
        code = parse_uscc(uscc).code
    except InvalidUscc as exc:
        raise PermanentError(f"{envelope.type} names an invalid USCC: {exc}") from None
    occurred_on = envelope.occurred_at.date()
    inserted = await repo.insert_record_if_new(
        session,
        {
            "uscc": code,
            "source": source,
            "occurred_on": occurred_on,
            "negative": payload.is_negative(),
            "payload": payload.model_dump(mode="json", exclude_none=True),
            "ref": ref,
            "dedupe_key": dedupe_key(code, source, occurred_on, ref, payload),
            "provider": envelope.source,
            "batch_id": None,
            "created_at": utcnow(),
        },
    )
    if inserted is not None:
        await recompute_rating(session, OUTBOX, code)


async def on_loan(session: AsyncSession, envelope: Envelope, payload: LoanEvent) -> None:
    """A loan disbursed, repaid or defaulted becomes a loan record."""
    record = LoanPayload(
        loan_id=str(payload.loan_id),
        bank_org_id=payload.bank_org_id,
        amount=payload.amount,
        status=LOAN_STATUS[envelope.type],  # type: ignore[arg-type]
    )
    await _store(
        session, envelope, payload.uscc, CreditSource.LOAN, record, f"{envelope.type}:{payload.loan_id}"
    )


async def on_guarantee(session: AsyncSession, envelope: Envelope, payload: GuaranteeFacts) -> None:
    """A guarantee issued, released or claimed becomes a guarantee record."""
    record = GuaranteePayload(
        guarantee_id=str(payload.guarantee_id),
        company_id=str(payload.company_id),
        amount=payload.amount,
        status=GUARANTEE_STATUS[envelope.type],  # type: ignore[arg-type]
    )
    await _store(
        session,
        envelope,
        payload.uscc,
        CreditSource.GUARANTEE,
        record,
        f"{envelope.type}:{payload.guarantee_id}",
    )


async def on_credit_line(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """A draw on a credit line is a loan record; each repayment on it one more (repaid once nothing is left)."""
    if isinstance(payload, CreditLineDrawn):
        record = LoanPayload(
            loan_id=str(payload.draw_id),
            bank_org_id=payload.bank_org_id,
            amount=payload.amount,
            status="disbursed",
            credit_line_id=str(payload.line_id),
            outstanding=payload.amount,
        )
        ref = f"credit_line.drawn:{payload.draw_id}"
    else:
        assert isinstance(payload, CreditLineRepaid)
        record = LoanPayload(
            loan_id=str(payload.draw_id),
            bank_org_id=payload.bank_org_id,
            amount=payload.draw_amount,
            status="repaid" if payload.draw_outstanding == 0 else "repayment",
            credit_line_id=str(payload.line_id),
            repaid=payload.amount,
            outstanding=payload.draw_outstanding,
        )
        ref = f"credit_line.repaid:{envelope.event_id}"  # every repayment is its own record
    await _store(session, envelope, payload.uscc, CreditSource.LOAN, record, ref)


CONSUMED_TOPICS: list[str] = [Topic.FINANCING, Topic.GUARANTEES]


def make_handlers(settings: Settings) -> dict[str, Handler]:
    """Handlers for the consumed events (they need no settings today; wired like every service's)."""
    del settings
    return {
        **{t: on_loan for t in LOAN_STATUS},
        **{t: on_guarantee for t in GUARANTEE_STATUS},
        "credit_line.drawn": on_credit_line,
        "credit_line.repaid": on_credit_line,
    }
