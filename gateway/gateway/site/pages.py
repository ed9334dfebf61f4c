"""The site's pages: server-rendered (Jinja2), htmx for the panels that refresh, every datum fetched
from the public API through the gateway's own routing (`upstream.Api`)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.settings import Settings
from gateway.site.i18n import LANG_COOKIE, WORDS, FormErrors, Lang, form_errors, pick_lang, word
from gateway.site.upstream import Api, ApiAnswer

WEB = Path(__file__).resolve().parent.parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")
router = APIRouter(include_in_schema=False)

OFFICE_ROLES = frozenset({"office", "league_office"})
LOGIN_FIELDS = frozenset({"email", "password"})
SIGNUP_FIELDS = frozenset({"uscc", "enterprise_name", "email", "display_name", "password"})
ENTERPRISE_FIELDS = frozenset({"county_code", "industry", "employees", "revenue", "assets", "name"})
REQUEST_FIELDS = frozenset({"amount", "term_months", "purpose"})
# Request states in which matching may still add rows: the matches panel keeps polling.
PENDING_REQUEST = frozenset({"open", "submitted", "matching"})


def lang_of(request: Request) -> Lang:
    return pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the person's language; `t` translates, `me` is who is logged in (None if nobody)."""
    lang = lang_of(request)
    context.setdefault("me", None)
    context.setdefault("errors", FormErrors())
    context.setdefault("form", {})

    def t(key: str, **values: Any) -> str:
        return word(lang, key, **values)

    def status_word(value: str) -> str:
        key = f"status.{value}"
        return t(key) if key in WORDS else value

    return templates.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": t, "status_word": status_word, "path": request.url.path, **context},
        status_code=status,
    )


