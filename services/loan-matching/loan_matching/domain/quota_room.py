"""Quota room (专门信贷指标): what is left of each product's quota, and of its bank's, this period."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import BankQuota, Product
from smefin.db import utcnow


@dataclass(frozen=True)
class BankRoom:
    """A bank's dedicated SME credit quota (专门信贷指标) this period and what is left of it."""

    quota: BankQuota
    period_start: datetime
    used_count: int
    used_amount: Decimal

    @property
    def left_count(self) -> int | None:
        """Offers it may still commit to this period (None: no count quota)."""
        return None if self.quota.quota_count is None else self.quota.quota_count - self.used_count

    @property
    def left_amount(self) -> Decimal | None:
        """Yuan it may still commit to this period (None: no amount quota)."""
        return None if self.quota.quota_amount is None else self.quota.quota_amount - self.used_amount

    def refusal(self, amount: Decimal) -> str | None:
        """Why one more offer of `amount` would exceed the quota, or None if it fits."""
        q, period = self.quota, f"the {self.quota.period} from {self.period_start.date()}"
        if self.left_count is not None and self.left_count < 1:
            return f"the bank's dedicated SME credit quota of {q.quota_count} offers for {period} is used up"
        if self.left_amount is not None and amount > self.left_amount:
            return (
                f"an offer of {amount} exceeds what is left of the bank's dedicated SME credit quota for "
                f"{period}: {self.left_amount} of {q.quota_amount}"
            )
        return None


async def bank_rooms(session: AsyncSession, banks: list[str] | None = None) -> dict[str, BankRoom]:
    """Every listed bank's quota room (banks without a quota are absent)."""
    now = utcnow()
    quotas = await repo.bank_quotas(session, banks)
    starts = {b: period_start(q.period, now) for b, q in quotas.items()}
    used = await repo.bank_usage(session, starts)
    return {b: BankRoom(q, starts[b], *used[b]) for b, q in quotas.items()}


def period_start(period: str, now: datetime) -> datetime:
    """Start of the quota period containing `now`."""
    if period == "year":
        return datetime(now.year, 1, 1, tzinfo=UTC)
    if period == "quarter":
        return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def product_dict(p: Product) -> dict[str, Any]:
    """A product's columns as a dict."""
    return {c: getattr(p, c) for c in Product.model_fields}


async def product_rows(session: AsyncSession, products: list[Product]) -> list[dict[str, Any]]:
    """Products with their quota room this period (theirs and their bank's) and best guarantee capacity."""
    now = utcnow()
    used = await repo.quota_used(session, {p.id: period_start(p.quota_period, now) for p in products})
    caps = await repo.capacities(session)
    banks = await bank_rooms(session, sorted({p.bank_org_id for p in products}))
    rows = []
    for p in products:
        d = product_dict(p)
        n, a = used.get(p.id, (0, Decimal(0)))
        d["quota_left_count"] = None if p.quota_count is None else p.quota_count - n
        d["quota_left_amount"] = None if p.quota_amount is None else p.quota_amount - a
        room = banks.get(p.bank_org_id)
        d["bank_quota_left_count"] = None if room is None else room.left_count
        d["bank_quota_left_amount"] = None if room is None else room.left_amount
        accepted = [caps[c] for c in (p.accepted_guarantee_company_ids or caps.keys()) if c in caps]
        # In loan terms, like the requested amount it is compared with (smefin.policy.loan_room).
        d["guarantee_capacity"] = max(accepted, default=None)
        rows.append(d)
    return rows
