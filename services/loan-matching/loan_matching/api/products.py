"""Loan products: banks create, edit (versioned), publish and withdraw them."""

import uuid
from typing import Any

from fastapi import APIRouter, Query, Response

from loan_matching.api.deps import OutboxDep, PrincipalDep, ReadSessionDep, SessionDep, SettingsDep
from loan_matching.api.schemas import ProductCreate, ProductPublic, ProductRead, ProductUpdate
from loan_matching.db import access
from loan_matching.db.tables import Product
from loan_matching.domain import products
from loan_matching.domain.statuses import ProductStatus
from smefin.auth import Principal, Role
from smefin.schemas import Limit, Offset
from smefin.web import model_response

router = APIRouter(prefix="/api/v1/products", tags=["products"])


@router.post("", status_code=201, response_model=ProductRead, summary="Create a loan product (draft)")
async def create(body: ProductCreate, session: SessionDep, who: PrincipalDep) -> Product:
    """A bank adds a product; it is matched only once published."""
    return await products.create(session=session, principal=who, terms=body.terms())


def view(p: Product, who: Principal) -> ProductRead | ProductPublic:
    """What of a product the caller sees: terms for everyone, quota room for its bank and the office."""
    return ProductRead.model_validate(p) if products.sees_quotas(p, who) else ProductPublic.model_validate(p)


@router.get("", summary="List products")
async def list_products(
    session: ReadSessionDep,
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
        rows = await access.page(
            session, Product, who, limit=limit, offset=offset, bank_org_id=who.org_id, status=status
        )
    elif who.role == Role.OFFICE:
        rows = await access.page(session, Product, who, limit=limit, offset=offset, status=status)
    else:
        rows = await access.page(
            session, Product, who, limit=limit, offset=offset, status=ProductStatus.PUBLISHED
        )
    return [view(p, who) for p in rows]


@router.get("/{product_id}", response_model=ProductRead | ProductPublic, summary="One product")
async def get(product_id: uuid.UUID, session: ReadSessionDep, who: PrincipalDep) -> Response:
    """Published products are public (terms and rates); drafts and quotas only to their bank and the office."""
    row: dict[str, Any] = dict(await access.get_readable_row(session, Product, who, product_id))
    schema = ProductRead if products.sees_quotas(row, who) else ProductPublic
    return model_response(schema.model_validate(row))


@router.patch("/{product_id}", response_model=ProductRead, summary="Edit a product (new version)")
async def update(
    product_id: uuid.UUID, body: ProductUpdate, session: SessionDep, outbox: OutboxDep, who: PrincipalDep
) -> Product:
    """Change terms; matches keep the version they were made on; open requests are matched again."""
    changes = body.changes()
    return await products.edit(
        session=session, outbox=outbox, principal=who, product_id=product_id, changes=changes
    )


@router.post("/{product_id}/publish", response_model=ProductRead, summary="Publish: the product is matched")
async def publish(
    product_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep, settings: SettingsDep
) -> Product:
    """Make the product live; the open requests it could serve are matched again (a bank sees new
    matches, an SME new options)."""
    return await products.set_status(
        session=session,
        outbox=outbox,
        principal=who,
        product_id=product_id,
        status=ProductStatus.PUBLISHED,
        settings=settings,
    )


@router.post("/{product_id}/withdraw", response_model=ProductRead, summary="Withdraw from matching")
async def withdraw(
    product_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, who: PrincipalDep, settings: SettingsDep
) -> Product:
    """Stop matching the product: its open proposals lapse with a reason (existing offers stand)."""
    return await products.set_status(
        session=session,
        outbox=outbox,
        principal=who,
        product_id=product_id,
        status=ProductStatus.WITHDRAWN,
        settings=settings,
    )
