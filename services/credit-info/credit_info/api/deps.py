"""Annotated dependency aliases for credit-info endpoints, and the consent-checked read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Path, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import LookupLog
from credit_info.domain.services import choose_consent, fold_consents
from smefin.auth import Principal, PrincipalDep, Role
from smefin.db import Database, utcnow
from smefin.errors import Forbidden
from smefin.web import OutboxDep, SessionDep

__all__ = [
    "OutboxDep",
    "PrincipalDep",
    "SessionDep",
    "UsccPath",
    "UsccQuery",
    "authorize_read",
    "require_own_or_office",
]

_USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
# An 18-character USCC in a path or query (upper case); the full check runs where codes are stored.
UsccPath = Annotated[str, Path(pattern=_USCC_PATTERN, examples=["911501020000000A1E"])]
UsccQuery = Annotated[str, Query(pattern=_USCC_PATTERN, examples=["911501020000000A1E"])]

CONSENT_ROLES = (Role.BANK, Role.GUARANTOR)


@dataclass(frozen=True)
class Access:
    """How a read was allowed."""

    purpose: str | None
    consent_id: uuid.UUID | None


def require_own_or_office(principal: Principal, uscc: str) -> None:
    """An SME only its own enterprise; office and service any."""
    if principal.role in (Role.OFFICE, Role.SERVICE):
        return
    if principal.role == Role.SME and principal.uscc == uscc:
        return
    raise Forbidden("only the enterprise itself or the financial office may do this")


async def authorize_read(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    uscc: str,
    resource: str,
    purpose: str | None = None,
) -> Access:
    """Allow a look-up of an enterprise's file and log it; a refusal is logged in its own transaction."""
    now = utcnow()
    consent_id: uuid.UUID | None = None
    refusal: str | None = None
    if principal.role in CONSENT_ROLES:
        states = fold_consents(await repo.consent_entries(session, uscc=uscc, bank_org_id=principal.org_id))
        chosen = choose_consent(states, purpose, now)
        if chosen is None:
            refusal = f"no live consent from {uscc} for organisation {principal.org_id}" + (
                f" and purpose {purpose!r}" if purpose else ""
            )
        else:
            consent_id, purpose = chosen.consent_id, chosen.purpose
    elif principal.role == Role.SME and principal.uscc != uscc:
        refusal = "an enterprise may only read its own file"
    elif principal.role not in (Role.SME, Role.OFFICE, Role.SERVICE):
        refusal = f"role {principal.role} may not read credit files"
    entry = LookupLog(
        uscc=uscc,
        viewer_org_id=principal.org_id[:100],
        viewer_role=principal.role.value,
        viewer_subject=principal.subject[:200],
        resource=resource,
        purpose=purpose,
        consent_id=consent_id,
        allowed=refusal is None,
        reason=refusal,
        at=now,
    )
    if refusal is not None:
        # The request's own transaction rolls back with the 403, so the refusal commits on its own.
        db: Database = request.app.state.db
        async with db.unit_of_work() as own:
            own.add(entry)
        raise Forbidden(refusal)
    session.add(entry)
    return Access(purpose, consent_id)
