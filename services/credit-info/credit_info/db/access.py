"""Who may read an enterprise's file, in one place.

The enterprise itself, the office and services read it; a bank or guarantee company reads it only under
a live consent (授权) from the enterprise, and every look-up — allowed or refused — is logged (查询记录).
Routers call `require_own_file` or `authorize_lookup`; no router decides this itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import Enterprise, LookupLog
from credit_info.domain.consents import choose_consent, fold_consents
from smefin.auth import Principal, Role
from smefin.db import Database, utcnow
from smefin.errors import Forbidden, Unprocessable

CONSENT_ROLES = (Role.BANK, Role.GUARANTOR)


@dataclass(frozen=True)
class Access:
    """How a read was allowed."""

    purpose: str | None
    consent_id: uuid.UUID | None


def require_own_file(principal: Principal, uscc: str) -> None:
    """An SME only its own enterprise; office and services any (no consent path)."""
    if principal.role in (Role.OFFICE, Role.SERVICE):
        return
    if principal.role == Role.SME and principal.uscc == uscc:
        return
    raise Forbidden("only the enterprise itself or the financial office may do this")


def _refusal(principal: Principal, uscc: str) -> str | None:
    if principal.role == Role.SME and principal.uscc != uscc:
        return "an enterprise may only read its own file"
    if principal.role not in (Role.SME, Role.OFFICE, Role.SERVICE, *CONSENT_ROLES):
        return f"role {principal.role} may not read credit files"
    return None


async def authorize_lookup(
    *,
    session: AsyncSession,
    db: Database,
    principal: Principal,
    uscc: str,
    resource: str,
    purpose: str | None = None,
) -> Access:
    """Allow a look-up of an enterprise's file and log it; a refusal is logged in its own transaction."""
    now = utcnow()
    consent_id: uuid.UUID | None = None
    refusal = _refusal(principal, uscc)
    missing_purpose = False
    if principal.role in CONSENT_ROLES:
        states = fold_consents(await repo.consent_entries(session, uscc=uscc, bank_org_id=principal.org_id))
        live = sorted({s.purpose for s in states if s.live(now)})
        chosen = choose_consent(states, purpose, now) if purpose is not None else None
        if not live:
            refusal = f"no live consent from {uscc} for organisation {principal.org_id}"
        elif purpose is None:
            # Consent per query: the purpose is named each time, so the file's audit list says why.
            missing_purpose = True
            refusal = f"name the purpose of this look-up (?purpose=); your consents from {uscc} cover: {', '.join(live)}"
        elif chosen is None:
            refusal = (
                f"no live consent from {uscc} for organisation {principal.org_id} and purpose {purpose!r}"
            )
        else:
            consent_id, purpose = chosen.consent_id, chosen.purpose
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
        async with db.unit_of_work() as own:
            own.add(entry)
        if missing_purpose:
            raise Unprocessable(refusal, details=[{"field": "purpose", "message": refusal}])
        raise Forbidden(refusal)
    session.add(entry)
    return Access(purpose, consent_id)


def reads_ledger(principal: Principal, ent: Enterprise) -> bool:
    """Who reads (and files) an SME's operating reports: itself, the office and services, its league's office."""
    if principal.role in (Role.OFFICE, Role.SERVICE):
        return True
    if principal.role == Role.SME:
        return principal.uscc == ent.uscc
    return principal.role == Role.LEAGUE_OFFICE and principal.league_code == ent.league_code


def require_ledger_access(principal: Principal, ent: Enterprise) -> None:
    """403 unless `reads_ledger`: another SME's reports, or another league's."""
    if reads_ledger(principal, ent):
        return
    if principal.role == Role.SME:
        raise Forbidden("an enterprise reports and reads only its own operating reports")
    if principal.role == Role.LEAGUE_OFFICE:
        raise Forbidden(
            f"a league office reads and reports only for its own league ({principal.league_code})"
        )
    raise Forbidden(f"role {principal.role} may not read operating reports")
