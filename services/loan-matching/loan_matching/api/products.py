"""Loan products: banks create, edit (versioned), publish and withdraw them."""

import uuid
from typing import Any

from fastapi import APIRouter, Query

from loan_matching.api.deps import PrincipalDep, SessionDep
from loan_matching.api.schemas import ProductCreate, ProductPublic, ProductRead, ProductUpdate
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Product
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound
from smefin.schemas import Limit, Offset

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


def _sees_quotas(p: Product, who: Principal) -> bool:
    return who.role == Role.OFFICE or (who.role == Role.BANK and p.bank_org_id == who.org_id)


def view(p: Product, who: Principal) -> ProductRead | ProductPublic:
    """What of a product the caller sees: terms for everyone, quota room for its bank and the office."""
    return ProductRead.model_validate(p) if _sees_quotas(p, who) else ProductPublic.model_validate(p)


@router.get("", summary="List products")
async def list_products(
    session: SessionDep,
    who: PrincipalDep,
    status: str | None = Query(default=None, max_length=20),
    market: bool = Query(
        default=False, description="a bank: every bank's published products (terms only) instead of its own"
    ),
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ProductRead | ProductPublic]:
    """A bank sees its own products (or, with `market=true`, the published market); everyone else the
    published ones. Quotas only to their bank and the office, exactly as one product's read."""
    if who.role == Role.BANK and not market:
        rows = await repo.by_filter(session, Product, limit, offset, bank_org_id=who.org_id, status=status)
    elif who.role == Role.OFFICE:
        rows = await repo.by_filter(session, Product, limit, offset, status=status)
    else:
        rows = await repo.by_filter(session, Product, limit, offset, status="published")
    return [view(p, who) for p in rows]


@router.get("/{product_id}", summary="One product")
async def get(product_id: uuid.UUID, session: SessionDep, who: PrincipalDep) -> ProductRead | ProductPublic:
    """Published products are public (terms and rates); drafts and quotas only to their bank and the office."""
    p = await session.get(Product, product_id)
    if p is None or (p.status != "published" and not _sees_quotas(p, who)):
        raise NotFound("no such product")
    return view(p, who)


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
