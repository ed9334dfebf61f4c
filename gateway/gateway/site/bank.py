"""The bank's other pages: editing a product, a loan repaid or its extension decided, the monthly
lending reports (typed in or uploaded as CSV), and credit look-ups under the SME's consent."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.site import pages
from gateway.site.forms import (
    Refused,
    as_int,
    error_page,
    lang_of,
    read_form,
    read_list,
    refusal_page,
    render,
    rows,
    signed_in,
    submit,
)
from gateway.site.i18n import FormErrors, form_errors, label_of, word
from gateway.site.upstream import Api

router = APIRouter(include_in_schema=False)

PRODUCT_EDIT_FIELDS = pages.PRODUCT_FIELDS - {"kind"}  # the kind is fixed once a product exists
REPORT_FIELDS = frozenset({"month", "sme_loan_balance", "total_loan_balance"})
LOOKUP_FIELDS = frozenset({"uscc", "purpose"})
UPLOAD_LIMIT = 512 * 1024  # a year of months is a few hundred bytes; the API caps the rows too
USCC = re.compile(r"^[0-9A-Z]{18}$")


async def _bank(request: Request, posting: bool = False) -> tuple[Api, dict[str, Any]] | Response:
    return await signed_in(request, "bank", posting=posting)


# --- editing a product ---------------------------------------------------------------------------


def _product_form(p: dict[str, Any]) -> dict[str, str]:
    """A product as the edit form's fields."""
    return {
        "name": str(p.get("name", "")),
        "min_amount": str(p.get("min_amount", "")),
        "max_amount": str(p.get("max_amount", "")),
        "min_term_months": str(p.get("min_term_months", "")),
        "max_term_months": str(p.get("max_term_months", "")),
        "base_rate": str(p.get("base_rate", "")),
        "industries": ",".join(p.get("industries") or []),
        "size_classes": ",".join(p.get("size_classes") or []),
    }


async def _edit_page(
    request: Request, api: Api, me: dict[str, Any], product_id: str, refused: Refused | None = None
) -> Response:
    product = await api.get(f"/api/v1/products/{product_id}")
    if not product.ok:
        return refusal_page(request, product, me=me)
    return render(
        request,
        "bank_product.html",
        status=refused.status if refused else 200,
        me=me,
        product=product.body,
        size_classes=pages.SIZE_CLASSES,
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else _product_form(product.body),
    )


@router.get("/bank/products/{product_id}/edit")
async def edit_product_page(product_id: str, request: Request) -> Response:
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    return await _edit_page(request, *got, product_id)


