"""The guarantee company's desk (信用担保公司): its companies' profiles and audited history, capital
injections, capacity (leverage, single-client room, outstanding), and the guarantee requests with their
outcomes. Every datum comes from guarantee-registry's public API through the gateway (`upstream.Api`)."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.site.desk import Rule, api_errors
from gateway.site.forms import (
    Refused,
    error_page,
    lang_of,
    read_form,
    refusal_page,
    render,
    rows,
    see_other,
    signed_in,
    submit,
)
from gateway.site.i18n import WORDS, FormErrors
from gateway.site.upstream import Api, ApiAnswer

router = APIRouter(include_in_schema=False)

COMPANY_FIELDS = frozenset(
    {
        "uscc",
        "name",
        "licence_number",
        "registered_capital",
        "paid_in_capital",
        "net_assets",
        "ownership",
        "county_code",
    }
)
# Fields a guarantor changes on its own profile (ownership and divisions stay as registered).
EDITABLE = ("name", "licence_number", "registered_capital", "paid_in_capital", "net_assets")
MONEY_FIELDS = frozenset({"registered_capital", "paid_in_capital", "net_assets"})
INJECTION_FIELDS = frozenset({"amount", "injected_on", "source", "note"})
SOURCES = ("regional_special_fund", "league_fund", "county_matching_fund", "private_capital")
OWNERSHIPS = ("government", "private")
# Several API fields share a name with another form's field: each form's own label (see i18n's
# "g." block) comes from a prefixed name.
COMPANY_NAMES = {f: f"g_{f}" for f in COMPANY_FIELDS}
INJECTION_NAMES = {f: f"gi_{f}" for f in INJECTION_FIELDS}
UUID_RE = re.compile(r"^[0-9a-fA-F-]{36}$")
ACTIONS = ("approve", "decline", "cancel")
GUARANTEE_STATUSES = ("issued", "refused", "released", "claimed", "cancelled", "pending_approval")
INJECTION_RULES = (
    Rule(re.compile(r"is in the future"), "g.error.future"),
    Rule(
        re.compile(r"regional special fund has (?P<left>[\d.]+) yuan left"), "g.error.fund_left", "gi_amount"
    ),
    Rule(re.compile(r"needs county_code"), "g.error.county_needed", "gi_source"),
)
COMPANY_RULES = (
    Rule(
        re.compile(r"paid-in capital .*exceed|paid_in_capital .*registered"),
        "g.error.paid_in",
        "g_paid_in_capital",
    ),
    Rule(re.compile(r"county \d+ is not in league|not in league"), "g.error.county_league", "g_county_code"),
    Rule(re.compile(r"(unknown|no such) (county|division)"), "g.error.county_unknown", "g_county_code"),
)
DECISION_RULES = (
    Rule(re.compile(r"only one waiting for approval"), "g.error.decided"),
    Rule(re.compile(r"only an issued guarantee can be cancelled"), "g.error.not_issued"),
)


def _ratio(part: Any, whole: Any) -> float:
    """How full a limit is, 0-100, for the capacity bars (display only)."""
    try:
        p, w = Decimal(str(part)), Decimal(str(whole))
    except InvalidOperation:
        return 0.0
    if w <= 0:
        return 100.0 if p > 0 else 0.0
    return float(min(max(p / w * 100, Decimal(0)), Decimal(100)))


def _same_money(typed: str, stored: Any) -> bool:
    try:
        return Decimal(typed) == Decimal(str(stored))
    except InvalidOperation:
        return False


async def _own_companies(api: Api, me: dict[str, Any]) -> ApiAnswer:
    return await api.get("/api/v1/guarantee-companies", owner_org_id=me["org_id"], limit=100)


async def _home(request: Request, api: Api, me: dict[str, Any], refused: Refused | None = None) -> Response:
    companies = await _own_companies(api, me)
    if not companies.ok:
        return refusal_page(request, companies, me=me)
    return render(
        request,
        "guarantor/home.html",
        status=refused.status if refused else 200,
        me=me,
        companies=rows(companies),
        ownerships=OWNERSHIPS,
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else {},
    )


@router.get("/guarantor")
async def guarantor_home(request: Request) -> Response:
    """The guarantor's companies; straight to the company when it has one, else the sign-up form."""
    got = await signed_in(request, "guarantor")
    if isinstance(got, Response):
        return got
    api, me = got
    if request.query_params.get("all") != "1":
        companies = await _own_companies(api, me)
        found = rows(companies)
        if len(found) == 1:
            return see_other(f"/guarantor/companies/{found[0]['id']}")
    return await _home(request, api, me)


