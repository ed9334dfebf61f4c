"""Annotated dependency aliases and object-level checks for guarantee-registry endpoints."""

from typing import Annotated

from fastapi import Depends, Request

from guarantee_registry.db.tables import GuaranteeCompany
from guarantee_registry.domain.rules import MANAGERS, Policy
from smefin.auth import Principal, PrincipalDep, Role
from smefin.errors import Forbidden
from smefin.schemas import Limit, Offset
from smefin.web import OutboxDep, SessionDep


def _policy(request: Request) -> Policy:
    policy: Policy = request.app.state.settings.policy()
    return policy


PolicyDep = Annotated[Policy, Depends(_policy)]


def can_manage(principal: Principal, company: GuaranteeCompany) -> None:
    """Office and services manage every company; a guarantor only its own (principal.org_id)."""
    if principal.role in MANAGERS:
        return
    if principal.role == Role.GUARANTOR and company.owner_org_id == principal.org_id:
        return
    raise Forbidden("only the company's own guarantor organisation or the office may change it")


__all__ = [
    "MANAGERS",
    "Limit",
    "Offset",
    "OutboxDep",
    "PolicyDep",
    "PrincipalDep",
    "SessionDep",
    "can_manage",
]
