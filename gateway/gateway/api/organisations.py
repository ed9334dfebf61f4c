"""Organisations and users: SME self-signup, the office creating organisations, invitations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.api.deps import CallerDep, ClientIpDep, Limit, Offset, PolicyDep, SessionDep
from gateway.api.schemas import (
    AcceptInvitation,
    InvitationRead,
    InviteUser,
    OrganisationCreate,
    OrganisationCreated,
    OrganisationPage,
    OrganisationRead,
    SignUp,
    SignUpResponse,
    UserRead,
)
from gateway.db import repositories as repo
from gateway.db.tables import OrgKind
from gateway.domain import accounts
from smefin.auth import Role
from smefin.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _invitation(inv: accounts.Invitation) -> InvitationRead:
    assert inv.user.invitation_expires_at is not None
    return InvitationRead(
        user=UserRead.model_validate(inv.user),
        invitation_token=inv.token,
        expires_at=inv.user.invitation_expires_at,
    )


@router.post("/signup", status_code=201, response_model=SignUpResponse, summary="An SME signs itself up")
async def sign_up(body: SignUp, session: SessionDep, policy: PolicyDep, ip: ClientIpDep) -> SignUpResponse:
    """Create the SME's organisation (its USCC) and its admin; then log in and register the enterprise."""
    org, user = await accounts.sign_up_sme(
        session=session,
        policy=policy,
        uscc=body.uscc,
        enterprise_name=body.enterprise_name,
        email=body.email,
        display_name=body.display_name,
        password=body.password,
        client_ip=ip,
    )
    return SignUpResponse(
        organisation=OrganisationRead.model_validate(org), user=UserRead.model_validate(user)
    )


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationCreated,
    summary="The office creates an organisation",
)
async def create_organisation(
    body: OrganisationCreate, caller: CallerDep, session: SessionDep, policy: PolicyDep, ip: ClientIpDep
) -> OrganisationCreated:
    """A bank, guarantee company, organizer or league office, with its first admin invited."""
    org, inv = await accounts.create_organisation(
        session=session,
        policy=policy,
        caller=caller,
        kind=body.kind,
        name=body.name,
        org_id=body.org_id,
        league_code=body.league_code,
        admin_email=body.admin_email,
        admin_name=body.admin_name,
        client_ip=ip,
    )
    return OrganisationCreated(organisation=OrganisationRead.model_validate(org), admin=_invitation(inv))


@router.get("/organisations", response_model=OrganisationPage, summary="Organisations (office)")
async def list_organisations(
    caller: CallerDep,
    session: SessionDep,
    kind: Annotated[OrgKind | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> OrganisationPage:
    """Every organisation, newest first: the office only."""
    caller.require_office()
    rows, total = await repo.list_orgs(session, kind.value if kind else None, limit, offset)
    return OrganisationPage(
        items=[OrganisationRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/organisations/{org_id}", response_model=OrganisationRead, summary="One organisation")
async def get_organisation(
    org_id: Annotated[str, "id"], caller: CallerDep, session: SessionDep
) -> OrganisationRead:
    """Your own organisation; the office sees any."""
    if caller.principal.org_id != org_id and caller.principal.role != Role.OFFICE:
        raise NotFound(f"organisation {org_id} is not yours")
    org = await repo.get_org(session, org_id[:64])
    if org is None:
        raise NotFound(f"organisation {org_id} does not exist")
    return OrganisationRead.model_validate(org)


@router.get(
    "/organisations/{org_id}/users", response_model=list[UserRead], summary="Users of an organisation"
)
async def list_users(org_id: str, caller: CallerDep, session: SessionDep) -> list[UserRead]:
    """Your organisation's users (admins), any organisation's (the office)."""
    if caller.principal.role != Role.OFFICE or caller.user is None:
        caller.require_admin()
        if caller.principal.org_id != org_id:
            raise NotFound(f"organisation {org_id} is not yours")
    return [UserRead.model_validate(u) for u in await repo.list_users(session, org_id[:64])]


@router.post(
    "/organisations/{org_id}/users",
    status_code=201,
    response_model=InvitationRead,
    summary="Invite a colleague",
)
async def invite_user(
    org_id: str, body: InviteUser, caller: CallerDep, session: SessionDep, policy: PolicyDep, ip: ClientIpDep
) -> InvitationRead:
    """An admin invites a user; hand the invitation token to them (shown once)."""
    inv = await accounts.invite_user(
        session=session,
        policy=policy,
        caller=caller,
        org_id=org_id[:64],
        email=body.email,
        display_name=body.display_name,
        is_admin=body.is_admin,
        client_ip=ip,
    )
    return _invitation(inv)


@router.post(
    "/invitations/accept", response_model=UserRead, summary="Accept an invitation and set a password"
)
async def accept_invitation(body: AcceptInvitation, session: SessionDep, ip: ClientIpDep) -> UserRead:
    """The invitee chooses a password; then log in."""
    user = await accounts.accept_invitation(
        session=session, token=body.invitation_token, password=body.password, client_ip=ip
    )
    return UserRead.model_validate(user)
