"""The site's pages: server-rendered (Jinja2), htmx for the panels that refresh, every datum fetched
from the public API through the gateway's own routing (`upstream.Api`)."""

from __future__ import annotations

import csv
import inspect
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.settings import Settings
from gateway.site.forms import (
    WEB,
    Refused,
    as_int,
    error_page,
    read_form,
    read_list,
    refusal_page,
    render,
    rows,
    same_site,
    see_other,
    signed_in,
    submit,
)
from gateway.site.i18n import LANG_COOKIE, FormErrors, Lang
from gateway.site.upstream import Api, ApiAnswer
from smefin.logging import get_logger

router = APIRouter(include_in_schema=False)
log = get_logger("gateway.site")

OFFICE_ROLES = frozenset({"office", "league_office"})
LOGIN_FIELDS = frozenset({"email", "password"})
SIGNUP_FIELDS = frozenset({"uscc", "enterprise_name", "email", "display_name", "password"})
ENTERPRISE_FIELDS = frozenset({"county_code", "industry", "employees", "revenue", "assets", "name"})
REQUEST_FIELDS = frozenset({"amount", "term_months", "purpose"})
# Request states in which matching may still add rows: the matches panel keeps polling.
PENDING_REQUEST = frozenset({"open", "submitted", "matching"})


