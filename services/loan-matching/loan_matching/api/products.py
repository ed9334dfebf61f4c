"""Loan products: banks create, edit (versioned), publish and withdraw them."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import PrincipalDep, SessionDep
from loan_matching.api.schemas import ProductCreate, ProductRead, ProductUpdate
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Product
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound

router = APIRouter(prefix="/api/v1/products", tags=["products"])


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Spreads go into a JSON column: keep them exact as strings."""
    if data.get("grade_spreads") is not None:
        data["grade_spreads"] = {k: str(v) for k, v in data["grade_spreads"].items()}
    return data


async def owned(session: SessionDep, product_id: uuid.UUID, who: Principal) -> Product:
    """The bank's own product (404 for anyone else's)."""
    p = await session.get(Product, product_id)
    if (
        p is None
        or (who.role == Role.BANK and p.bank_org_id != who.org_id)
        or who.role not in (Role.BANK, Role.OFFICE)
    ):
        raise NotFound("no such product")
    return p


@router.post("", status_code=201, response_model=ProductRead, summary="Create a loan product (draft)")
async def create(body: ProductCreate, session: SessionDep, who: PrincipalDep) -> Product:
    """A bank adds a product; it is matched only once published."""
    who.require(Role.BANK)
    p = Product(bank_org_id=who.org_id, **_jsonable(body.model_dump(mode="python")))
    session.add(p)
    await session.flush()
    return p


@router.get("", response_model=list[ProductRead], summary="List products")
async def list_products(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[Product]:
    """A bank sees its own products; everyone else sees published ones."""
    if who.role == Role.BANK:
        return await repo.by_filter(session, Product, limit, offset, bank_org_id=who.org_id, status=status)
    return await repo.by_filter(session, Product, limit, offset, status="published")


@router.get("/{product_id}", response_model=ProductRead)
async def get(product_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Product:
    """One product (published ones are public; drafts only to their bank)."""
    p = await session.get(Product, product_id)
    if p is None or (p.status != "published" and p.bank_org_id != who.org_id and who.role != Role.OFFICE):
        raise NotFound("no such product")
    return p


@router.patch("/{product_id}", response_model=ProductRead, summary="Edit a product (new version)")
async def update(
    product_id: uuid.UUID, body: ProductUpdate, session: SessionDep, who: PrincipalDep
) -> Product:
    """Change terms; matches keep the version they were made on."""
    who.require(Role.BANK)
    p = await owned(session, product_id, who)
    if p.status == "withdrawn":
        raise Conflict("a withdrawn product cannot be edited")
    for k, v in _jsonable(body.model_dump(exclude_unset=True, mode="python")).items():
        setattr(p, k, v)
    if p.min_amount > p.max_amount or p.min_term_months > p.max_term_months:
        raise Conflict("the edit leaves an empty amount or term range")
    p.version += 1
    p.updated_at = utcnow()
    return p


async def _set_status(product_id: uuid.UUID, session: SessionDep, who: Principal, new: str) -> Product:
    who.require(Role.BANK)
    p = await owned(session, product_id, who)
    if p.status == new:
        raise Conflict(f"product is already {new}")
    p.status, p.updated_at = new, utcnow()
    return p


@router.post("/{product_id}/publish", response_model=ProductRead, summary="Publish: the product is matched")
async def publish(product_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Product:
    """Make the product live."""
    return await _set_status(product_id, session, who, "published")


@router.post("/{product_id}/withdraw", response_model=ProductRead, summary="Withdraw from matching")
async def withdraw(product_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> Product:
    """Stop matching the product (existing offers stand)."""
    return await _set_status(product_id, session, who, "withdrawn")
