"""Loan products (贷款产品): banks create, edit (versioned), publish and withdraw; quota room per period."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Product
from loan_matching.domain.statuses import ProductStatus
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound


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
        # In loan terms, like the requested amount it is compared with (smefin.policy.loan_room).
        d["guarantee_capacity"] = max(accepted, default=None)
        rows.append(d)
    return rows


def sees_quotas(p: Product, who: Principal) -> bool:
    """Quota room is the bank's own business and the office's."""
    return who.role == Role.OFFICE or (who.role == Role.BANK and p.bank_org_id == who.org_id)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Spreads go into a JSON column: keep them exact as strings."""
    if data.get("grade_spreads") is not None:
        data["grade_spreads"] = {k: str(v) for k, v in data["grade_spreads"].items()}
    return data


async def create(*, session: AsyncSession, principal: Principal, terms: dict[str, Any]) -> Product:
    """A bank adds a product as a draft; it is matched only once published."""
    principal.require(Role.BANK)
    p = Product(bank_org_id=principal.org_id, **_jsonable(terms))
    session.add(p)
    await session.flush()
    return p


async def _own(session: AsyncSession, principal: Principal, product_id: uuid.UUID) -> Product:
    principal.require(Role.BANK)
    p = await access.get_readable(session, Product, principal, product_id, lock=True)
    if p.bank_org_id != principal.org_id:
        raise NotFound("no such product")  # another bank's published product: not the caller's to manage
    return p


async def edit(
    *, session: AsyncSession, principal: Principal, product_id: uuid.UUID, changes: dict[str, Any]
) -> Product:
    """Change terms as a new version; matches keep the version they were made on."""
    p = await _own(session, principal, product_id)
    if p.status == ProductStatus.WITHDRAWN:
        raise Conflict("a withdrawn product cannot be edited")
    for k, v in _jsonable(changes).items():
        setattr(p, k, v)
    if p.min_amount > p.max_amount or p.min_term_months > p.max_term_months:
        raise Conflict("the edit leaves an empty amount or term range")
    p.version += 1
    p.updated_at = utcnow()
    return p


async def set_status(
    *, session: AsyncSession, principal: Principal, product_id: uuid.UUID, status: ProductStatus
) -> Product:
    """Publish (the product is matched) or withdraw it (existing offers stand)."""
    p = await _own(session, principal, product_id)
    if p.status == status:
        raise Conflict(f"product is already {status}")
    p.status, p.updated_at = status, utcnow()
    return p
