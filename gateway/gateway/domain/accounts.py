"""Accounts: SME self-signup, organisations created by the office, invitations, password logins."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db import repositories as repo
from gateway.db.tables import LoginSession, Organisation, OrgKind, User, UserStatus
from gateway.domain import credentials
from gateway.domain.audit import AuditKind, record
from gateway.domain.callers import AccountLocked, Caller, CredentialKind, principal_of
from smefin.db import utcnow
from smefin.errors import Conflict, DomainError, NotFound, Unauthorized, Unprocessable
from smefin.reference import InvalidUscc, UnknownDivision, league, parse_uscc

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
WRONG_LOGIN = "email or password is wrong"


@dataclass(frozen=True)
class Policy:
    """The account rules taken from settings."""

    session_ttl: timedelta
    max_failed_logins: int
    lockout: timedelta
    invitation_ttl: timedelta


@dataclass(frozen=True)
class NewSession:
    """A login's outcome: the token (shown once) and what it stands for."""

    token: str
    session: LoginSession
    user: User
    org: Organisation


@dataclass(frozen=True)
class Invitation:
    """An invited user and the one-time token that lets them set a password."""

    user: User
    token: str


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


async def _hash(password: str) -> str:
    # argon2 takes ~0.2 s of CPU: off the event loop, so other requests keep flowing.
    return await asyncio.to_thread(credentials.hash_password, password)


def _check_password_choice(password: str, email: str) -> None:
    if password.strip().lower() == email.split("@")[0] or password.lower() == email:
        raise Unprocessable("the password must not be your email; choose at least 12 characters")


async def _new_user(
    session: AsyncSession,
    *,
    org: Organisation,
    email: str,
    display_name: str,
    is_admin: bool,
    password: str | None,
    policy: Policy,
) -> Invitation | User:
    email = normalise_email(email)
    if await repo.get_user_by_email(session, email) is not None:
        raise Conflict(f"an account with email {email} already exists")
    user = User(org_id=org.id, email=email, display_name=display_name, is_admin=is_admin, status="")
    if password is not None:
        _check_password_choice(password, email)
        user.status = UserStatus.ACTIVE
        user.password_hash = await _hash(password)
        user.password_changed_at = utcnow()
        session.add(user)
        await session.flush()
        return user
    token = credentials.new_invitation_token()
    user.status = UserStatus.INVITED
    user.invitation_hash = credentials.digest(token)
    user.invitation_expires_at = utcnow() + policy.invitation_ttl
    session.add(user)
    await session.flush()
    return Invitation(user=user, token=token)


async def sign_up_sme(
    *,
    session: AsyncSession,
    policy: Policy,
    uscc: str,
    enterprise_name: str,
    email: str,
    display_name: str,
    password: str,
    client_ip: str | None,
) -> tuple[Organisation, User]:
    """An SME signs itself up with its USCC and becomes the owner of that enterprise (自助注册)."""
    try:
        parsed = parse_uscc(uscc)
    except InvalidUscc as exc:
        raise Unprocessable(str(exc)) from None
    if await repo.get_org_by_uscc(session, parsed.code) is not None:
        raise Conflict(
            f"enterprise {parsed.code} already has an account; ask its administrator to invite you"
        )
    # The USCC is the SME's organisation id: the services know an SME by it.
    org = Organisation(
        id=parsed.code, kind=OrgKind.SME, name=enterprise_name, uscc=parsed.code, created_by="signup"
    )
    session.add(org)
    await session.flush()
    user = await _new_user(
        session,
        org=org,
        email=email,
        display_name=display_name,
        is_admin=True,
        password=password,
        policy=policy,
    )
    assert isinstance(user, User)
    record(session, kind=AuditKind.SIGNED_UP, org_id=org.id, actor=user.email, client_ip=client_ip)
    return org, user


