"""Credit reports (信用报告): JSON and a printable page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.api.deps import PrincipalDep, PurposeQuery, SessionDep, UsccPath, authorize_read
from credit_info.db import repositories as repo
from credit_info.domain.consents import LookupPurpose
from credit_info.domain.credit_reports import build_report
from smefin.auth import Principal
from smefin.errors import NotFound

router = APIRouter(prefix="/api/v1/credit-reports", tags=["credit-reports"])
_templates = Environment(
    loader=PackageLoader("credit_info", "web/templates"), autoescape=select_autoescape(["html"])
)


async def _report(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    uscc: UsccPath,
    purpose: LookupPurpose | None,
    resource: str,
) -> dict[str, Any]:
    access = await authorize_read(request, session, principal, uscc, resource, purpose)
    ent = await repo.get_enterprise(session, uscc)
    if ent is None:
        raise NotFound(f"enterprise {uscc} is not registered")
    lookup = {
        "viewer_org_id": principal.org_id,
        "viewer_role": principal.role.value,
        "purpose": access.purpose,
        "consent_id": str(access.consent_id) if access.consent_id else None,
    }
    return await build_report(session, ent, lookup)


@router.get("/{uscc}")
async def get_report(
    uscc: UsccPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    purpose: PurposeQuery = None,
) -> dict[str, Any]:
    """The credit report as JSON: basic info, records by section, disputes, rating with reasons."""
    return await _report(request, session, principal, uscc, purpose, "credit-report")


@router.get("/{uscc}/print", response_class=HTMLResponse)
async def print_report(
    uscc: UsccPath,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    purpose: PurposeQuery = None,
) -> HTMLResponse:
    """The credit report as a printable HTML page."""
    report = await _report(request, session, principal, uscc, purpose, "credit-report-html")
    return HTMLResponse(_templates.get_template("report.html").render(r=report))
