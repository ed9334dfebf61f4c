"""Request and response bodies of the gateway's own endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from gateway.db.tables import OrgKind
from smefin.reference import UsccStr

Password = Annotated[str, StringConstraints(min_length=12, max_length=128)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Email = Annotated[
    str,
    StringConstraints(
        min_length=3,
        max_length=254,
        strip_whitespace=True,
        pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Strict):
    """Email and password."""

    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "office@demo.smefin", "password": "demo-office-password"}]},
    )


class OrganisationRead(BaseModel):
    """An organisation."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: OrgKind
    name: str
    uscc: str | None
    league_code: str | None
    created_at: datetime


class UserRead(BaseModel):
    """A user account (never its password or invitation)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    org_id: str
    email: str
    display_name: str
    is_admin: bool
    status: str
    last_login_at: datetime | None
    created_at: datetime


class LoginResponse(BaseModel):
    """A session: also set as an HttpOnly cookie; scripts send `access_token` as a bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserRead
    organisation: OrganisationRead


class WhoAmI(BaseModel):
    """The caller as the services will see it."""

    subject: str
    role: str
    org_id: str
    uscc: str | None
    league_code: str | None
    credential: str
    scopes: list[str] | None
    is_admin: bool


class PasswordChange(_Strict):
    """Change one's own password."""

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    new_password: Password


class SignUp(_Strict):
    """An SME signs itself up with its USCC (统一社会信用代码)."""

    uscc: UsccStr
    enterprise_name: Name
    email: Email
    display_name: Name
    password: Password

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "uscc": "91150602MA0E2E0001",
                    "enterprise_name": "鄂尔多斯绒纺有限公司",
                    "email": "finance@example.cn",
                    "display_name": "王经理",
                    "password": "a long passphrase here",
                }
            ]
        },
    )


class SignUpResponse(BaseModel):
    """The new SME organisation and its admin user; log in next."""

    organisation: OrganisationRead
    user: UserRead


class OrganisationCreate(_Strict):
    """The office creates an organisation and invites its first admin."""

    kind: OrgKind
    name: Name
    org_id: Annotated[str | None, StringConstraints(min_length=3, max_length=64)] = None
    league_code: Annotated[str | None, StringConstraints(pattern=r"^\d{6}$")] = None
    admin_email: Email
    admin_name: Name

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "bank",
                    "name": "内蒙古银行",
                    "org_id": "bank-bonm",
                    "admin_email": "it@bonm.example.cn",
                    "admin_name": "系统管理员",
                }
            ]
        },
    )


class InvitationRead(BaseModel):
    """An invited user and the one-time invitation token (shown once; hand it to the person)."""

    user: UserRead
    invitation_token: str
    expires_at: datetime


class OrganisationCreated(BaseModel):
    """The new organisation and the invitation of its first admin."""

    organisation: OrganisationRead
    admin: InvitationRead


class OrganisationPage(BaseModel):
    """A page of organisations."""

    items: list[OrganisationRead]
    total: int
    limit: int
    offset: int


class InviteUser(_Strict):
    """An admin invites a colleague."""

    email: Email
    display_name: Name
    is_admin: StrictBool = False


class AcceptInvitation(_Strict):
    """The invitee sets a password."""

    invitation_token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    password: Password


class ApiKeyCreate(_Strict):
    """A new key: a name, scopes (family:read|write) and a lifetime."""

    name: Name
    scopes: Annotated[
        list[Annotated[str, StringConstraints(max_length=40)]], Field(min_length=1, max_length=20)
    ]
    expires_in_days: Annotated[int, Field(ge=1, le=365, strict=True)] = 90

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "core banking", "scopes": ["lending:write", "credit:read"], "expires_in_days": 90}
            ]
        },
    )


class ApiKeyRead(BaseModel):
    """A key as listed: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    name: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """A new key with its full value, shown this once only."""

    key: str


class AuditEventRead(BaseModel):
    """One audit event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    org_id: str | None
    actor: str | None
    client_ip: str | None
    method: str | None
    path: str | None
    status: int | None
    detail: str | None


class AuditPage(BaseModel):
    """A page of audit events, newest first."""

    items: list[AuditEventRead]
    total: int
    limit: int
    offset: int
