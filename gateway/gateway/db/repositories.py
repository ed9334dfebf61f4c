"""All SQL of the gateway: organisations, users, sessions, API keys, audit and idempotency records."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db.tables import (
    ApiKey,
    AuditEvent,
    IdempotencyRecord,
    LoginSession,
    Organisation,
    User,
)

# ---- organisations and users -------------------------------------------------------------------


async def get_org(session: AsyncSession, org_id: str) -> Organisation | None:
    """One organisation by id."""
    return await session.get(Organisation, org_id)


async def get_org_by_uscc(session: AsyncSession, uscc: str) -> Organisation | None:
    """The organisation of an enterprise's USCC."""
    return (await session.exec(select(Organisation).where(col(Organisation.uscc) == uscc))).first()  # type: ignore[call-overload, no-any-return]


async def list_orgs(
    session: AsyncSession, kind: str | None, limit: int, offset: int
) -> tuple[list[Organisation], int]:
    """Organisations, newest first, with the total."""
    q = select(Organisation)
    if kind is not None:
        q = q.where(Organisation.kind == kind)  # type: ignore[arg-type]
    total = (await session.exec(select(func.count()).select_from(q.subquery()))).one()  # type: ignore[call-overload]
    rows = await session.exec(q.order_by(Organisation.created_at.desc()).limit(limit).offset(offset))  # type: ignore[call-overload, attr-defined]
    return list(rows.all()), int(total)


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    """One user by id."""
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, email: str, *, lock: bool = False) -> User | None:
    """A user by (lower-cased) email; `lock` serialises concurrent logins of one account."""
    q = select(User).where(User.email == email)  # type: ignore[arg-type]
    if lock:
        q = q.with_for_update()
    return (await session.exec(q)).first()  # type: ignore[call-overload, no-any-return]


async def get_user_by_invitation(session: AsyncSession, invitation_hash: str) -> User | None:
    """The invited user holding this invitation."""
    q = select(User).where(User.invitation_hash == invitation_hash).with_for_update()  # type: ignore[arg-type]
    return (await session.exec(q)).first()  # type: ignore[call-overload, no-any-return]


async def list_users(session: AsyncSession, org_id: str) -> list[User]:
    """The users of one organisation."""
    q = select(User).where(User.org_id == org_id).order_by(User.created_at)  # type: ignore[arg-type]
    return list((await session.exec(q)).all())  # type: ignore[call-overload]


# ---- sessions ----------------------------------------------------------------------------------


async def get_live_session(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[LoginSession, User, Organisation] | None:
    """A session that is neither expired nor revoked, with its active user and organisation."""
    q = (
        select(LoginSession, User, Organisation)
        .join(User, User.id == LoginSession.user_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == User.org_id)  # type: ignore[arg-type]
        .where(
            LoginSession.token_hash == token_hash,  # type: ignore[arg-type]
            LoginSession.revoked_at.is_(None),  # type: ignore[union-attr]
            LoginSession.expires_at > now,  # type: ignore[arg-type]
            User.status == "active",  # type: ignore[arg-type]
        )
    )
    row = (await session.exec(q)).first()  # type: ignore[call-overload]
    return None if row is None else (row[0], row[1], row[2])


async def revoke_session(session: AsyncSession, session_id: UUID, now: datetime) -> None:
    """End one session (logout)."""
    await session.exec(  # type: ignore[call-overload]
        update(LoginSession).where(LoginSession.id == session_id).values(revoked_at=now)  # type: ignore[arg-type]
    )


async def revoke_user_sessions(
    session: AsyncSession, user_id: UUID, now: datetime, *, keep: UUID | None = None
) -> None:
    """End every live session of a user, except `keep` (after a password change)."""
    q = update(LoginSession).where(
        LoginSession.user_id == user_id,  # type: ignore[arg-type]
        LoginSession.revoked_at.is_(None),  # type: ignore[union-attr]
    )
    if keep is not None:
        q = q.where(LoginSession.id != keep)  # type: ignore[arg-type]
    await session.exec(q.values(revoked_at=now))  # type: ignore[call-overload]


# ---- API keys ----------------------------------------------------------------------------------


async def get_api_key(session: AsyncSession, key_id: str) -> tuple[ApiKey, Organisation] | None:
    """A key with its organisation, whatever its state (the caller explains why it is refused)."""
    q = (
        select(ApiKey, Organisation)
        .join(Organisation, col(Organisation.id) == col(ApiKey.org_id))
        .where(col(ApiKey.id) == key_id)
    )
    row = (await session.exec(q)).first()  # type: ignore[call-overload]
    return None if row is None else (row[0], row[1])


async def list_api_keys(session: AsyncSession, org_id: str) -> list[ApiKey]:
    """Every key of an organisation, newest first."""
    q = select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at.desc())  # type: ignore[arg-type, attr-defined]
    return list((await session.exec(q)).all())  # type: ignore[call-overload]


