"""Loan products (贷款产品): banks create, edit (versioned), publish and withdraw; quota room per period."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db.tables import Product
from loan_matching.domain.quota_room import period_start, product_dict, product_rows
from loan_matching.domain.rematching import lapse_product_matches, product_facts
from loan_matching.domain.statuses import ProductStatus
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound
from smefin.outbox import Outbox


def sees_quotas(p: Product | Mapping[str, Any], who: Principal) -> bool:
    """Quota room is the bank's own business and the office's (a product, or its row's columns)."""
    bank = p["bank_org_id"] if isinstance(p, Mapping) else p.bank_org_id
    return who.role == Role.OFFICE or (who.role == Role.BANK and bank == who.org_id)


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
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    product_id: uuid.UUID,
    changes: dict[str, Any],
) -> Product:
    """Change terms as a new version; matches keep the version they were made on, and the open
    requests are matched again on the new terms (`product.updated`)."""
    p = await _own(session, principal, product_id)
    if p.status == ProductStatus.WITHDRAWN:
        raise Conflict("a withdrawn product cannot be edited")
    for k, v in _jsonable(changes).items():
        setattr(p, k, v)
    if p.min_amount > p.max_amount or p.min_term_months > p.max_term_months:
        raise Conflict("the edit leaves an empty amount or term range")
    p.version += 1
    p.updated_at = utcnow()
    if p.status == ProductStatus.PUBLISHED:
        await outbox.add(session, ev.ProductUpdated(**product_facts(p)), subject=str(p.id))
    return p


async def set_status(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    product_id: uuid.UUID,
    status: ProductStatus,
    settings: Settings,
) -> Product:
    """Publish (open requests are matched again with it) or withdraw it (its open proposals lapse with
    a reason; offers already made stand)."""
    p = await _own(session, principal, product_id)
    if p.status == status:
        raise Conflict(f"product is already {status}")
    p.status, p.updated_at = status, utcnow()
    if status == ProductStatus.PUBLISHED:
        await outbox.add(session, ev.ProductPublished(**product_facts(p)), subject=str(p.id))
    else:
        lapsed = await lapse_product_matches(session=session, outbox=outbox, product=p, settings=settings)
        await outbox.add(
            session, ev.ProductWithdrawn(**product_facts(p), lapsed_matches=lapsed), subject=str(p.id)
        )
    return p


__all__ = ["create", "edit", "period_start", "product_dict", "product_rows", "sees_quotas", "set_status"]
