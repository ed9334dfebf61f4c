"""The SME's loans (and asking for more time to repay), and the fairs to sign up for with its agenda."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.site.forms import (
    Refused,
    as_int,
    read_form,
    refusal_page,
    render,
    rows,
    see_other,
    signed_in,
    submit,
)
from gateway.site.upstream import Api

router = APIRouter(include_in_schema=False)

EXTENSION_FIELDS = frozenset({"extra_months", "reason"})
# Fairs an SME can still sign up for; the others are listed for their agenda only.
OPEN_FAIRS = frozenset({"published"})
MAX_FAIRS = 30


async def _loans_page(
    request: Request, api: Api, me: dict[str, Any], refused: Refused | None = None
) -> Response:
    loans = await api.get("/api/v1/loans")
    if loans.status >= 500:
        return refusal_page(request, loans, me=me)
    return render(
        request,
        "sme_loans.html",
        status=refused.status if refused else 200,
        me=me,
        loans=rows(loans),
        refused=refused,
        form=refused.form if refused else {},
    )


@router.get("/sme/loans")
async def loans_page(request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _loans_page(request, *got)


@router.post("/sme/loans/{loan_id}/extension")
async def ask_extension(loan_id: str, request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {"extra_months": as_int(form.get("extra_months", "")), "reason": form.get("reason", "")}

    async def again(refused: Refused) -> Response:
        return await _loans_page(request, api, me, refused)

    return await submit(
        request,
        api,
        f"/api/v1/loans/{loan_id}/extension-request",
        body,
        form=form,
        fields=EXTENSION_FIELDS,
        done="/sme/loans",
        again=again,
        row=loan_id,
    )


async def _my_registration(api: Api, fair_id: str, uscc: str) -> dict[str, Any] | None:
    """The SME's own registration for a fair (the API lists it with the validated participants)."""
    listed = await api.get(f"/api/v1/fairs/{fair_id}/registrations")
    return next((r for r in rows(listed) if r.get("participant_id") == uscc), None)


async def _fairs_page(
    request: Request, api: Api, me: dict[str, Any], refused: Refused | None = None
) -> Response:
    fairs = await api.get("/api/v1/fairs")
    if fairs.status >= 500:
        return refusal_page(request, fairs, me=me)
    listed = sorted(rows(fairs), key=lambda f: str(f.get("starts_at", "")))[:MAX_FAIRS]
    mine = await asyncio.gather(*(_my_registration(api, str(f["id"]), me["uscc"]) for f in listed))
    return render(
        request,
        "sme_fairs.html",
        status=refused.status if refused else 200,
        me=me,
        fairs=[{"fair": f, "mine": m} for f, m in zip(listed, mine, strict=True)],
        open_fairs=OPEN_FAIRS,
        refused=refused,
    )


@router.get("/sme/fairs")
async def fairs_page(request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    return await _fairs_page(request, *got)


@router.post("/sme/fairs/{fair_id}/register")
async def register_for_fair(fair_id: str, request: Request) -> Response:
    got = await signed_in(request, "sme", posting=True)
    if isinstance(got, Response):
        return got
    api, me = got
    form = await read_form(request)
    body = {"note": form["note"]} if form.get("note") else {}

    async def again(refused: Refused) -> Response:
        return await _fairs_page(request, api, me, refused)

    return await submit(
        request,
        api,
        f"/api/v1/fairs/{fair_id}/registrations",
        body,
        form=form,
        fields=frozenset({"note"}),
        by_status={409: "fairs.already"},
        done="/sme/fairs",
        again=again,
        row=fair_id,
    )


@router.get("/sme/fairs/{fair_id}/agenda")
async def agenda_page(fair_id: str, request: Request) -> Response:
    got = await signed_in(request, "sme")
    if isinstance(got, Response):
        return got
    api, me = got
    agenda = await api.get(f"/api/v1/fairs/{fair_id}/agenda")
    if agenda.status == 404:
        return see_other("/sme/fairs")  # not registered (or not validated yet): the list says which
    if not agenda.ok:
        return refusal_page(request, agenda, me=me)
    return render(request, "sme_agenda.html", me=me, agenda=agenda.body)