def safe_next(value: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or an absolute URL (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def set_session(response: Response, request: Request, token: str) -> None:
    """The same HttpOnly SameSite cookie the login endpoint sets."""
    settings: Settings = request.app.state.settings
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=int(request.app.state.policy.session_ttl.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


# --- the door: language, login, logout, sign-up ---------------------------------------------------


@router.get("/lang/{code}")
async def switch_language(code: str, request: Request, next: str | None = None) -> Response:
    """Remember the person's language for a year and go back where they were."""
    lang = Lang.EN if code == Lang.EN else Lang.ZH
    response = see_other(safe_next(next))
    response.set_cookie(LANG_COOKIE, lang.value, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("/")
async def home(request: Request) -> Response:
    api = Api(request)
    if api.session is None:
        return see_other("/login")
    me = await api.get("/api/v1/auth/me")
    if me.status == 401:
        return see_other("/login")
    if not me.ok:
        return error_page(request, 503, "error.unavailable")
    role = me.body["role"]
    if role == "sme":
        return see_other("/sme")
    if role in OFFICE_ROLES:
        return see_other("/office")
    if role == "bank":
        return see_other("/bank")
    if role in ("guarantor", "organizer"):
        return see_other(f"/{role}")
    return render(request, "home.html", me=me.body)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
async def log_in(request: Request) -> Response:
    if not same_site(request):
        return error_page(request, 403, "error.cross_site")
    form = await read_form(request)
    body = {"email": form.get("email", ""), "password": form.get("password", "")}

    def logged_in(answer: ApiAnswer) -> Response:
        response = see_other("/")
        set_session(response, request, answer.body["access_token"])
        return response

    async def again(refused: Refused) -> Response:
        return render(request, "login.html", status=refused.status, errors=refused.errors, form=refused.form)

    return await submit(
        request,
        Api(request),
        "/api/v1/auth/login",
        body,
        form=form,
        fields=LOGIN_FIELDS,
        by_status={401: "error.bad_credentials"},
        done=logged_in,
        again=again,
    )


@router.post("/logout")
async def log_out(request: Request) -> Response:
    api = Api(request)
    if api.session is not None and same_site(request):
        await api.post("/api/v1/auth/logout")
    response = see_other("/login")
    settings: Settings = request.app.state.settings
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    return render(request, "signup.html")


@router.post("/signup")
async def sign_up(request: Request) -> Response:
    if not same_site(request):
        return error_page(request, 403, "error.cross_site")
    form = await read_form(request)
    api = Api(request)
    body = {k: form.get(k, "") for k in SIGNUP_FIELDS}

    async def logged_in(_: ApiAnswer) -> Response:
        login = await api.post("/api/v1/auth/login", {"email": body["email"], "password": body["password"]})
        if not login.ok:
            return see_other("/login")
        response = see_other("/sme")
        set_session(response, request, login.body["access_token"])
        return response

    async def again(refused: Refused) -> Response:
        return render(request, "signup.html", status=refused.status, errors=refused.errors, form=refused.form)

    return await submit(
        request,
        api,
        "/api/v1/signup",
        body,
        form=form,
        fields=SIGNUP_FIELDS,
        by_status={409: "error.signup_conflict"},
        done=logged_in,
        again=again,
    )


# --- the SME desk --------------------------------------------------------------------------------


async def _sme_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    refused: Refused | None = None,
    failed: str | None = None,
) -> Response:
    enterprise = await api.get(f"/api/v1/enterprises/{me['uscc']}")
    if enterprise.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    requests = await api.get("/api/v1/financing-requests") if enterprise.ok else None
    return render(
        request,
        "sme.html",
        status=refused.status if refused else 200,
        me=me,
        enterprise=enterprise.body if enterprise.ok else None,
        requests=rows(requests),
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else {},
        failed=failed,
    )


@router.get("/sme")
async def sme_desk(request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _sme_desk(request, *got)


@router.post("/sme/enterprise")
async def register_enterprise(request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {
        "uscc": me["uscc"],
        "name": form.get("name", ""),
        "county_code": form.get("county_code", ""),
        "industry": form.get("industry", ""),
        "employees": as_int(form.get("employees", "")),
        "revenue": form.get("revenue", ""),
        "assets": form.get("assets", ""),
    }

    async def again(refused: Refused) -> Response:
        return await _sme_desk(request, api, me, refused, failed="enterprise")

    return await submit(
        request,
        api,
        "/api/v1/enterprises",
        body,
        form=form,
        fields=ENTERPRISE_FIELDS,
        by_status={409: "error.enterprise_conflict"},
        done="/sme",
        again=again,
    )


@router.post("/sme/requests")
async def submit_request(request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {
        "amount": form.get("amount", ""),
        "term_months": as_int(form.get("term_months", "")),
        "purpose": form.get("purpose", ""),
        "collateral_available": form.get("collateral_available") == "on",
        "accepts_guarantee": form.get("accepts_guarantee") == "on",
    }

    async def again(refused: Refused) -> Response:
        return await _sme_desk(request, api, me, refused, failed="request")

    return await submit(
        request,
        api,
        "/api/v1/financing-requests",
        body,
        form=form,
        fields=REQUEST_FIELDS,
        # The matching service learns of a new enterprise over the broker: a short wait, said plainly.
        by_status={404: "sme.request.waiting", 409: "sme.request.waiting"},
        done=lambda answer: f"/sme/requests/{answer.body['id']}",
        again=again,
    )


async def _request_and_matches(api: Api, request_id: str) -> tuple[ApiAnswer, list[dict[str, Any]]]:
    req = await api.get(f"/api/v1/financing-requests/{request_id}")
    matches: list[dict[str, Any]] = []
    if req.ok:
        m = await api.get(f"/api/v1/financing-requests/{request_id}/matches")
        if m.ok and isinstance(m.body, list):
            matches = sorted(m.body, key=lambda row: row.get("rank", 0))
    return req, matches


@router.get("/sme/requests/{request_id}")
async def request_page(request_id: str, request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    req, matches = await _request_and_matches(api, request_id)
    if not req.ok:
        key = "error.not_found" if req.status in (404, 422) else "error.unavailable"
        return error_page(request, 404 if req.status in (404, 422) else 503, key, me=me)
    offers = await api.get("/api/v1/offers", request_id=request_id)
    return render(
        request,
        "request.html",
        me=me,
        req=req.body,
        matches=matches,
        offers=rows(offers),
        pending=_pending(req.body, matches),
    )


@router.get("/sme/requests/{request_id}/matches")
async def matches_panel(request_id: str, request: Request) -> Response:
    """The htmx panel: it replaces itself every few seconds while matching may still add rows."""
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    req, matches = await _request_and_matches(api, request_id)
    if not req.ok:
        return error_page(request, 404, "error.not_found", me=me)
    return render(
        request, "_matches.html", req=req.body, matches=matches, pending=_pending(req.body, matches)
    )


def _pending(req: dict[str, Any], matches: list[dict[str, Any]]) -> bool:
    return not matches and req.get("matched_at") is None and req.get("status") in PENDING_REQUEST


@router.post("/sme/requests/{request_id}/withdraw")
async def withdraw_request(request_id: str, request: Request) -> Response:
    return await _button(
        request, "sme", f"/api/v1/financing-requests/{request_id}/withdraw", f"/sme/requests/{request_id}"
    )


async def _button(request: Request, role: str, path: str, back: str) -> Response:
    """A one-click action with nothing typed (withdraw, accept, revoke): back to `back`; a conflict
    (already done) also goes back, the page then shows the state; anything else is a refusal page."""
    got = await signed_in(request, role, posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    answer = await api.post(path, {})
    if answer.ok or answer.status == 409:
        return see_other(back)
    return refusal_page(request, answer, me=me)


# --- the financial office ------------------------------------------------------------------------


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _period(request: Request) -> tuple[str, str]:
    """The months to compare: as asked (when well-formed), else the twelve months to last month."""
    today = datetime.now(UTC).date()
    last = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    year_before = f"{int(last[:4]) - 1}{last[4:]}"
    start = request.query_params.get("from_month", "")
    end = request.query_params.get("to_month", "")
    if not (MONTH.match(start) and MONTH.match(end) and start < end):
        return year_before, last
    return start, end


@router.get("/office")
async def office_page(request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    coverage = await api.get("/api/v1/coverage")
    if not coverage.ok:
        return error_page(
            request, 503 if coverage.status >= 500 else coverage.status, "error.unavailable", me=me
        )
    start, end = _period(request)
    growth = await api.get("/api/v1/lending-reports/growth", from_month=start, to_month=end)
    banks = [b for b in (growth.body or {}).get("banks", []) if b.get("complete")] if growth.ok else []
    leagues = [
        {
            "name": o["name"],
            "code": o["code"],
            "status": o["status"],
            "shortfall": str(o.get("shortfall", "0")),
            "companies": o.get("counting_company_names", []),
        }
        for o in coverage.body.get("leagues", [])
    ]
    growth_rows = [
        {
            "bank": b["bank_org_id"],
            "sme": str(b.get("sme_growth_percent")),
            "total": str(b.get("total_growth_percent")),
        }
        for b in banks
    ]
    return render(
        request,
        "office.html",
        me=me,
        coverage=coverage.body,
        banks=banks,
        from_month=start,
        to_month=end,
        chart_data={"leagues": leagues, "growth": growth_rows},
    )


@router.get("/office/lending-growth.csv")
async def growth_csv(request: Request) -> Response:
    """The growth chart's figures as CSV (the API answers JSON only)."""
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    start, end = _period(request)
    growth = await api.get("/api/v1/lending-reports/growth", from_month=start, to_month=end)
    if not growth.ok:
        return error_page(request, 503, "error.unavailable", me=me)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [
        "bank_org_id",
        "complete",
        "sme_loan_start",
        "sme_loan_end",
        "total_loan_start",
        "total_loan_end",
        "sme_growth_percent",
        "total_growth_percent",
        "sme_growth_above_total",
        "reward",
    ]
    writer.writerow(["from_month", "to_month", *columns])
    for b in growth.body.get("banks", []):
        writer.writerow([start, end, *(b.get(c, "") for c in columns)])
    return Response(
        "\ufeff" + out.getvalue(),  # BOM so spreadsheet programs read it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="lending-growth-{start}-{end}.csv"'},
    )


def install(app: FastAPI) -> None:
    """Mount the pages, the vendored static files, and HTML error pages for the site's own paths."""
    from gateway.site import bank, guarantor, office, organizer, sme  # they import this module

    # The newer pages first: their fixed paths (/bank/products/{id}/edit) go before this module's
    # catch-alls (/bank/products/{id}/{action}).
    for pages in (sme.router, bank.router, office.router, guarantor.router, organizer.router, router):
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="site-static")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        wants_page = not request.url.path.startswith(("/api/", "/static/", "/openapi", "/docs"))
        if wants_page and exc.status_code in (404, 405):
            page = error_page(request, exc.status_code, "error.not_found")
            page.headers.update(exc.headers or {})  # e.g. Allow on a 405
            return page
        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, http_error)

    api_error = app.exception_handlers.get(Exception)  # the API's own (JSON, logged); kept for the API

    async def server_error(request: Request, exc: Exception) -> Response:
        """A page that failed is a sentence in the person's language, never a trace or a bare 500."""
        if request.url.path.startswith(("/api/", "/static/", "/openapi", "/docs")) and api_error is not None:
            answer = api_error(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        log.exception("site.unhandled", path=request.url.path, error=repr(exc))
        return error_page(request, 500, "error.unavailable")

    app.add_exception_handler(Exception, server_error)


# --- the bank desk -------------------------------------------------------------------------------

PRODUCT_FIELDS = frozenset(
    {
        "name",
        "kind",
        "min_amount",
        "max_amount",
        "min_term_months",
        "max_term_months",
        "base_rate",
        "industries",
    }
)
PRODUCT_KINDS = ("credit_only", "guaranteed", "collateralised", "startup_micro_guaranteed")
SIZE_CLASSES = ("micro", "small", "medium", "large")
KEY_FIELDS = frozenset({"name", "scopes", "expires_in_days"})


async def _bank_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    refused: Refused | None = None,
    *,
    failed: str | None = None,
    new_key: dict[str, Any] | None = None,
) -> Response:
    products = await api.get("/api/v1/products")
    if products.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    matches = await api.get("/api/v1/matches")
    offers = await api.get("/api/v1/offers")
    loans = await api.get("/api/v1/loans")
    keys = await api.get("/api/v1/api-keys") if me.get("is_admin") else None
    row_errors = {refused.row: refused.sentence} if refused and refused.row else {}
    return render(
        request,
        "bank.html",
        status=refused.status if refused else 200,
        me=me,
        products=rows(products),
        matches=rows(matches),
        offers=rows(offers),
        loans=rows(loans),
        keys=rows(keys) if keys is not None else None,
        kinds=PRODUCT_KINDS,
        size_classes=SIZE_CLASSES,
        scopes=("lending:read", "lending:write", "credit:read"),
        errors=refused.errors if refused and not refused.row else FormErrors(),
        form=refused.form if refused and not refused.row else {},
        failed=failed,
        new_key=new_key,
        row_errors=row_errors,
    )


async def _bank(request: Request) -> tuple[Api, dict[str, Any]] | Response:
    return await signed_in(request, "bank", posting=True)


@router.get("/bank")
async def bank_desk(request: Request) -> Response:
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    return await _bank_desk(request, *got)


@router.post("/bank/products")
async def create_product(request: Request) -> Response:
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    sizes = await read_list(request, "size_classes", allowed=SIZE_CLASSES)
    form["size_classes"] = ",".join(sizes)
    body: dict[str, Any] = {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "min_amount": form.get("min_amount", ""),
        "max_amount": form.get("max_amount", ""),
        "min_term_months": as_int(form.get("min_term_months", "")),
        "max_term_months": as_int(form.get("max_term_months", "")),
        "base_rate": form.get("base_rate", ""),
        "industries": [i.strip().upper() for i in form.get("industries", "").split(",") if i.strip()][:50],
        "size_classes": sizes,
    }

    async def again(refused: Refused) -> Response:
        return await _bank_desk(request, api, me, refused, failed="product")

    return await submit(
        request, api, "/api/v1/products", body, form=form, fields=PRODUCT_FIELDS, done="/bank", again=again
    )


async def _row_action(request: Request, path: str, body: Any, row: str) -> Response:
    """A button on one row (publish, withdraw, offer, decline, revoke): back to the desk, or the
    desk with the refusal as a sentence on that row."""
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    api, me = got

    async def again(refused: Refused) -> Response:
        return await _bank_desk(request, api, me, refused)

    return await submit(
        request,
        api,
        path,
        body,
        method="DELETE" if body is None else "POST",
        fields=frozenset({"reason", "rate"}),
        done="/bank",
        again=again,
        row=row,
    )


@router.post("/bank/products/{product_id}/{action}")
async def product_action(product_id: str, action: str, request: Request) -> Response:
    if action not in ("publish", "withdraw"):
        return error_page(request, 404, "error.not_found")
    return await _row_action(request, f"/api/v1/products/{product_id}/{action}", {}, product_id)


@router.post("/bank/matches/{match_id}/offer")
async def make_offer(match_id: str, request: Request) -> Response:
    form = await read_form(request)
    body = {"rate": form["rate"]} if form.get("rate") else {}
    return await _row_action(request, f"/api/v1/matches/{match_id}/offer", body, match_id)


@router.post("/bank/matches/{match_id}/decline")
async def decline_match(match_id: str, request: Request) -> Response:
    form = await read_form(request)
    return await _row_action(
        request, f"/api/v1/matches/{match_id}/decline", {"reason": form.get("reason", "")}, match_id
    )


@router.post("/bank/offers/{offer_id}/disburse")
async def disburse(offer_id: str, request: Request) -> Response:
    return await _row_action(request, "/api/v1/loans", {"offer_id": offer_id}, offer_id)


@router.post("/bank/api-keys")
async def create_key(request: Request) -> Response:
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {
        "name": form.get("name", ""),
        "scopes": await read_list(request, "scopes"),
        "expires_in_days": as_int(form.get("expires_in_days", "90") or "90"),
    }

    async def shown_once(answer: ApiAnswer) -> Response:
        # The secret is shown once, on this answer only (no redirect that would lose it).
        return await _bank_desk(request, api, me, new_key=answer.body)

    async def again(refused: Refused) -> Response:
        return await _bank_desk(request, api, me, refused, failed="key")

    return await submit(
        request, api, "/api/v1/api-keys", body, form=form, fields=KEY_FIELDS, done=shown_once, again=again
    )


@router.post("/bank/api-keys/{key_id}/revoke")
async def revoke_key(key_id: str, request: Request) -> Response:
    return await _row_action(request, f"/api/v1/api-keys/{key_id}", None, key_id)


# --- the SME accepts an offer ------------------------------------------------------------------


@router.post("/sme/offers/{offer_id}/accept")
async def accept_offer(offer_id: str, request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    r = await api.post(f"/api/v1/offers/{offer_id}/accept")
    if r.ok:
        return see_other(f"/sme/requests/{r.body['request_id']}")
    return refusal_page(request, r, me=me)


# --- the SME's credit report, who looked at it, and consents -----------------------------------

CONSENT_FIELDS = frozenset({"bank_org_id", "purpose", "valid_until"})


async def _credit_page(
    request: Request, api: Api, me: dict[str, Any], refused: Refused | None = None
) -> Response:
    uscc = me["uscc"]
    report = await api.get(f"/api/v1/credit-reports/{uscc}")
    if report.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    lookups = await api.get(f"/api/v1/enterprises/{uscc}/lookups")
    consents = await api.get("/api/v1/consents")
    return render(
        request,
        "credit.html",
        status=refused.status if refused else 200,
        me=me,
        report=report.body if report.ok else None,
        lookups=rows(lookups),
        consents=rows(consents),
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else {},
        dispute_row=refused.row if refused else None,
    )


@router.get("/sme/credit")
async def credit_page(request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _credit_page(request, *got)


@router.post("/sme/consents")
async def grant_consent(request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    until = form.get("valid_until", "")
    # A date picked in the browser: valid to the end of that day (UTC).
    valid_until = f"{until}T23:59:59Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", until) else until
    body = {
        "bank_org_id": form.get("bank_org_id", ""),
        "purpose": form.get("purpose", ""),
        "valid_until": valid_until,
    }

    async def again(refused: Refused) -> Response:
        return await _credit_page(request, api, me, refused)

    return await submit(
        request,
        api,
        "/api/v1/consents",
        body,
        form=form,
        fields=CONSENT_FIELDS,
        labels={"purpose": "field.lookup_purpose"},
        done="/sme/credit",
        again=again,
    )


@router.post("/sme/disputes")
async def raise_dispute(request: Request) -> Response:
    """The SME flags one record of its report as wrong (异议); the flag shows until it is resolved."""
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    record_id = form.get("record_id", "")

    async def again(refused: Refused) -> Response:
        return await _credit_page(request, api, me, refused)

    return await submit(
        request,
        api,
        "/api/v1/disputes",
        {"record_id": record_id, "reason": form.get("reason", "")},
        form=form,
        fields=frozenset({"reason"}),
        by_status={409: "credit.dispute.already", 404: "credit.dispute.no_record"},
        done="/sme/credit#disputes",
        again=again,
        row=record_id,
    )


@router.post("/sme/consents/{consent_id}/revoke")
async def revoke_consent(consent_id: str, request: Request) -> Response:
    return await _button(request, "sme", f"/api/v1/consents/{consent_id}/revoke", "/sme/credit")
