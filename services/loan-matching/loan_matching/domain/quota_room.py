"""Quota room (专门信贷指标): what is left of each product's quota, and of its bank's, this period."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import Product
from smefin.db import utcnow


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
    """Products with their quota room this period and best guarantee capacity."""
    now = utcnow()
    used = await repo.quota_used(session, {p.id: period_start(p.quota_period, now) for p in products})
    caps = await repo.capacities(session)
    rows = []
    for p in products:
        d = product_dict(p)
        n, a = used.get(p.id, (0, Decimal(0)))
        d["quota_left_count"] = None if p.quota_count is None else p.quota_count - n
        d["quota_left_amount"] = None if p.quota_amount is None else p.quota_amount - a
        accepted = [caps[c] for c in (p.accepted_guarantee_company_ids or caps.keys()) if c in caps]
        d["guarantee_capacity"] = max((min(r, s) for r, s in accepted), default=None)
        rows.append(d)
    return rows
