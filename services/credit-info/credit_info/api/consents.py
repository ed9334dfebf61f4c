"""Consents (授权): an append-only ledger of grants and revocations."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep
from credit_info.api.schemas import ConsentCreate, ConsentRead
from credit_info.db import repositories as repo
from credit_info.domain import consents
from credit_info.domain.consents import ConsentState, fold_consents
from smefin.auth import Role
from smefin.db import utcnow
from smefin.errors import Forbidden

router = APIRouter(prefix="/api/v1/consents", tags=["consents"])


def _read(state: ConsentState, at: datetime) -> ConsentRead:
    return ConsentRead(
        consent_id=state.consent_id,
        uscc=state.uscc,
        bank_org_id=state.bank_org_id,
        purpose=state.purpose,
        valid_until=state.valid_until,
        granted_at=state.granted_at,
        revoked_at=state.revoked_at,
        status=state.status(at),  # type: ignore[arg-type]
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConsentRead)
async def grant_consent(
    body: ConsentCreate, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> ConsentRead:
    """The enterprise lets a named bank read its file for a purpose until a date."""
    state = await consents.grant(
        session=session,
        outbox=outbox,
        principal=principal,
        uscc=body.uscc,
        bank_org_id=body.bank_org_id,
        purpose=body.purpose,
        valid_until=body.valid_until,
    )
    return _read(state, utcnow())


@router.post("/{consent_id}/revoke", response_model=ConsentRead)
async def revoke_consent(
    consent_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> ConsentRead:
    """The enterprise withdraws a consent; later look-ups under it are refused."""
    state = await consents.revoke(session=session, outbox=outbox, principal=principal, consent_id=consent_id)
    return _read(state, utcnow())


@router.get("", response_model=list[ConsentRead])
async def list_consents(session: SessionDep, principal: PrincipalDep) -> list[ConsentRead]:
    """An SME's consents, or the consents granted to the calling bank."""
    if principal.role == Role.SME:
        entries = await repo.consent_entries(session, uscc=principal.uscc or "")
    elif principal.role in (Role.BANK, Role.GUARANTOR):
        entries = await repo.consent_entries(session, bank_org_id=principal.org_id)
    else:
        raise Forbidden("consents are listed by the enterprise or the bank they were granted to")
    now = utcnow()
    return [_read(s, now) for s in fold_consents(entries)]
