"""Quotas: each product's SME lending quota and what is left of it this period."""

from typing import Any

from fastapi import APIRouter

from loan_matching.api.deps import PrincipalDep, SessionDep
from loan_matching.db import repositories as repo
from loan_matching.domain.products import period_start, product_rows
from smefin.auth import Role
from smefin.db import utcnow

router = APIRouter(prefix="/api/v1/quotas", tags=["quotas"])


@router.get("", summary="Quota room per live product this period")
async def quotas(session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """A bank sees its own products; the office sees all."""
    who.require(Role.BANK, Role.OFFICE)
    products = [
        p for p in await repo.live_products(session) if who.role == Role.OFFICE or p.bank_org_id == who.org_id
    ]
    now = utcnow()
    return [
        {
            "product_id": d["id"],
            "bank_org_id": d["bank_org_id"],
            "name": d["name"],
            "period": d["quota_period"],
            "period_start": period_start(d["quota_period"], now),
            "quota_count": d["quota_count"],
            "quota_amount": d["quota_amount"],
            "left_count": d["quota_left_count"],
            "left_amount": d["quota_left_amount"],
        }
        for d in await product_rows(session, products)
    ]