def error_page(request: Request, status: int, key: str, me: Any = None) -> HTMLResponse:
    """A whole-page refusal as a sentence (never a server error or raw JSON)."""
    return render(request, "error.html", status=status, message_key=key, me=me)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def same_site(request: Request) -> bool:
    """A form post must come from our own pages (SameSite=Strict already; this covers old browsers)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1].rstrip("/") == request.headers.get("host", "")


def safe_next(value: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or an absolute URL (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def form_of(request: Request) -> dict[str, str]:
    """The posted form as trimmed strings, bounded (the body guard bounds the whole body already)."""
    data = await request.form()
    return {k: str(v).strip()[:1000] for k, v in data.items() if isinstance(v, str)}


def as_int(value: str) -> int | str:
    """An integer when it is one; otherwise the text, so the API names the problem in its own words."""
    return int(value) if value.isdigit() and len(value) <= 12 else value


async def who(api: Api) -> ApiAnswer:
    return await api.get("/api/v1/auth/me")


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
    me = await who(api)
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
    form = await form_of(request)
    api = Api(request)
    r = await api.post(
        "/api/v1/auth/login", {"email": form.get("email", ""), "password": form.get("password", "")}
    )
    if r.ok:
        response = see_other("/")
        set_session(response, request, r.body["access_token"])
        return response
    lang = lang_of(request)
    errors = form_errors(
        lang, r.status, r.body, known_fields=LOGIN_FIELDS, by_status={401: "error.bad_credentials"}
    )
    form.pop("password", None)  # never echoed back into the page
    return render(request, "login.html", status=_form_status(r.status), errors=errors, form=form)


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
    form = await form_of(request)
    api = Api(request)
    body = {k: form.get(k, "") for k in SIGNUP_FIELDS}
    r = await api.post("/api/v1/signup", body)
    if r.ok:
        login = await api.post("/api/v1/auth/login", {"email": body["email"], "password": body["password"]})
        if login.ok:
            response = see_other("/sme")
            set_session(response, request, login.body["access_token"])
            return response
        return see_other("/login")
    errors = form_errors(
        lang_of(request),
        r.status,
        r.body,
        known_fields=SIGNUP_FIELDS,
        by_status={409: "error.signup_conflict"},
    )
    form.pop("password", None)
    return render(request, "signup.html", status=_form_status(r.status), errors=errors, form=form)


def _form_status(api_status: int) -> int:
    """The page's own status for a refused form: the API's 4xx, a 503 for its 5xx."""
    return api_status if 400 <= api_status < 500 else 503


# --- the SME desk --------------------------------------------------------------------------------


async def _signed_in(request: Request, *roles: str) -> tuple[Api, dict[str, Any]] | Response:
    """The API and who is calling, or the response to send instead (login, or a refusal page)."""
    api = Api(request)
    if api.session is None:
        return see_other("/login")
    me = await who(api)
    if me.status == 401:
        return see_other("/login")
    if not me.ok:
        return error_page(request, 503, "error.unavailable")
    if me.body["role"] not in roles:
        return error_page(request, 403, "error.forbidden", me=me.body)
    return api, me.body


async def _sme_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    form: dict[str, str] | None = None,
    failed: str | None = None,
) -> Response:
    enterprise = await api.get(f"/api/v1/enterprises/{me['uscc']}")
    if enterprise.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    requests = await api.get("/api/v1/financing-requests") if enterprise.ok else None
    rows = requests.body if requests is not None and requests.ok else []
    return render(
        request,
        "sme.html",
        status=status,
        me=me,
        enterprise=enterprise.body if enterprise.ok else None,
        requests=rows if isinstance(rows, list) else rows.get("items", []),
        errors=errors or FormErrors(),
        form=form or {},
        failed=failed,
    )


@router.get("/sme")
async def sme_desk(request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _sme_desk(request, *got)


@router.post("/sme/enterprise")
async def register_enterprise(request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    form = await form_of(request)
    body = {
        "uscc": me["uscc"],
        "name": form.get("name", ""),
        "county_code": form.get("county_code", ""),
        "industry": form.get("industry", ""),
        "employees": as_int(form.get("employees", "")),
        "revenue": form.get("revenue", ""),
        "assets": form.get("assets", ""),
    }
    r = await api.post("/api/v1/enterprises", body)
    if r.ok:
        return see_other("/sme")
    errors = form_errors(
        lang_of(request),
        r.status,
        r.body,
        known_fields=ENTERPRISE_FIELDS,
        by_status={409: "error.enterprise_conflict"},
    )
    return await _sme_desk(
        request, api, me, status=_form_status(r.status), errors=errors, form=form, failed="enterprise"
    )


@router.post("/sme/requests")
async def submit_request(request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    form = await form_of(request)
    body = {
        "amount": form.get("amount", ""),
        "term_months": as_int(form.get("term_months", "")),
        "purpose": form.get("purpose", ""),
        "collateral_available": form.get("collateral_available") == "on",
        "accepts_guarantee": form.get("accepts_guarantee") == "on",
    }
    r = await api.post("/api/v1/financing-requests", body)
    if r.ok:
        return see_other(f"/sme/requests/{r.body['id']}")
    # The matching service learns of a new enterprise over the broker: a short wait, said plainly.
    by_status = {404: "sme.request.waiting", 409: "sme.request.waiting"}
    errors = form_errors(lang_of(request), r.status, r.body, known_fields=REQUEST_FIELDS, by_status=by_status)
    return await _sme_desk(
        request, api, me, status=_form_status(r.status), errors=errors, form=form, failed="request"
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
    got = await _signed_in(request, "sme")
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
        offers=_rows(offers),
        pending=_pending(req.body, matches),
    )


@router.get("/sme/requests/{request_id}/matches")
async def matches_panel(request_id: str, request: Request) -> Response:
    """The htmx panel: it replaces itself every few seconds while matching may still add rows."""
    got = await _signed_in(request, "sme")
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
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    r = await api.post(f"/api/v1/financing-requests/{request_id}/withdraw", {})
    if r.ok or r.status == 409:
        return see_other(f"/sme/requests/{request_id}")
    key = "error.not_found" if r.status in (404, 422) else "error.unavailable"
    return error_page(request, 404 if r.status in (404, 422) else 503, key, me=me)


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
    got = await _signed_in(request, *OFFICE_ROLES)
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
    got = await _signed_in(request, *OFFICE_ROLES)
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
    app.include_router(router)
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


def _rows(answer: ApiAnswer) -> list[dict[str, Any]]:
    """A list answer, or a page's items; empty when the API refused (the page then says so)."""
    if not answer.ok:
        return []
    body = answer.body
    rows = body.get("items", []) if isinstance(body, dict) else body
    return rows if isinstance(rows, list) else []


async def _bank_desk(
    request: Request,
    api: Api,
    me: dict[str, Any],
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    form: dict[str, str] | None = None,
    failed: str | None = None,
    new_key: dict[str, Any] | None = None,
    row_errors: dict[str, str] | None = None,
) -> Response:
    products = await api.get("/api/v1/products")
    if products.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    matches = await api.get("/api/v1/matches")
    offers = await api.get("/api/v1/offers")
    loans = await api.get("/api/v1/loans")
    keys = await api.get("/api/v1/api-keys") if me.get("is_admin") else None
    return render(
        request,
        "bank.html",
        status=status,
        me=me,
        products=_rows(products),
        matches=_rows(matches),
        offers=_rows(offers),
        loans=_rows(loans),
        keys=_rows(keys) if keys is not None else None,
        kinds=PRODUCT_KINDS,
        size_classes=SIZE_CLASSES,
        scopes=("lending:read", "lending:write", "credit:read"),
        errors=errors or FormErrors(),
        form=form or {},
        failed=failed,
        new_key=new_key,
        row_errors=row_errors or {},
    )


