"""Who is calling through the door, and the principal the services are told about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from gateway.db.tables import Organisation, OrgKind, User
from smefin.auth import Principal, Role
from smefin.errors import DomainError, Forbidden

ROLE_OF_KIND: dict[OrgKind, Role] = {
    OrgKind.BANK: Role.BANK,
    OrgKind.GUARANTOR: Role.GUARANTOR,
    OrgKind.SME: Role.SME,
    OrgKind.OFFICE: Role.OFFICE,
    OrgKind.LEAGUE_OFFICE: Role.LEAGUE_OFFICE,
    OrgKind.ORGANIZER: Role.ORGANIZER,
}
# Organisations whose systems call the API with keys (the bank and guarantor integrations).
KEY_HOLDER_KINDS = frozenset({OrgKind.BANK, OrgKind.GUARANTOR})


class CredentialKind(StrEnum):
    """How the caller proved who it is."""

    SESSION = "session"  # a password login: cookie or bearer access token
    API_KEY = "api_key"
    OPERATOR = "operator"  # an internal token signed with the services' secret (operator jobs)


class AccountLocked(DomainError):
    """Too many failed logins: the account waits out the lock-out."""

    status_code = 423
    code = "account_locked"


class TooManyRequests(DomainError):
    """A rate limit was reached; `retry_after` seconds until the next call is allowed."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    """An authenticated caller of the gateway."""

    principal: Principal
    credential: CredentialKind
    # Session id, API key id or the operator's subject: what rate limits and logout refer to.
    credential_id: str
    org: Organisation | None = None
    user: User | None = None
    # For an API key: what it may do; None means the full rights of the organisation's role.
    scopes: list[str] | None = None

    @property
    def is_admin(self) -> bool:
        """An organisation admin logged in with a password."""
        return self.user is not None and self.user.is_admin

    @property
    def session_id(self) -> UUID | None:
        """The login session, for password logins."""
        return UUID(self.credential_id) if self.credential == CredentialKind.SESSION else None

    def require_admin(self) -> Caller:
        """Refuse unless an organisation admin logged in with a password."""
        if not self.is_admin:
            raise Forbidden(
                "only an administrator of your organisation, logged in with a password, may do this"
            )
        return self

    def require_office(self) -> Caller:
        """Refuse unless a user of the regional financial office."""
        if self.user is None or self.principal.role != Role.OFFICE:
            raise Forbidden("only the financial office (logged in with a password) may do this")
        return self


def principal_of(org: Organisation, subject: str) -> Principal:
    """The principal named in the internal token for a caller of `org`."""
    kind = OrgKind(org.kind)
    return Principal(
        subject=subject,
        role=ROLE_OF_KIND[kind],
        org_id=org.id,
        uscc=org.uscc if kind == OrgKind.SME else None,
        league_code=org.league_code if kind == OrgKind.LEAGUE_OFFICE else None,
    )