@router.post("/bank/products/{product_id}/edit")
async def edit_product(product_id: str, request: Request) -> Response:
    got = await _bank(request, posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    sizes = await read_list(request, "size_classes", allowed=pages.SIZE_CLASSES)
    form["size_classes"] = ",".join(sizes)
    body: dict[str, Any] = {
        "name": form.get("name", ""),
        "min_amount": form.get("min_amount", ""),
        "max_amount": form.get("max_amount", ""),
        "min_term_months": as_int(form.get("min_term_months", "")),
        "max_term_months": as_int(form.get("max_term_months", "")),
        "base_rate": form.get("base_rate", ""),
        "industries": [i.strip().upper() for i in form.get("industries", "").split(",") if i.strip()][:50],
        "size_classes": sizes,
    }

    async def again(refused: Refused) -> Response:
        return await _edit_page(request, api, me, product_id, refused)

    return await submit(
        request,
        api,
        f"/api/v1/products/{product_id}",
        body,
        method="PATCH",
        form=form,
        fields=PRODUCT_EDIT_FIELDS,
        done="/bank#products",
        again=again,
    )


# --- loans: repaid, extension decided ------------------------------------------------------------


@router.post("/bank/loans/{loan_id}/repaid")
async def loan_repaid(loan_id: str, request: Request) -> Response:
    return await pages._row_action(request, f"/api/v1/loans/{loan_id}/repaid", {}, loan_id)


@router.post("/bank/loans/{loan_id}/extension")
async def decide_extension(loan_id: str, request: Request) -> Response:
    form = await read_form(request)
    body: dict[str, Any] = {"grant": form.get("grant") == "yes"}
    if form.get("reason"):
        body["reason"] = form["reason"]
    return await pages._row_action(request, f"/api/v1/loans/{loan_id}/extension-decision", body, loan_id)


# --- monthly lending reports -----------------------------------------------------------------------


async def _reports_page(
    request: Request,
    api: Api,
    me: dict[str, Any],
    refused: Refused | None = None,
    *,
    failed: str | None = None,
    upload_lines: list[str] | None = None,
    uploaded: int | None = None,
) -> Response:
    reports = await api.get("/api/v1/lending-reports")
    if reports.status >= 500:
        return refusal_page(request, reports, me=me)
    months = sorted(rows(reports), key=lambda r: str(r.get("month", "")), reverse=True)
    return render(
        request,
        "bank_reports.html",
        status=refused.status if refused else 200,
        me=me,
        reports=months,
        errors=refused.errors if refused else FormErrors(),
        form=refused.form if refused else {},
        failed=failed,
        upload_lines=upload_lines or [],
        uploaded=uploaded,
    )


@router.get("/bank/reports")
async def reports_page(request: Request) -> Response:
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    return await _reports_page(request, *got)


@router.post("/bank/reports")
async def report_month(request: Request) -> Response:
    got = await _bank(request, posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {k: form.get(k, "") for k in REPORT_FIELDS}

    async def again(refused: Refused) -> Response:
        return await _reports_page(request, api, me, refused, failed="month")

    return await submit(
        request,
        api,
        "/api/v1/lending-reports",
        body,
        form=form,
        fields=REPORT_FIELDS,
        by_status={409: "reports.month_conflict"},
        done="/bank/reports",
        again=again,
    )


@router.post("/bank/reports/csv")
async def upload_reports(request: Request) -> Response:
    """A CSV file of months; every bad line is named in the person's language, nothing is stored."""
    got = await _bank(request, posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    lang = lang_of(request)
    data = await request.form()
    upload = data.get("file")
    content = (
        await upload.read(UPLOAD_LIMIT + 1) if upload is not None and not isinstance(upload, str) else b""
    )
    if not content.strip():
        return await _reports_page(
            request, api, me, failed="csv", upload_lines=[word(lang, "reports.csv.empty")]
        )
    if len(content) > UPLOAD_LIMIT:
        return await _reports_page(
            request, api, me, failed="csv", upload_lines=[word(lang, "reports.csv.big")]
        )
    r = await api.call("POST", "/api/v1/lending-reports/csv", content=content, content_type="text/csv")
    if r.ok:
        return await _reports_page(request, api, me, uploaded=int((r.body or {}).get("rows", 0)))
    body = r.body if isinstance(r.body, dict) else {}
    lines = []
    for d in body.get("details") or []:
        if isinstance(d, dict):
            lines.append(
                word(
                    lang,
                    "reports.csv.line",
                    line=d.get("line", d.get("row", "?")),
                    label=label_of(lang, str(d.get("field", ""))),
                    message=str(d.get("message", ""))[:200],
                )
            )
    if not lines:
        lines = [" ".join(form_sentences(lang, r.status, body))]
    status = r.status if 400 <= r.status < 500 else 503
    return await _reports_page(request, api, me, Refused(status), failed="csv", upload_lines=lines[:20])


def form_sentences(lang: Any, status: int, body: dict[str, Any]) -> list[str]:
    """The API's refusal of a whole upload as sentences (no field to stand by)."""
    e = form_errors(lang, status, body, known_fields=frozenset())
    return [*e.fields.values(), *e.general]


# --- credit look-ups under consent ----------------------------------------------------------------


@router.get("/bank/lookup")
async def lookup_page(request: Request) -> Response:
    """Look an enterprise up: allowed only under a live consent for the purpose given; every look-up
    (and every refusal) lands in the enterprise's log of who looked."""
    got = await _bank(request)
    if isinstance(got, Response):
        return got
    api, me = got
    uscc = request.query_params.get("uscc", "").strip().upper()[:18]
    purpose = request.query_params.get("purpose", "").strip()[:200]
    lang = lang_of(request)
    consents = await api.get("/api/v1/consents")
    context: dict[str, Any] = {
        "me": me,
        "consents": rows(consents),
        "form": {"uscc": uscc, "purpose": purpose},
    }
    if not uscc:
        return render(request, "bank_lookup.html", **context)
    if not USCC.match(uscc):
        errors = FormErrors(
            fields={"uscc": word(lang, "v.string_pattern_mismatch", label=label_of(lang, "uscc"))}
        )
        return render(request, "bank_lookup.html", status=422, errors=errors, **context)
    params = {"purpose": purpose} if purpose else {}
    report = await api.get(f"/api/v1/credit-reports/{uscc}", **params)
    if report.ok:
        return render(request, "bank_lookup.html", report=report.body, **context)
    if report.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    by_status = {403: "lookup.no_consent", 404: "lookup.not_found"}
    errors = form_errors(
        lang,
        report.status,
        report.body if isinstance(report.body, dict) else None,
        known_fields=LOOKUP_FIELDS,
        by_status=by_status,
        labels={"purpose": "field.lookup_purpose"},
    )
    return render(request, "bank_lookup.html", status=report.status, errors=errors, **context)