@router.post("/guarantor/companies")
async def register_company(request: Request) -> Response:
    """Register the guarantor's own company (the API makes it the organisation's)."""
    got = await signed_in(request, "guarantor", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body: dict[str, Any] = {name: form.get(mine, "") for name, mine in COMPANY_NAMES.items()}
    body["uscc"] = body["uscc"].upper()
    body["serves_small_micro_agri"] = form.get("g_serves_small_micro_agri") == "on"
    body["approval_required"] = form.get("g_approval_required") == "on"
    if not body["county_code"]:
        del body["county_code"]  # the county follows from the USCC
    lang = lang_of(request)
    return await submit(
        request,
        api,
        "/api/v1/guarantee-companies",
        body,
        form=form,
        done=lambda answer: f"/guarantor/companies/{answer.body['id']}",
        again=lambda refused: _home(request, api, me, refused),
        errors_of=lambda answer: api_errors(
            lang, answer, COMPANY_NAMES, by_status={409: "g.error.company_conflict"}, rules=COMPANY_RULES
        ),
    )


async def _company_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    company_id: str,
    *,
    refused: Refused | None = None,
    failed: str | None = None,
    filter_status: str | None = None,
) -> Response:
    if not UUID_RE.match(company_id):
        return error_page(request, 404, "error.not_found", me=me)
    company = await api.get(f"/api/v1/guarantee-companies/{company_id}")
    if not company.ok:
        return refusal_page(request, company, me=me)
    c = company.body
    if c.get("owner_org_id") != me["org_id"]:
        # Companies are public facts, but the desk is for the company's own guarantor.
        return error_page(request, 403, "error.forbidden", me=me)
    params: dict[str, Any] = {"company_id": company_id, "limit": 100}
    if filter_status:
        params["status"] = filter_status
    # The panels' answers side by side: the page waits for the slowest, not for their sum.
    history, injections, guarantees, waiting = await asyncio.gather(
        api.get(f"/api/v1/guarantee-companies/{company_id}/history"),
        api.get("/api/v1/capital-injections", company_id=company_id, limit=100),
        api.get("/api/v1/guarantees", **params),
        api.get("/api/v1/guarantees", company_id=company_id, status="pending_approval", limit=100),
    )
    current = {COMPANY_NAMES[f]: str(c.get(f) or "") for f in EDITABLE}
    current |= {f"g_{f}": "on" for f in ("serves_small_micro_agri", "approval_required") if c.get(f)}
    typed = refused.form if refused else {}
    return render(
        request,
        "guarantor/company.html",
        status=refused.status if refused else 200,
        me=me,
        c=c,
        cap=c["capacity"],
        history=rows(history),
        injections=rows(injections),
        pending=rows(waiting),
        guarantees=[g for g in rows(guarantees) if g["status"] != "pending_approval"],
        filter_status=filter_status or "",
        statuses=GUARANTEE_STATUSES,
        sources=SOURCES,
        ratio=_ratio,
        known=WORDS,
        errors=refused.errors if refused else FormErrors(),
        form=typed,
        failed=failed,
        profile=typed if failed == "profile" else current,
        row_fields={refused.row: refused.errors} if refused and refused.row else {},
        unavailable=not (history.ok and injections.ok and guarantees.ok and waiting.ok),
    )


