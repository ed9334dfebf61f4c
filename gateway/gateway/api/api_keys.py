"""API keys of bank and guarantor systems, managed by the organisation's admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from gateway.api.deps import CallerDep, ClientIpDep, SessionDep, SettingsDep
from gateway.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from gateway.db import repositories as repo
from gateway.domain import api_keys

router = APIRouter(prefix="/api/v1/api-keys", tags=["api-keys"])
KeyId = Annotated[str, Path(pattern=r"^[a-z0-9]{12}$")]


@router.post("", status_code=201, response_model=ApiKeyCreated, summary="Create an API key (shown once)")
async def create_key(
    body: ApiKeyCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep, ip: ClientIpDep
) -> ApiKeyCreated:
    """Scopes are `<family>:read|write` for credit, lending, guarantees, fairs; store `key` now."""
    key, value = await api_keys.create_key(
        session=session,
        caller=caller,
        name=body.name,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        max_live=settings.max_live_api_keys,
        client_ip=ip,
    )
    return ApiKeyCreated(**ApiKeyRead.model_validate(key).model_dump(), key=value)


@router.get("", response_model=list[ApiKeyRead], summary="Your organisation's API keys")
async def list_keys(caller: CallerDep, session: SessionDep) -> list[ApiKeyRead]:
    """Every key with its scopes, expiry, last use and revocation; never a secret."""
    caller.require_admin()
    return [ApiKeyRead.model_validate(k) for k in await repo.list_api_keys(session, caller.principal.org_id)]


@router.delete("/{key_id}", response_model=ApiKeyRead, summary="Revoke an API key")
async def revoke_key(key_id: KeyId, caller: CallerDep, session: SessionDep, ip: ClientIpDep) -> ApiKeyRead:
    """The key stops working at once."""
    return ApiKeyRead.model_validate(
        await api_keys.revoke_key(session=session, caller=caller, key_id=key_id, client_ip=ip)
    )
