"""The door's audit trail (审计日志): who, when, from where, and what happened."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db.tables import AuditEvent


class AuditKind(StrEnum):
    """What is recorded."""

    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password.changed"
    SIGNED_UP = "signup"
    ORGANISATION_CREATED = "organisation.created"
    USER_INVITED = "user.invited"
    INVITATION_ACCEPTED = "invitation.accepted"
    KEY_CREATED = "api_key.created"
    KEY_REVOKED = "api_key.revoked"
    CALL_REFUSED = "call.refused"


def record(
    session: AsyncSession,
    *,
    kind: AuditKind,
    org_id: str | None = None,
    actor: str | None = None,
    client_ip: str | None = None,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
    detail: str | None = None,
) -> None:
    """Add one audit event to the session's unit of work."""
    session.add(
        AuditEvent(
            kind=kind.value,
            org_id=org_id,
            actor=actor[:254] if actor else None,
            client_ip=client_ip,
            method=method,
            path=path[:500] if path else None,
            status=status,
            detail=detail[:500] if detail else None,
        )
    )
