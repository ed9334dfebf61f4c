"""The door's audit trail: an organisation's admin reads its own, the office reads everyone's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.api.deps import CallerDep, Limit, Offset, SessionDep
from gateway.api.schemas import AuditEventRead, AuditPage
from gateway.db import repositories as repo
from gateway.domain.audit import AuditKind
from smefin.auth import Role

router = APIRouter(prefix="/api/v1/audit-events", tags=["audit"])


@router.get("", response_model=AuditPage, summary="Logins, key changes and refused calls")
async def list_audit_events(
    caller: CallerDep,
    session: SessionDep,
    kind: Annotated[AuditKind | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AuditPage:
    """Newest first; who, when, from where."""
    if caller.principal.role == Role.OFFICE and caller.user is not None:
        org_id = None
    else:
        caller.require_admin()
        org_id = caller.principal.org_id
    rows, total = await repo.list_audit(session, org_id, kind.value if kind else None, limit, offset)
    return AuditPage(
        items=[AuditEventRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