async def create_organisation(
    *,
    session: AsyncSession,
    policy: Policy,
    caller: Caller,
    kind: OrgKind,
    name: str,
    org_id: str | None,
    league_code: str | None,
    admin_email: str,
    admin_name: str,
    client_ip: str | None,
) -> tuple[Organisation, Invitation]:
    """The office creates a bank, guarantor, organizer, league office (or office) and its first admin."""
    caller.require_office()
    if kind == OrgKind.SME:
        raise Unprocessable("an SME signs itself up with its USCC at POST /api/v1/signup")
    if kind == OrgKind.LEAGUE_OFFICE:
        if league_code is None:
            raise Unprocessable("a league office needs league_code (one of the 12 leagues, e.g. 150600)")
        try:
            league(league_code)
        except UnknownDivision as exc:
            raise Unprocessable(str(exc)) from None
    elif league_code is not None:
        raise Unprocessable("league_code is only for a league office")
    if org_id is None:
        org_id = f"{kind.value.replace('_', '-')}-{secrets.token_hex(4)}"
    elif not _SLUG.match(org_id):
        raise Unprocessable("org_id: 3-64 lower-case letters, digits or dashes, e.g. bank-icbc-nm")
    if await repo.get_org(session, org_id) is not None:
        raise Conflict(f"organisation {org_id} already exists")
    org = Organisation(
        id=org_id, kind=kind, name=name, league_code=league_code, created_by=caller.principal.subject
    )
    session.add(org)
    await session.flush()
    invitation = await _new_user(
        session,
        org=org,
        email=admin_email,
        display_name=admin_name,
        is_admin=True,
        password=None,
        policy=policy,
    )
    assert isinstance(invitation, Invitation)
    record(
        session,
        kind=AuditKind.ORGANISATION_CREATED,
        org_id=org.id,
        actor=caller.principal.subject,
        client_ip=client_ip,
        detail=f"{kind.value} {name}; first admin {invitation.user.email} invited",
    )
    return org, invitation


async def invite_user(
    *,
    session: AsyncSession,
    policy: Policy,
    caller: Caller,
    org_id: str,
    email: str,
    display_name: str,
    is_admin: bool,
    client_ip: str | None,
) -> Invitation:
    """An organisation's admin invites a colleague; the invitation token is shown once."""
    caller.require_admin()
    if caller.principal.org_id != org_id:
        raise NotFound(f"organisation {org_id} is not yours")
    org = await repo.get_org(session, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id} does not exist")
    invitation = await _new_user(
        session,
        org=org,
        email=email,
        display_name=display_name,
        is_admin=is_admin,
        password=None,
        policy=policy,
    )
    assert isinstance(invitation, Invitation)
    record(
        session,
        kind=AuditKind.USER_INVITED,
        org_id=org.id,
        actor=caller.principal.subject,
        client_ip=client_ip,
        detail=f"invited {invitation.user.email}{' as admin' if is_admin else ''}",
    )
    return invitation


async def accept_invitation(
    *, session: AsyncSession, token: str, password: str, client_ip: str | None
) -> User:
    """The invitee sets a password; the invitation can be used once, before it expires."""
    user = await repo.get_user_by_invitation(session, credentials.digest(token))
    now = utcnow()
    if user is None or user.status != UserStatus.INVITED:
        raise NotFound("this invitation is unknown or was already used; ask your administrator again")
    if user.invitation_expires_at is None or user.invitation_expires_at <= now:
        raise Unprocessable("this invitation has expired; ask your administrator to invite you again")
    _check_password_choice(password, user.email)
    user.password_hash = await _hash(password)
    user.password_changed_at = now
    user.status = UserStatus.ACTIVE
    user.invitation_hash = None
    user.invitation_expires_at = None
    session.add(user)
    record(
        session,
        kind=AuditKind.INVITATION_ACCEPTED,
        org_id=user.org_id,
        actor=user.email,
        client_ip=client_ip,
    )
    return user


