"""What every page that shows or takes a form needs, once: rendering in the person's language, the
signed-in guard, reading a posted form, and `submit`, the one way a form reaches the API.

A form handler is three steps::

    @router.post("/bank/products")
    async def create_product(request: Request) -> Response:
        got = await signed_in(request, "bank", posting=True)   # login / refusal page, or (api, me)
        if isinstance(got, Response):
            return got
        api, me = got
        form = await read_form(request)
        body = {"name": form.get("name", ""), "min_term_months": as_int(form.get("min_term_months", ""))}
        return await submit(
            request, api, "/api/v1/products", body,
            form=form,
            fields=PRODUCT_FIELDS,                       # fields the page shows: errors go next to them
            done="/bank",                                # success: 303 here (or a function of the answer)
            again=lambda refused: bank_desk(request, api, me, refused=refused),   # re-render on a 4xx
        )

On success `submit` redirects (303) to `done`; when the API refuses, `again` gets a `Refused`: the
page status to answer with, the sentences in the person's language (`errors.fields[name]` next to
the field, `errors.general` above the form; see `i18n.form_errors`), and what was typed (`form`,
passwords removed) so the template fills the fields back in. Templates use `_forms.html`'s
`field(name, errors, form)` and `general(errors)` macros.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gateway.site.i18n import (
    LANG_COOKIE,
    WORDS,
    FormErrors,
    Lang,
    form_errors,
    pick_lang,
    rule_sentence,
    word,
)
from gateway.site.upstream import Api, ApiAnswer

WEB = Path(__file__).resolve().parent.parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")

# Why a bank or guarantee company may read a credit file (credit-info's LookupPurpose): a consent names
# one, and each look-up must name the one it is under.
LOOKUP_PURPOSES = ("loan_application", "credit_line_review", "post_loan_management", "guarantee_review")

# Never echoed back into a page after a refusal.
SECRET_FIELDS = frozenset({"password"})


def lang_of(request: Request) -> Lang:
    """The person's language: their switch (cookie) first, then the browser's wish, else Chinese."""
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

    def rule_text(kind: str, code: str, values: Any = None, fallback: str = "") -> str:
        return rule_sentence(lang, kind, str(code), values if isinstance(values, dict) else None, fallback)

    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": t,
            "status_word": status_word,
            "rule_text": rule_text,
            "purposes": LOOKUP_PURPOSES,
            "path": request.url.path,
            **context,
        },
        status_code=status,
    )


def error_page(request: Request, status: int, key: str, me: Any = None) -> HTMLResponse:
    """A whole-page refusal as a sentence (never a server error or raw JSON)."""
    return render(request, "error.html", status=status, message_key=key, me=me)


def refusal_page(request: Request, answer: ApiAnswer, me: Any = None) -> HTMLResponse:
    """The whole-page sentence for an API answer that has no form to go back to."""
    if answer.status in (404, 422):
        return error_page(request, 404, "error.not_found", me=me)
    if answer.status == 403:
        return error_page(request, 403, "error.forbidden", me=me)
    return error_page(request, 503, "error.unavailable", me=me)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def same_site(request: Request) -> bool:
    """A form post must come from our own pages (SameSite=Strict already; this covers old browsers).
    A browser's own word (Sec-Fetch-Site) first: with the site's no-referrer policy a plain form post
    carries `Origin: null`, which cannot be told from a sandboxed page elsewhere."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1].rstrip("/") == request.headers.get("host", "")


async def read_form(request: Request) -> dict[str, str]:
    """The posted form as trimmed strings, bounded (the body guard bounds the whole body already).
    A field sent several times (checkboxes) keeps its values joined with commas; `read_list` gives them."""
    data = await request.form()
    out: dict[str, str] = {}
    for k in data:
        values = [str(v).strip()[:1000] for v in data.getlist(k) if isinstance(v, str)]
        if values:
            out[k] = ",".join(values) if len(values) > 1 else values[0]
    return out


