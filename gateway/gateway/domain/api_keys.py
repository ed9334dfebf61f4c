"""API keys for bank and guarantor systems: shown once, stored hashed, scoped, expiring, revocable.

At most `max_live` keys are live at once per organisation (two by default): enough to roll a new key
out to every system before the old one is revoked, without downtime.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db import repositories as repo
from gateway.db.tables import ApiKey, OrgKind
from gateway.domain import credentials
from gateway.domain.audit import AuditKind, record
from gateway.domain.callers import KEY_HOLDER_KINDS, Caller, CredentialKind, principal_of
from gateway.domain.scopes import ALL_SCOPES
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound, Unauthorized, Unprocessable

LAST_USED_EVERY = timedelta(minutes=1)


async def create_key(
    *,
    session: AsyncSession,
    caller: Caller,
    name: str,
    scopes: list[str],
    expires_in_days: int,
    max_live: int,
    client_ip: str | None,
) -> tuple[ApiKey, str]:
    """Create a key for the caller's organisation; returns the row and the full key (shown once)."""
    caller.require_admin()
    org = caller.org
    assert org is not None
    if OrgKind(org.kind) not in KEY_HOLDER_KINDS:
        raise Unprocessable(
            "API keys are for bank and guarantee-company systems; people log in with a password"
        )
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise Unprocessable(f"unknown scopes {', '.join(unknown)}; choose from {', '.join(ALL_SCOPES)}")
    now = utcnow()
    live = await repo.live_api_keys(session, org.id, now)
    if len(live) >= max_live:
        ids = ", ".join(k.id for k in live)
        raise Conflict(
            f"your organisation already has {len(live)} live keys ({ids}); revoke one before creating another"
        )
    secret = credentials.new_api_key()
    key = ApiKey(
        id=secret.key_id,
        org_id=org.id,
        name=name,
        secret_hash=credentials.digest(secret.secret),
        scopes=sorted(set(scopes)),
        created_by=caller.principal.subject,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    session.add(key)
    record(
        session,
        kind=AuditKind.KEY_CREATED,
        org_id=org.id,
        actor=caller.user.email if caller.user else caller.principal.subject,
        client_ip=client_ip,
        detail=f"key {key.id} ({name}) scopes {','.join(key.scopes)} expires {key.expires_at:%Y-%m-%d}",
    )
    await session.flush()
    return key, secret.value


async def revoke_key(*, session: AsyncSession, caller: Caller, key_id: str, client_ip: str | None) -> ApiKey:
    """Revoke one of the caller's organisation's keys; it stops working at once."""
    caller.require_admin()
    found = await repo.get_api_key(session, key_id)
    if found is None or found[0].org_id != caller.principal.org_id:
        raise NotFound(f"API key {key_id} is not one of your organisation's keys")
    key = found[0]
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} was already revoked at {key.revoked_at.isoformat()}")
    key.revoked_at = utcnow()
    key.revoked_by = caller.principal.subject
    session.add(key)
    record(
        session,
        kind=AuditKind.KEY_REVOKED,
        org_id=key.org_id,
        actor=caller.user.email if caller.user else caller.principal.subject,
        client_ip=client_ip,
        detail=f"key {key.id} ({key.name})",
    )
    return key


async def key_caller(session: AsyncSession, value: str) -> tuple[Caller, bool]:
    """The caller behind a presented API key, and whether its last use is due to be recorded
    (`record_use`, at most once a minute); a refusal says exactly what is wrong with the key."""
    parsed = credentials.parse_api_key(value)
    if parsed is None:
        raise Unauthorized("this is not an API key (expected smk_<id>_<secret>); check you copied all of it")
    found = await repo.get_api_key(session, parsed.key_id)
    if found is None or not credentials.same_digest(parsed.secret, found[0].secret_hash):
        raise Unauthorized("API key is not valid; check it or ask your administrator for a new one")
    key, org = found
    now = utcnow()
    if key.revoked_at is not None:
        raise Unauthorized(f"API key {key.id} was revoked at {key.revoked_at.isoformat()}; use your new key")
    if key.expires_at <= now:
        raise Unauthorized(
            f"API key {key.id} expired at {key.expires_at.isoformat()}; ask your administrator for a new one"
        )
    caller = Caller(
        principal=principal_of(org, f"key:{key.id}"),
        credential=CredentialKind.API_KEY,
        credential_id=key.id,
        org=org,
        scopes=list(key.scopes),
    )
    # The row just read tells whether a write is due: a busy key costs one read per call, not a write.
    return caller, key.last_used_at is None or key.last_used_at < now - LAST_USED_EVERY


async def record_use(session: AsyncSession, key_id: str) -> None:
    """Record a key's use (the update is a no-op when another call recorded it within the minute)."""
    now = utcnow()
    await repo.touch_api_key(session, key_id, now, now - LAST_USED_EVERY)