async def log_in(
    *, session: AsyncSession, policy: Policy, email: str, password: str, client_ip: str | None
) -> NewSession | DomainError:
    """Check a password and open a session; a refusal is returned (not raised) so its record commits."""
    email = normalise_email(email)
    now = utcnow()
    user = await repo.get_user_by_email(session, email, lock=True)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        record(
            session,
            kind=AuditKind.LOGIN_LOCKED,
            org_id=user.org_id,
            actor=email,
            client_ip=client_ip,
            status=423,
        )
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return AccountLocked(
            f"this account is locked after {policy.max_failed_logins} failed logins; "
            f"try again in {minutes} minute(s) or ask your administrator"
        )
    ok = await asyncio.to_thread(
        credentials.verify_password, password, user.password_hash if user is not None else None
    )
    if user is None or not ok or user.status != UserStatus.ACTIVE:
        detail = WRONG_LOGIN
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failed_logins:
                user.locked_until = now + policy.lockout
                user.failed_logins = 0
                detail = f"{WRONG_LOGIN}; the account is now locked for {int(policy.lockout.total_seconds() // 60)} minutes"
            session.add(user)
        record(
            session,
            kind=AuditKind.LOGIN_FAILED,
            org_id=user.org_id if user is not None else None,
            actor=email,
            client_ip=client_ip,
            status=401,
        )
        return Unauthorized(detail)
    org = await repo.get_org(session, user.org_id)
    assert org is not None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    token = credentials.new_session_token()
    login = LoginSession(
        token_hash=credentials.digest(token),
        user_id=user.id,
        client_ip=client_ip,
        created_at=now,
        expires_at=now + policy.session_ttl,
    )
    session.add_all([user, login])
    record(session, kind=AuditKind.LOGIN_SUCCEEDED, org_id=org.id, actor=email, client_ip=client_ip)
    await session.flush()
    return NewSession(token=token, session=login, user=user, org=org)


async def session_caller(session: AsyncSession, token: str) -> Caller | None:
    """The caller behind a session token, or None when it is unknown, expired or revoked."""
    found = await repo.get_live_session(session, credentials.digest(token), utcnow())
    if found is None:
        return None
    login, user, org = found
    return Caller(
        principal=principal_of(org, f"user:{user.id}"),
        credential=CredentialKind.SESSION,
        credential_id=str(login.id),
        org=org,
        user=user,
    )


async def log_out(*, session: AsyncSession, caller: Caller, client_ip: str | None) -> None:
    """End the caller's session."""
    if caller.session_id is None:
        raise Unprocessable("only a password login has a session to end; revoke an API key instead")
    await repo.revoke_session(session, caller.session_id, utcnow())
    record(
        session,
        kind=AuditKind.LOGOUT,
        org_id=caller.principal.org_id,
        actor=caller.user.email if caller.user else None,
        client_ip=client_ip,
    )


async def change_password(
    *, session: AsyncSession, caller: Caller, current: str, new: str, client_ip: str | None
) -> None:
    """Change one's own password; every other session of the user ends."""
    if caller.user is None or caller.session_id is None:
        raise Unprocessable("only a person logged in with a password can change it")
    user = await repo.get_user(session, caller.user.id)
    assert user is not None
    if not await asyncio.to_thread(credentials.verify_password, current, user.password_hash):
        raise Unprocessable("current_password: that is not your current password")
    if current == new:
        raise Unprocessable("new_password: choose a password different from the current one")
    _check_password_choice(new, user.email)
    user.password_hash = await _hash(new)
    user.password_changed_at = utcnow()
    session.add(user)
    await repo.revoke_user_sessions(session, user.id, utcnow(), keep=caller.session_id)
    record(
        session, kind=AuditKind.PASSWORD_CHANGED, org_id=user.org_id, actor=user.email, client_ip=client_ip
    )


async def ensure_office_admin(
    *, session: AsyncSession, org_id: str, name: str, email: str, password: str
) -> bool:
    """Create the regional office and its first admin once (`make run` and deployments bootstrap it)."""
    if await repo.get_org(session, org_id) is not None:
        return False
    org = Organisation(id=org_id, kind=OrgKind.OFFICE, name=name, created_by="bootstrap")
    session.add(org)
    await session.flush()
    policy = Policy(timedelta(minutes=30), 5, timedelta(minutes=15), timedelta(days=7))
    await _new_user(
        session, org=org, email=email, display_name=name, is_admin=True, password=password, policy=policy
    )
    return True