async def live_api_keys(session: AsyncSession, org_id: str, now: datetime) -> list[ApiKey]:
    """An organisation's keys that are neither revoked nor expired (locked: one creation at a time)."""
    await session.exec(select(Organisation).where(Organisation.id == org_id).with_for_update())  # type: ignore[call-overload, arg-type]
    q = select(ApiKey).where(
        ApiKey.org_id == org_id,  # type: ignore[arg-type]
        ApiKey.revoked_at.is_(None),  # type: ignore[union-attr]
        ApiKey.expires_at > now,  # type: ignore[arg-type]
    )
    return list((await session.exec(q)).all())  # type: ignore[call-overload]


async def touch_api_key(session: AsyncSession, key_id: str, now: datetime, older_than: datetime) -> None:
    """Record a use; written at most once a minute per key so reads stay cheap."""
    await session.exec(  # type: ignore[call-overload]
        update(ApiKey)
        .where(
            ApiKey.id == key_id,  # type: ignore[arg-type]
            (ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < older_than),  # type: ignore[union-attr, operator]
        )
        .values(last_used_at=now)
    )


# ---- audit -------------------------------------------------------------------------------------


async def list_audit(
    session: AsyncSession, org_id: str | None, kind: str | None, limit: int, offset: int
) -> tuple[list[AuditEvent], int]:
    """Audit events, newest first: one organisation's, or all (`org_id` None, for the office)."""
    q = select(AuditEvent)
    if org_id is not None:
        q = q.where(AuditEvent.org_id == org_id)  # type: ignore[arg-type]
    if kind is not None:
        q = q.where(AuditEvent.kind == kind)  # type: ignore[arg-type]
    total = (await session.exec(select(func.count()).select_from(q.subquery()))).one()  # type: ignore[call-overload]
    rows = await session.exec(q.order_by(AuditEvent.id.desc()).limit(limit).offset(offset))  # type: ignore[call-overload, union-attr]
    return list(rows.all()), int(total)


# ---- idempotency -------------------------------------------------------------------------------


async def claim_idempotency_key(session: AsyncSession, scope: str, key: str, fingerprint: str) -> bool:
    """Insert an in-progress record; False when the key is already taken."""
    stmt = (
        insert(IdempotencyRecord)
        .values(scope=scope, key=key, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(col(IdempotencyRecord.key))
    )
    return (await session.exec(stmt)).first() is not None  # type: ignore[call-overload]


async def get_idempotency_record(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord | None:
    """The record of a key in a scope."""
    return await session.get(IdempotencyRecord, (scope, key))


async def complete_idempotency_record(
    session: AsyncSession, scope: str, key: str, status: int, content_type: str | None, body: bytes
) -> None:
    """Store the first answer, to be replayed."""
    await session.exec(  # type: ignore[call-overload]
        update(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)  # type: ignore[arg-type]
        .values(status=status, content_type=content_type, body=body)
    )


async def delete_idempotency_record(session: AsyncSession, scope: str, key: str) -> None:
    """Free a key whose request failed upstream, so the client may retry it."""
    await session.exec(  # type: ignore[call-overload]
        delete(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)  # type: ignore[arg-type]
    )


async def purge_idempotency_records(session: AsyncSession, before: datetime) -> None:
    """Forget answers older than the replay window."""
    await session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < before))  # type: ignore[call-overload, arg-type]
