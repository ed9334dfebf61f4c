"""Banks' dedicated SME credit quotas (专门信贷指标): a count and an amount per period across all products."""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import BankQuota
from loan_matching.domain.quota_room import BankRoom, bank_rooms
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.outbox import Outbox


async def set_quota(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, terms: dict[str, Any]
) -> BankRoom:
    """A bank sets (or replaces) its own quota; offers and assignment rounds respect it from now on."""
    principal.require(Role.BANK)
    q = await repo.bank_quota_of(session, principal.org_id, lock=True)
    if q is None:
        q = BankQuota(bank_org_id=principal.org_id)
        session.add(q)
    q.period, q.quota_count, q.quota_amount = (
        terms["period"],
        terms.get("quota_count"),
        terms.get("quota_amount"),
    )
    q.updated_at = utcnow()
    await session.flush()
    await outbox.add(
        session,
        ev.BankQuotaSet(
            bank_org_id=q.bank_org_id, period=q.period, quota_count=q.quota_count, quota_amount=q.quota_amount
        ),
        subject=q.bank_org_id,
    )
    return (await bank_rooms(session, [q.bank_org_id]))[q.bank_org_id]


async def list_quotas(
    *, session: AsyncSession, principal: Principal, limit: int, offset: int
) -> list[BankRoom]:
    """A bank its own quota; the office every bank's."""
    principal.require(Role.BANK, Role.OFFICE)
    rows = await access.page(session, BankQuota, principal, limit=limit, offset=offset, order="updated_at")
    rooms = await bank_rooms(session, [q.bank_org_id for q in rows])
    return [rooms[q.bank_org_id] for q in rows]


async def get_quota(*, session: AsyncSession, principal: Principal, quota_id: uuid.UUID) -> BankRoom:
    """One bank's quota and its room this period (its bank and the office)."""
    q = await access.get_readable(session, BankQuota, principal, quota_id)
    return (await bank_rooms(session, [q.bank_org_id]))[q.bank_org_id]