@router.get("/guarantor/companies/{company_id}")
async def company_desk(company_id: str, request: Request) -> Response:
    got = await signed_in(request, "guarantor")
    if isinstance(got, Response):
        return got
    wanted = request.query_params.get("status", "")
    return await _company_desk(
        request, *got, company_id, filter_status=wanted if wanted in GUARANTEE_STATUSES else None
    )


@router.post("/guarantor/companies/{company_id}/profile")
async def change_profile(company_id: str, request: Request) -> Response:
    """A new audited version with what the guarantor changed (nothing sent when nothing changed)."""
    got = await signed_in(request, "guarantor", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    if not UUID_RE.match(company_id):
        return error_page(request, 404, "error.not_found", me=me)
    form = await read_form(request)
    current = await api.get(f"/api/v1/guarantee-companies/{company_id}")
    if not current.ok:
        return refusal_page(request, current, me=me)
    c = current.body
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        value = form.get(COMPANY_NAMES[name], "")
        if name in MONEY_FIELDS and _same_money(value, c.get(name)):
            continue
        if value != str(c.get(name) or ""):
            changes[name] = value
    for flag in ("serves_small_micro_agri", "approval_required"):
        ticked = form.get(f"g_{flag}") == "on"
        if ticked != bool(c.get(flag)):
            changes[flag] = ticked
    if not changes:
        return see_other(f"/guarantor/companies/{company_id}")
    lang = lang_of(request)
    return await submit(
        request,
        api,
        f"/api/v1/guarantee-companies/{company_id}",
        changes,
        method="PATCH",
        form=form,
        done=f"/guarantor/companies/{company_id}#history",
        again=lambda refused: _company_desk(request, api, me, company_id, refused=refused, failed="profile"),
        errors_of=lambda answer: api_errors(lang, answer, COMPANY_NAMES, rules=COMPANY_RULES),
    )


@router.post("/guarantor/companies/{company_id}/injections")
async def record_injection(company_id: str, request: Request) -> Response:
    """Capital put in (增资): it raises registered and paid-in capital and net assets."""
    got = await signed_in(request, "guarantor", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body: dict[str, Any] = {
        "company_id": company_id,
        "amount": form.get("gi_amount", ""),
        "injected_on": form.get("gi_injected_on", ""),
        "source": form.get("gi_source", ""),
    }
    if form.get("gi_note"):
        body["note"] = form["gi_note"]
    lang = lang_of(request)
    return await submit(
        request,
        api,
        "/api/v1/capital-injections",
        body,
        form=form,
        done=f"/guarantor/companies/{company_id}#injections",
        again=lambda refused: _company_desk(
            request, api, me, company_id, refused=refused, failed="injection"
        ),
        errors_of=lambda answer: api_errors(lang, answer, INJECTION_NAMES, rules=INJECTION_RULES),
    )


@router.post("/guarantor/companies/{company_id}/guarantees/{guarantee_id}/{action}")
async def decide_guarantee(company_id: str, guarantee_id: str, action: str, request: Request) -> Response:
    """Approve or decline a guarantee held for the company's own yes, or cancel one issued in error."""
    got = await signed_in(request, "guarantor", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    if action not in ACTIONS or not UUID_RE.match(guarantee_id):
        return error_page(request, 404, "error.not_found", me=me)
    form = await read_form(request)
    reason_field = "g_cancel_reason" if action == "cancel" else "g_reason"
    body = {} if action == "approve" else {"reason": form.get(reason_field, "")}
    lang = lang_of(request)
    return await submit(
        request,
        api,
        f"/api/v1/guarantees/{guarantee_id}/{action}",
        body,
        form=form,
        row=guarantee_id,
        done=f"/guarantor/companies/{company_id}#guarantee-{guarantee_id}",
        again=lambda refused: _company_desk(request, api, me, company_id, refused=refused),
        # 409: already decided (in another tab, or by the office); the row then shows the outcome.
        errors_of=lambda answer: api_errors(
            lang, answer, {"reason": reason_field}, by_status={404: "error.not_found"}, rules=DECISION_RULES
        ),
    )
