"""Who is calling: credentials in, a Caller out; Annotated aliases for the gateway's own endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.domain.accounts import Policy, session_caller
from gateway.domain.api_keys import key_caller, record_use
from gateway.domain.callers import Caller, CredentialKind
from gateway.domain.credentials import API_KEY_PREFIX, SESSION_PREFIX
from gateway.settings import Settings
from smefin.auth import verify_internal_token
from smefin.db import Database
from smefin.errors import Forbidden, Unauthorized

HOW_TO_AUTHENTICATE = (
    "send 'Authorization: Bearer <API key>' (bank and guarantor systems) or "
    "'Authorization: Bearer <access token>' from POST /api/v1/auth/login (people and scripts); "
    "the web site uses the session cookie set by that login"
)


class NotAuthenticated(Unauthorized):
    """No credentials at all on a private route."""

    code = "not_authenticated"


def client_ip(request: Request) -> str | None:
    """The caller's address as the gateway sees it (the socket peer)."""
    return request.client.host if request.client else None


def presented_credential(request: Request, settings: Settings) -> str | None:
    """The credential the request carries: bearer header first, then X-API-Key, then the cookie."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized(
                f"the Authorization header must be 'Bearer <credential>'; {HOW_TO_AUTHENTICATE}"
            )
        return value.strip()
    if key := request.headers.get("x-api-key"):
        return key.strip()
    return request.cookies.get(settings.session_cookie_name)


def from_cookie(request: Request, settings: Settings) -> bool:
    """Whether the credential came from the session cookie (no header carried one)."""
    return (
        "authorization" not in request.headers
        and "x-api-key" not in request.headers
        and (settings.session_cookie_name in request.cookies)
    )


def refuse_cross_site(request: Request) -> None:
    """A cookie-authenticated change must come from our own pages (besides SameSite=Strict, for old
    browsers and subdomains): an Origin naming another site is refused."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1].rstrip("/") != host:
        raise Forbidden(
            f"a change from another site ({origin[:100]}) is not accepted with the session cookie"
        )


async def authenticate(request: Request) -> Caller | None:
    """The caller of this request, None when it carries no credential; 401 when one is wrong."""
    settings: Settings = request.app.state.settings
    value = presented_credential(request, settings)
    if value is None:
        return None
    if len(value) > 4096:
        raise Unauthorized("the credential is too long to be one of ours")
    db: Database = request.app.state.db
    # Both look-ups are reads: no transaction to begin and commit on every call at the door.
    if value.startswith(API_KEY_PREFIX):
        async with db.read_session() as session:
            caller, use_due = await key_caller(session, value)
        if use_due:
            async with db.unit_of_work() as session:
                await record_use(session, caller.credential_id)
        return caller
    if value.startswith(SESSION_PREFIX):
        if from_cookie(request, settings):
            refuse_cross_site(request)
        async with db.read_session() as session:
            found = await session_caller(session, value)
        if found is None:
            raise Unauthorized(
                "your session has expired or was ended; log in again at POST /api/v1/auth/login"
            )
        return found
    if value.count(".") == 2:
        if not settings.accept_operator_tokens:
            raise Unauthorized(f"internal tokens are not accepted at the gateway; {HOW_TO_AUTHENTICATE}")
        principal = verify_internal_token(value, settings.internal_token_secret)
        return Caller(
            principal=principal, credential=CredentialKind.OPERATOR, credential_id=principal.subject
        )
    raise Unauthorized(f"unrecognised credential; {HOW_TO_AUTHENTICATE}")


async def required_caller(request: Request) -> Caller:
    """FastAPI dependency: the authenticated caller, or 401 saying how to authenticate."""
    caller = await authenticate(request)
    if caller is None:
        raise NotAuthenticated(f"authentication required: {HOW_TO_AUTHENTICATE}")
    request.state.caller = caller
    return caller


async def session_dependency(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request on the identity database."""
    db: Database = request.app.state.db
    async with db.unit_of_work() as session:
        yield session


async def policy_dependency(request: Request) -> Policy:
    """The account rules from settings."""
    policy: Policy = request.app.state.policy
    return policy


async def settings_dependency(request: Request) -> Settings:
    """The gateway's settings."""
    settings: Settings = request.app.state.settings
    return settings


CallerDep = Annotated[Caller, Depends(required_caller)]
# scope="function": commit before the response is sent (the default, "request", commits after it
# has gone, so a caller could read its own write as missing, or get a 201 for a write that then fails).
SessionDep = Annotated[AsyncSession, Depends(session_dependency, scope="function")]
PolicyDep = Annotated[Policy, Depends(policy_dependency)]
SettingsDep = Annotated[Settings, Depends(settings_dependency)]
ClientIpDep = Annotated[str | None, Depends(client_ip)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