async def _bank(request: Request) -> tuple[Api, dict[str, Any]] | Response:
    got = await _signed_in(request, "bank")
    if isinstance(got, Response):
        return got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=got[1])
    return got


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
    raw = await request.form()
    form = await form_of(request)
    sizes = [str(v) for v in raw.getlist("size_classes") if v in SIZE_CLASSES]
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
    r = await api.post("/api/v1/products", body)
    if r.ok:
        return see_other("/bank")
    errors = form_errors(lang_of(request), r.status, r.body, known_fields=PRODUCT_FIELDS)
    return await _bank_desk(
        request, api, me, status=_form_status(r.status), errors=errors, form=form, failed="product"
    )


async def _row_action(request: Request, path: str, body: Any, row: str) -> Response:
    """A button on one row (publish, withdraw, offer, decline, revoke): back to the desk, or the
    desk with the refusal as a sentence on that row."""
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    api, me = got
    r = await api.call("DELETE" if body is None else "POST", path, json=body)
    if r.ok:
        return see_other("/bank")
    errors = form_errors(lang_of(request), r.status, r.body, known_fields=frozenset({"reason", "rate"}))
    sentence = next(iter(errors.fields.values()), None) or " ".join(errors.general)
    return await _bank_desk(request, api, me, status=_form_status(r.status), row_errors={row: sentence})


@router.post("/bank/products/{product_id}/{action}")
async def product_action(product_id: str, action: str, request: Request) -> Response:
    if action not in ("publish", "withdraw"):
        return error_page(request, 404, "error.not_found")
    return await _row_action(request, f"/api/v1/products/{product_id}/{action}", {}, product_id)


@router.post("/bank/matches/{match_id}/offer")
async def make_offer(match_id: str, request: Request) -> Response:
    form = await form_of(request)
    body = {"rate": form["rate"]} if form.get("rate") else {}
    return await _row_action(request, f"/api/v1/matches/{match_id}/offer", body, match_id)


@router.post("/bank/matches/{match_id}/decline")
async def decline_match(match_id: str, request: Request) -> Response:
    form = await form_of(request)
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
    raw = await request.form()
    form = await form_of(request)
    body = {
        "name": form.get("name", ""),
        "scopes": [str(s) for s in raw.getlist("scopes")][:20],
        "expires_in_days": as_int(form.get("expires_in_days", "90") or "90"),
    }
    r = await api.post("/api/v1/api-keys", body)
    if r.ok:
        # The secret is shown once, on this answer only (no redirect that would lose it).
        return await _bank_desk(request, api, me, new_key=r.body)
    errors = form_errors(lang_of(request), r.status, r.body, known_fields=KEY_FIELDS)
    return await _bank_desk(
        request, api, me, status=_form_status(r.status), errors=errors, form=form, failed="key"
    )


@router.post("/bank/api-keys/{key_id}/revoke")
async def revoke_key(key_id: str, request: Request) -> Response:
    return await _row_action(request, f"/api/v1/api-keys/{key_id}", None, key_id)


# --- the SME accepts an offer ------------------------------------------------------------------


@router.post("/sme/offers/{offer_id}/accept")
async def accept_offer(offer_id: str, request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    r = await api.post(f"/api/v1/offers/{offer_id}/accept")
    if r.ok:
        return see_other(f"/sme/requests/{r.body['request_id']}")
    key = "error.not_found" if r.status in (404, 422) else "error.unavailable"
    return error_page(request, 404 if r.status in (404, 422) else 503, key, me=me)


# --- the SME's credit report, who looked at it, and consents -----------------------------------

CONSENT_FIELDS = frozenset({"bank_org_id", "purpose", "valid_until"})


async def _credit_page(
    request: Request,
    api: Api,
    me: dict[str, Any],
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    form: dict[str, str] | None = None,
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
        status=status,
        me=me,
        report=report.body if report.ok else None,
        lookups=_rows(lookups),
        consents=_rows(consents),
        errors=errors or FormErrors(),
        form=form or {},
    )


@router.get("/sme/credit")
async def credit_page(request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _credit_page(request, *got)


@router.post("/sme/consents")
async def grant_consent(request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    form = await form_of(request)
    until = form.get("valid_until", "")
    # A date picked in the browser: valid to the end of that day (UTC).
    valid_until = f"{until}T23:59:59Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", until) else until
    body = {
        "bank_org_id": form.get("bank_org_id", ""),
        "purpose": form.get("purpose", ""),
        "valid_until": valid_until,
    }
    r = await api.post("/api/v1/consents", body)
    if r.ok:
        return see_other("/sme/credit")
    errors = form_errors(lang_of(request), r.status, r.body, known_fields=CONSENT_FIELDS)
    return await _credit_page(request, api, me, status=_form_status(r.status), errors=errors, form=form)


@router.post("/sme/consents/{consent_id}/revoke")
async def revoke_consent(consent_id: str, request: Request) -> Response:
    got = await _signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    if not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me)
    r = await api.post(f"/api/v1/consents/{consent_id}/revoke", {})
    if r.ok or r.status == 409:
        return see_other("/sme/credit")
    key = "error.not_found" if r.status in (404, 422) else "error.unavailable"
    return error_page(request, 404 if r.status in (404, 422) else 503, key, me=me)
