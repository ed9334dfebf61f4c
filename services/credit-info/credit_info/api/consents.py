"""Consents (授权): an append-only ledger of grants and revocations."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, status

from credit_info.api.deps import OutboxDep, PrincipalDep, SessionDep
from credit_info.api.schemas import ConsentCreate, ConsentRead
from credit_info.db import repositories as repo
from credit_info.db.tables import ConsentEntry
from credit_info.domain.services import ConsentState, fold_consents
from smefin.auth import Role
from smefin.contracts.enterprises import ConsentGranted, ConsentRevoked
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable

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
    principal.require(Role.SME)
    uscc = principal.uscc or ""
    if body.uscc is not None and body.uscc != uscc:
        raise Forbidden("an enterprise may only grant consent over its own file")
    if await repo.get_enterprise(session, uscc) is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    now = utcnow()
    if body.valid_until <= now:
        raise Unprocessable(
            "valid_until: must be in the future",
            details=[{"field": "valid_until", "message": "must be in the future"}],
        )
    if (body.valid_until - now).days > 3 * 366:
        raise Unprocessable(
            "valid_until: at most three years ahead",
            details=[{"field": "valid_until", "message": "at most three years ahead"}],
        )
    entry = ConsentEntry(
        consent_id=uuid.uuid4(),
        action="granted",
        uscc=uscc,
        bank_org_id=body.bank_org_id,
        purpose=body.purpose.strip(),
        valid_until=body.valid_until,
        actor=principal.subject,
        recorded_at=now,
    )
    session.add(entry)
    await session.flush()
    await outbox.add(
        session,
        ConsentGranted(
            consent_id=entry.consent_id,
            uscc=uscc,
            bank_org_id=entry.bank_org_id,
            purpose=entry.purpose,
            valid_until=entry.valid_until,
        ),
        subject=uscc,
    )
    return _read(fold_consents([entry])[0], now)


@router.post("/{consent_id}/revoke", response_model=ConsentRead)
async def revoke_consent(
    consent_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: PrincipalDep
) -> ConsentRead:
    """The enterprise withdraws a consent; later look-ups under it are refused."""
    principal.require(Role.SME)
    entries = await repo.consent_entries(session, consent_id=consent_id)
    states = fold_consents(entries)
    if not states or states[0].uscc != principal.uscc:
        raise NotFound(f"no consent {consent_id}")
    state = states[0]
    if state.revoked_at is not None:
        raise Conflict(f"consent {consent_id} was already revoked")
    now = utcnow()
    entry = ConsentEntry(
        consent_id=consent_id,
        action="revoked",
        uscc=state.uscc,
        bank_org_id=state.bank_org_id,
        purpose=state.purpose,
        valid_until=state.valid_until,
        actor=principal.subject,
        recorded_at=now,
    )
    session.add(entry)
    await session.flush()
    await outbox.add(
        session,
        ConsentRevoked(consent_id=consent_id, uscc=state.uscc, bank_org_id=state.bank_org_id),
        subject=state.uscc,
    )
    return _read(fold_consents([*entries, entry])[0], now)


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
