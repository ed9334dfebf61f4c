"""Password logins: log in (cookie + access token), log out, who am I, change password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway.api.deps import CallerDep, ClientIpDep, PolicyDep, SessionDep, SettingsDep
from gateway.api.schemas import (
    LoginRequest,
    LoginResponse,
    OrganisationRead,
    PasswordChange,
    UserRead,
    WhoAmI,
)
from gateway.domain import accounts
from gateway.protection import RateLimits
from smefin.db import Database
from smefin.schemas import Problem

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=LoginResponse,
    summary="Log in with email and password",
    responses={
        401: {"model": Problem, "description": "The email or the password is wrong"},
        423: {"model": Problem, "description": "Locked for a while after too many wrong passwords"},
    },
)
async def log_in(
    body: LoginRequest,
    request: Request,
    response: Response,
    policy: PolicyDep,
    settings: SettingsDep,
    ip: ClientIpDep,
) -> LoginResponse:
    """Open a short-lived session: an HttpOnly SameSite cookie for the site, `access_token` for scripts."""
    limits: RateLimits = request.app.state.rate_limits
    await limits.hit("login", ip or "unknown")
    db: Database = request.app.state.db
    # Its own unit of work: a failed attempt (counter, lock-out, audit) must commit before refusing.
    async with db.unit_of_work() as session:
        outcome = await accounts.log_in(
            session=session, policy=policy, email=body.email, password=body.password, client_ip=ip
        )
    if not isinstance(outcome, accounts.NewSession):
        request.state.audited = True
        raise outcome
    response.set_cookie(
        settings.session_cookie_name,
        outcome.token,
        max_age=int(policy.session_ttl.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    return LoginResponse(
        access_token=outcome.token,
        expires_at=outcome.session.expires_at,
        user=UserRead.model_validate(outcome.user),
        organisation=OrganisationRead.model_validate(outcome.org),
    )


@router.post("/logout", status_code=204, summary="End this session")
async def log_out(
    caller: CallerDep, session: SessionDep, response: Response, settings: SettingsDep, ip: ClientIpDep
) -> Response:
    """The cookie and the access token stop working at once."""
    await accounts.log_out(session=session, caller=caller, client_ip=ip)
    response.status_code = 204
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@router.get("/me", response_model=WhoAmI, summary="Who the services will see")
async def who_am_i(caller: CallerDep) -> WhoAmI:
    """The principal the gateway forwards for this credential."""
    p = caller.principal
    return WhoAmI(
        subject=p.subject,
        role=p.role.value,
        org_id=p.org_id,
        uscc=p.uscc,
        league_code=p.league_code,
        credential=caller.credential.value,
        scopes=caller.scopes,
        is_admin=caller.is_admin,
    )


@router.post("/password", status_code=204, summary="Change your password")
async def change_password(
    body: PasswordChange, caller: CallerDep, session: SessionDep, ip: ClientIpDep
) -> Response:
    """Needs the current password; every other session of yours ends."""
    await accounts.change_password(
        session=session, caller=caller, current=body.current_password, new=body.new_password, client_ip=ip
    )
    return Response(status_code=204)
