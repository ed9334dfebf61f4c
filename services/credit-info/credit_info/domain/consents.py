"""Consents (授权): an append-only ledger of grants and revocations, each announced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import ConsentEntry
from smefin.auth import Principal, Role
from smefin.contracts.enterprises import ConsentGranted, ConsentRevoked
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox

MAX_DAYS_AHEAD = 3 * 366


class LookupPurpose(StrEnum):
    """Why a bank or guarantee company reads a file (查询用途); a consent names one, each look-up must too."""

    LOAN_APPLICATION = "loan_application"  # 贷款审批
    CREDIT_LINE_REVIEW = "credit_line_review"  # 授信审查
    POST_LOAN_MANAGEMENT = "post_loan_management"  # 贷后管理
    GUARANTEE_REVIEW = "guarantee_review"  # 担保资格审查


@dataclass(frozen=True)
class ConsentState:
    """A consent folded from its ledger rows."""

    consent_id: uuid.UUID
    uscc: str
    bank_org_id: str
    purpose: str
    valid_until: datetime
    granted_at: datetime
    revoked_at: datetime | None

    def live(self, at: datetime) -> bool:
        """Granted, not revoked, not expired."""
        return self.revoked_at is None and self.valid_until > at

    def status(self, at: datetime) -> str:
        """granted / revoked / expired."""
        if self.revoked_at is not None:
            return "revoked"
        return "granted" if self.valid_until > at else "expired"


def fold_consents(entries: Sequence[ConsentEntry]) -> list[ConsentState]:
    """Fold the append-only ledger into one state per consent."""
    grants = {e.consent_id: e for e in entries if e.action == "granted"}
    revokes = {e.consent_id: e.recorded_at for e in entries if e.action == "revoked"}
    return [
        ConsentState(
            g.consent_id, g.uscc, g.bank_org_id, g.purpose, g.valid_until, g.recorded_at, revokes.get(cid)
        )
        for cid, g in grants.items()
    ]


def choose_consent(states: Sequence[ConsentState], purpose: str | None, at: datetime) -> ConsentState | None:
    """A live consent covering the purpose (any live one when no purpose is given)."""
    live = [s for s in states if s.live(at)]
    if purpose is not None:
        live = [s for s in live if s.purpose.casefold() == purpose.strip().casefold()]
    return max(live, key=lambda s: s.valid_until) if live else None


def _too_far(field: str, message: str) -> Unprocessable:
    return Unprocessable(f"{field}: {message}", details=[{"field": field, "message": message}])


async def grant(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    uscc: str | None,
    bank_org_id: str,
    purpose: str,
    valid_until: datetime,
) -> ConsentState:
    """The enterprise lets a named bank read its file for a purpose until a date (consent.granted)."""
    principal.require(Role.SME)
    own = principal.uscc or ""
    if uscc is not None and uscc != own:
        raise Forbidden("an enterprise may only grant consent over its own file")
    if await repo.get_enterprise(session, own) is None:
        raise NotFound(f"enterprise {own} is not registered")
    now = utcnow()
    if valid_until <= now:
        raise _too_far("valid_until", "must be in the future")
    if (valid_until - now).days > MAX_DAYS_AHEAD:
        raise _too_far("valid_until", "at most three years ahead")
    entry = ConsentEntry(
        consent_id=uuid.uuid4(),
        action="granted",
        uscc=own,
        bank_org_id=bank_org_id,
        purpose=purpose.strip(),
        valid_until=valid_until,
        actor=principal.subject,
        recorded_at=now,
    )
    session.add(entry)
    await session.flush()
    await outbox.add(
        session,
        ConsentGranted(
            consent_id=entry.consent_id,
            uscc=own,
            bank_org_id=entry.bank_org_id,
            purpose=entry.purpose,
            valid_until=entry.valid_until,
        ),
        subject=own,
    )
    return fold_consents([entry])[0]


async def revoke(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, consent_id: uuid.UUID
) -> ConsentState:
    """The enterprise withdraws a consent; later look-ups under it are refused (consent.revoked)."""
    principal.require(Role.SME)
    entries = await repo.consent_entries(session, consent_id=consent_id)
    states = fold_consents(entries)
    if not states or states[0].uscc != principal.uscc:
        raise NotFound(f"no consent {consent_id}")
    state = states[0]
    if state.revoked_at is not None:
        raise Conflict(f"consent {consent_id} was already revoked")
    entry = ConsentEntry(
        consent_id=consent_id,
        action="revoked",
        uscc=state.uscc,
        bank_org_id=state.bank_org_id,
        purpose=state.purpose,
        valid_until=state.valid_until,
        actor=principal.subject,
        recorded_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    await outbox.add(
        session,
        ConsentRevoked(consent_id=consent_id, uscc=state.uscc, bank_org_id=state.bank_org_id),
        subject=state.uscc,
    )
    return fold_consents([*entries, entry])[0]
