"""Identity tables of the gateway: organisations, users, sessions, API keys, audit, idempotency."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Column, Field, SQLModel

from smefin.db import new_registry, utcnow


class Base(SQLModel, registry=new_registry()):
    """Base of every gateway table."""


def _ts(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)  # type: ignore[call-overload]
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


def _str(length: int, *, nullable: bool = False, **kw: Any) -> Any:
    if nullable:
        return Field(default=None, sa_type=String(length), nullable=True, **kw)  # type: ignore[call-overload]
    return Field(sa_type=String(length), **kw)  # type: ignore[call-overload]


class OrgKind(StrEnum):
    """What kind of organisation an account belongs to; it decides the role in the internal token."""

    BANK = "bank"  # banks and micro-loan companies
    GUARANTOR = "guarantor"  # credit-guarantee companies (信用担保公司)
    SME = "sme"  # an enterprise (中小微企业), identified by its USCC
    OFFICE = "office"  # the regional financial office (金融办 / 中小企业局)
    LEAGUE_OFFICE = "league_office"  # a league-level window platform, one league only
    ORGANIZER = "organizer"  # bank–enterprise fair organizers (银企对接会)


class UserStatus(StrEnum):
    """Lifecycle of a user account."""

    INVITED = "invited"  # created by an admin; no password until the invitation is accepted
    ACTIVE = "active"
    DISABLED = "disabled"


class Organisation(Base, table=True):
    """An organisation with accounts on the platform; its id is the `org` claim services see."""

    __tablename__ = "organisations"

    id: str = Field(sa_type=String(64), primary_key=True)  # type: ignore[call-overload]
    kind: str = _str(20, index=True)
    name: str = _str(200)
    uscc: str | None = _str(18, nullable=True, unique=True)
    league_code: str | None = _str(6, nullable=True)
    created_by: str | None = _str(200, nullable=True)
    created_at: datetime = _ts()


class User(Base, table=True):
    """A person who logs in with an email and a password (argon2 hash)."""

    __tablename__ = "users"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    org_id: str = Field(sa_column=Column(ForeignKey("organisations.id"), nullable=False, index=True))
    email: str = _str(254, unique=True)
    display_name: str = _str(200)
    is_admin: bool = Field(default=False, sa_type=Boolean)  # type: ignore[call-overload]
    status: str = _str(16)
    password_hash: str | None = _str(255, nullable=True)
    failed_logins: int = Field(default=0, sa_type=Integer)  # type: ignore[call-overload]
    locked_until: datetime | None = _ts(nullable=True)
    invitation_hash: str | None = _str(64, nullable=True, unique=True)
    invitation_expires_at: datetime | None = _ts(nullable=True)
    password_changed_at: datetime | None = _ts(nullable=True)
    last_login_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()


class LoginSession(Base, table=True):
    """A short-lived session: the cookie of a browser or the access token of a script (stored hashed)."""

    __tablename__ = "login_sessions"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    token_hash: str = _str(64, unique=True)
    user_id: UUID = Field(sa_column=Column(ForeignKey("users.id"), nullable=False, index=True))
    client_ip: str | None = _str(64, nullable=True)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)


class ApiKey(Base, table=True):
    """A bank's or guarantor's system credential: shown once, stored hashed, scoped, expiring."""

    __tablename__ = "api_keys"

    id: str = Field(sa_type=String(32), primary_key=True)  # type: ignore[call-overload]
    org_id: str = Field(sa_column=Column(ForeignKey("organisations.id"), nullable=False, index=True))
    name: str = _str(100)
    secret_hash: str = _str(64)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    created_by: str = _str(200)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    last_used_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)
    revoked_by: str | None = _str(200, nullable=True)


class AuditEvent(Base, table=True):
    """Who did what at the door, when and from where: logins, keys, refused calls."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)  # type: ignore[call-overload]
    kind: str = _str(40, index=True)
    org_id: str | None = _str(64, nullable=True, index=True)
    actor: str | None = _str(254, nullable=True)
    client_ip: str | None = _str(64, nullable=True)
    method: str | None = _str(10, nullable=True)
    path: str | None = _str(500, nullable=True)
    status: int | None = Field(default=None, sa_type=Integer, nullable=True)  # type: ignore[call-overload]
    detail: str | None = _str(500, nullable=True)


class IdempotencyRecord(Base, table=True):
    """The first answer to a creating POST with an Idempotency-Key, kept for the replay window."""

    __tablename__ = "idempotency_records"

    scope: str = Field(sa_type=String(200), primary_key=True)  # type: ignore[call-overload]
    key: str = Field(sa_type=String(255), primary_key=True)  # type: ignore[call-overload]
    fingerprint: str = _str(64)
    status: int | None = Field(default=None, sa_type=Integer, nullable=True)  # type: ignore[call-overload]
    content_type: str | None = _str(200, nullable=True)
    body: bytes | None = Field(default=None, sa_type=LargeBinary, nullable=True)  # type: ignore[call-overload]
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), index=True)  # type: ignore[call-overload]
