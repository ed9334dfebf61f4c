"""Who may read which row, in one place: every read of a caller-facing resource goes through here.

Each rule turns a principal into a SQL condition, so a list and a single read can never disagree
and a new route cannot forget the check. Existence is private: a row the caller may not read is
simply not found (404).
"""

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, RowMapping, and_, false, inspect, or_, true
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from loan_matching.db.tables import (
    AssignmentRound,
    BankQuota,
    CreditLine,
    CreditLineDraw,
    FinancingRequest,
    InterestSubsidy,
    LendingReport,
    Loan,
    Match,
    Offer,
    Product,
)
from loan_matching.domain.statuses import MatchStatus, ProductStatus
from smefin.auth import Principal, Role
from smefin.errors import NotFound

T = TypeVar("T", bound=SQLModel)
Rule = Callable[[Principal], ColumnElement[bool]]

MANAGERS = (Role.OFFICE, Role.SERVICE)


def _requests(who: Principal) -> ColumnElement[bool]:
    # Banks see a request only through their matches.
    if who.role in MANAGERS:
        return true()
    if who.role == Role.SME and who.uscc:
        return col(FinancingRequest.uscc) == who.uscc
    return false()


def _matches(who: Principal) -> ColumnElement[bool]:
    # A queued match is the platform's own ranking: no bank has been told of it.
    told = col(Match.status) != MatchStatus.QUEUED
    if who.role in MANAGERS:
        return told
    if who.role == Role.BANK:
        return and_(told, col(Match.bank_org_id) == who.org_id)
    return false()


def _sme_or_bank(model: Any) -> Rule:
    def rule(who: Principal) -> ColumnElement[bool]:
        if who.role in MANAGERS:
            return true()
        if who.role == Role.SME and who.uscc:
            return col(model.uscc) == who.uscc
        if who.role == Role.BANK:
            return col(model.bank_org_id) == who.org_id
        return false()

    return rule


def _products(who: Principal) -> ColumnElement[bool]:
    # Published terms are public (the market); drafts and withdrawn ones only to their bank.
    published = col(Product.status) == ProductStatus.PUBLISHED
    if who.role == Role.OFFICE:
        return true()
    if who.role == Role.BANK:
        return or_(published, col(Product.bank_org_id) == who.org_id)
    return published


def _rounds(who: Principal) -> ColumnElement[bool]:
    return true() if who.role in MANAGERS else false()


def _bank_own(model: Any) -> Rule:
    # The bank's own business and the office's.
    def rule(who: Principal) -> ColumnElement[bool]:
        if who.role == Role.OFFICE:
            return true()
        if who.role == Role.BANK:
            return col(model.bank_org_id) == who.org_id
        return false()

    return rule


# Resource -> (rule, what a refusal calls it). The cross-organisation test iterates this table.
READABLE: dict[type[SQLModel], tuple[Rule, str]] = {
    FinancingRequest: (_requests, "financing request"),
    Match: (_matches, "match"),
    Offer: (_sme_or_bank(Offer), "offer"),
    Loan: (_sme_or_bank(Loan), "loan"),
    Product: (_products, "product"),
    AssignmentRound: (_rounds, "assignment round"),
    InterestSubsidy: (_sme_or_bank(InterestSubsidy), "interest subsidy"),
    LendingReport: (_bank_own(LendingReport), "lending report"),
    BankQuota: (_bank_own(BankQuota), "bank quota"),
    CreditLine: (_sme_or_bank(CreditLine), "credit line"),
    CreditLineDraw: (_sme_or_bank(CreditLineDraw), "draw"),
}
# Rows everyone may read by design (the published market), left out of "another org sees nothing".
PUBLIC: dict[type[SQLModel], ColumnElement[bool]] = {Product: col(Product.status) == ProductStatus.PUBLISHED}


def readable(model: type[T], who: Principal) -> SelectOfScalar[T]:
    """The rows of `model` the caller may read."""
    rule, _ = READABLE[model]
    return select(model).where(rule(who))


async def get_readable(
    session: AsyncSession, model: type[T], who: Principal, row_id: uuid.UUID | int, *, lock: bool = False
) -> T:
    """One row the caller may read (locked for this transaction if `lock`), else NotFound."""
    q = readable(model, who).where(inspect(model).primary_key[0] == row_id)
    if lock:
        q = q.with_for_update()
    row = (await session.exec(q)).first()
    if row is None:
        raise NotFound(f"no such {READABLE[model][1]}")
    return row


async def get_readable_row(
    session: AsyncSession, model: type[T], who: Principal, row_id: uuid.UUID | int
) -> RowMapping:
    """One row the caller may read as a mapping of its columns, else NotFound: the same rule as
    `get_readable` through Core, without building an ORM object (for hot read-only endpoints)."""
    rule, what = READABLE[model]
    table = inspect(model).local_table
    q = select(*table.columns).where(rule(who)).where(inspect(model).primary_key[0] == row_id)
    conn = await session.connection()
    row = (await conn.execute(q)).mappings().first()
    if row is None:
        raise NotFound(f"no such {what}")
    return row


async def page(
    session: AsyncSession,
    model: type[T],
    who: Principal,
    *,
    limit: int,
    offset: int,
    order: str = "created_at",
    **where: Any,
) -> list[T]:
    """A page of readable rows matching simple equality filters (None = no filter), newest first."""
    q = readable(model, who)
    for k, v in where.items():
        if v is not None:
            q = q.where(col(getattr(model, k)) == v)
    q = q.order_by(col(getattr(model, order)).desc()).limit(limit).offset(offset)
    return list(await session.exec(q))
