"""Annotated dependency aliases for credit-info endpoints, and the consent-checked read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import access
from credit_info.db.access import Access
from credit_info.domain.consents import LookupPurpose
from smefin.auth import Principal, PrincipalDep
from smefin.web import OutboxDep, SessionDep

__all__ = [
    "OutboxDep",
    "PrincipalDep",
    "PurposeQuery",
    "SessionDep",
    "UsccPath",
    "UsccQuery",
    "authorize_read",
]

_USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
# An 18-character USCC in a path or query (upper case); the full check runs where codes are stored.
UsccPath = Annotated[str, Path(pattern=_USCC_PATTERN, examples=["911501020000000A1E"])]
UsccQuery = Annotated[str, Query(pattern=_USCC_PATTERN, examples=["911501020000000A1E"])]
PurposeQuery = Annotated[
    LookupPurpose | None,
    Query(
        description="why you read the file; banks and guarantee companies must name it, and a consent must cover it"
    ),
]


async def authorize_read(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    uscc: str,
    resource: str,
    purpose: LookupPurpose | None = None,
) -> Access:
    """The consent-checked, logged look-up of `credit_info.db.access`, bound to this app's database."""
    return await access.authorize_lookup(
        session=session,
        db=request.app.state.db,
        principal=principal,
        uscc=uscc,
        resource=resource,
        purpose=purpose,
    )
