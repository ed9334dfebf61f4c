"""The signed internal token the gateway forwards, and the principal it names.

Nothing behind the gateway trusts an unsigned header: every service verifies this token itself
and applies object-level rules with the principal it yields.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, TypeVar

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from smefin.db import utcnow
from smefin.errors import Forbidden, Unauthorized

ISSUER = "smefin-gateway"
AUDIENCE = "smefin-services"
ALGORITHM = "HS256"


class Role(StrEnum):
    """Who is calling."""

    SME = "sme"
    BANK = "bank"
    GUARANTOR = "guarantor"
    OFFICE = "office"  # the financial office (金融办 / 中小企业局)
    ORGANIZER = "organizer"
    SERVICE = "service"  # another service or an operator job
    # A league-level window platform (盟市窗口平台): office reads, limited to `league_code`.
    LEAGUE_OFFICE = "league_office"


class Principal(BaseModel):
    """An authenticated caller: a role and the organisation it acts for."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    org_id: str
    # For an SME: its USCC, so every enterprise-level check is a string compare.
    uscc: str | None = None
    # For a league office: the one league (GB/T 2260 code) whose data it may read.
    league_code: str | None = None

    def require(self, *roles: Role) -> Principal:
        """Raise 403 unless the principal has one of `roles`."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"this action needs one of the roles: {allowed}; you are {self.role}")
        return self


def issue_internal_token(principal: Principal, secret: str, ttl: timedelta = timedelta(minutes=5)) -> str:
    """Sign a short-lived token naming `principal` (the gateway does this per request)."""
    now = utcnow()
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl,
        "sub": principal.subject,
        "role": principal.role.value,
        "org": principal.org_id,
        "uscc": principal.uscc,
        "league_code": principal.league_code,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# Tokens already verified, by their exact string and the secret that verified them, with their expiry:
# the gateway reuses a token for a caller while it is young, so a hot caller costs one HMAC, not one per
# request. Bounded; emptied when full (refilled by the next requests at one verification each).
_VERIFIED: dict[tuple[str, str], tuple[Principal, float]] = {}
VERIFIED_CACHE_SIZE = 4096


def verify_internal_token(token: str, secret: str) -> Principal:
    """Check signature, audience and expiry; return the principal or raise 401."""
    cached = _VERIFIED.get((token, secret))
    if cached is not None:
        if time.time() < cached[1]:
            return cached[0]
        del _VERIFIED[(token, secret)]
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER)
        principal = Principal(
            subject=claims["sub"],
            role=Role(claims["role"]),
            org_id=claims["org"],
            uscc=claims.get("uscc"),
            league_code=claims.get("league_code"),
        )
        expires = float(claims["exp"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized(f"invalid internal token: {exc}") from exc
    if len(_VERIFIED) >= VERIFIED_CACHE_SIZE:
        _VERIFIED.clear()
    _VERIFIED[(token, secret)] = (principal, expires)
    return principal


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller of this request (async: no thread hop per request)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing bearer token; call the platform through the gateway")
    secret: str = request.app.state.settings.internal_token_secret
    return verify_internal_token(token, secret)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


# The roles that read office aggregates: the regional office everywhere, a league office in its league.
OFFICE_ROLES = (Role.OFFICE, Role.LEAGUE_OFFICE)


def league_scope(principal: Principal, requested: str | None = None) -> str | None:
    """The league filter an office read must apply: what was asked, or a league office's own league.

    A league office asking for another league is refused (403); services call this where the office
    reads lists or aggregates by league, so a league office never sees beyond its `league_code`.
    """
    if principal.role != Role.LEAGUE_OFFICE:
        return requested
    if principal.league_code is None:
        raise Forbidden("this league-office token names no league; ask the office to fix the account")
    if requested is not None and requested != principal.league_code:
        raise Forbidden(
            f"a league office reads only its own league ({principal.league_code}), not {requested}"
        )
    return principal.league_code


T = TypeVar("T")


def in_league_scope(principal: Principal, items: Iterable[T], league_of: Callable[[T], str]) -> list[T]:
    """The items a principal may see of an office aggregate: all, or a league office's own league's."""
    own = league_scope(principal)
    return [item for item in items if own is None or league_of(item) == own]