async def read_list(request: Request, name: str, *, allowed: tuple[str, ...] | None = None) -> list[str]:
    """Every value posted under `name` (checkboxes), only the `allowed` ones when given, at most 50."""
    data = await request.form()
    values = [str(v).strip() for v in data.getlist(name) if isinstance(v, str) and str(v).strip()]
    return [v for v in values if allowed is None or v in allowed][:50]


def as_int(value: str) -> int | str:
    """An integer when it is one; otherwise the text, so the API names the problem in its own words."""
    return int(value) if value.isdigit() and len(value) <= 12 else value


def rows(answer: ApiAnswer | None) -> list[dict[str, Any]]:
    """A list answer, or a page's items; empty when the API refused (the page then says so)."""
    if answer is None or not answer.ok:
        return []
    body = answer.body
    items = body.get("items", []) if isinstance(body, dict) else body
    return items if isinstance(items, list) else []


def form_status(api_status: int) -> int:
    """The page's own status for a refused form: the API's 4xx, a 503 for its 5xx."""
    return api_status if 400 <= api_status < 500 else 503


async def signed_in(
    request: Request, *roles: str, posting: bool = False
) -> tuple[Api, dict[str, Any]] | Response:
    """The API and who is calling (`/api/v1/auth/me`), or the response to send instead: the login
    page, or a refusal page for another role (or, when `posting`, for a post from another site)."""
    api = Api(request)
    if api.session is None:
        return see_other("/login")
    me = await api.get("/api/v1/auth/me")
    if me.status == 401:
        return see_other("/login")
    if not me.ok:
        return error_page(request, 503, "error.unavailable")
    if roles and me.body["role"] not in roles:
        return error_page(request, 403, "error.forbidden", me=me.body)
    if posting and not same_site(request):
        return error_page(request, 403, "error.cross_site", me=me.body)
    return api, me.body


@dataclass(frozen=True)
class Refused:
    """The API said no to a form: what the re-rendered page needs."""

    status: int  # the page's status: the API's 4xx, or 503 when a service failed
    errors: FormErrors = field(default_factory=FormErrors)
    form: dict[str, str] = field(default_factory=dict)  # what was typed, secrets removed
    row: str | None = None  # the row (object id) a row button acted on, when it was one

    @property
    def sentence(self) -> str:
        """All of it as one sentence, for a button on a table row that has no field to stand by."""
        return " ".join([*self.errors.fields.values(), *self.errors.general])


Done = str | Callable[[ApiAnswer], "str | Response | Awaitable[Response]"]
Again = Callable[[Refused], Awaitable[Response]]


async def submit(
    request: Request,
    api: Api,
    path: str,
    body: Any,
    *,
    done: Done,
    again: Again,
    form: Mapping[str, str] | None = None,
    fields: frozenset[str] = frozenset(),
    by_status: Mapping[int, str] | None = None,
    labels: Mapping[str, str] | None = None,
    method: str = "POST",
    row: str | None = None,
    errors_of: Callable[[ApiAnswer], FormErrors] | None = None,
) -> Response:
    """Send `body` to the API (`method path`); on a 2xx go to `done` (a URL, or a function of the
    answer returning a URL or a response); otherwise call `again` with the refusal in the person's
    language: validation errors next to the `fields` the page shows, a status the form knows a
    sentence for through `by_status` (e.g. `{409: "error.enterprise_conflict"}`), else the API's own
    sentence. `labels` names a field by another word key than `field.<name>` (e.g. a look-up's
    purpose); `errors_of` words the refusal itself instead (see `desk.api_errors`). `body=None` sends
    no body (DELETE)."""
    answer = await api.call(method, path, json=body)
    if answer.ok:
        target = done if isinstance(done, str) else done(answer)
        if isinstance(target, str):
            return see_other(target)
        if isinstance(target, Response):
            return target
        return await target
    errors = (
        errors_of(answer)
        if errors_of is not None
        else form_errors(
            lang_of(request),
            answer.status,
            answer.body if isinstance(answer.body, dict) else None,
            known_fields=fields,
            by_status=by_status,
            labels=labels,
        )
    )
    typed = {k: v for k, v in (form or {}).items() if k not in SECRET_FIELDS}
    return await again(Refused(form_status(answer.status), errors, typed, row))
