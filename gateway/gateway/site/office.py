"""The office's drill-down and other charts: one league's counties and development zones, capital by
source, fairs per league per year against the target of two; each with its CSV (built here from the
same JSON the chart shows, so a league office gets the CSV of exactly what it may see)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.site.forms import error_page, refusal_page, render, signed_in
from gateway.site.upstream import Api

router = APIRouter(include_in_schema=False)

OFFICE_ROLES = ("office", "league_office")
OBLIGATION_COLUMNS = (
    "scope",
    "code",
    "name",
    "league_code",
    "obligated",
    "compliant",
    "shortfall",
    "year",
    "figure",
    "threshold",
    "counting_company_names",
)
CAPITAL_SOURCES = ("regional_special_fund", "league_fund", "county_matching_fund", "private_capital")
FAIR_COLUMNS = ("league_code", "league_name", "year", "fairs_held", "fairs_announced", "target", "target_met")


def csv_response(filename: str, header: Sequence[str], lines: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (with a BOM so spreadsheet programs read the Chinese names as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for line in lines:
        writer.writerow(
            ["; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v) for v in line]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _year(request: Request) -> int:
    """The year asked for when it is a sensible one, else this year."""
    asked = request.query_params.get("year", "")
    this = datetime.now(UTC).year
    return int(asked) if asked.isdigit() and 2000 <= int(asked) <= this + 1 else this


# --- drill-down: one league's counties and zones -------------------------------------------------


async def _league(api: Api, code: str) -> tuple[int, dict[str, Any] | None, list[dict[str, Any]]]:
    coverage = await api.get("/api/v1/coverage")
    if not coverage.ok:
        return coverage.status, None, []
    body = coverage.body
    league = next((o for o in body.get("leagues", []) if o.get("code") == code), None)
    parts = [o for o in [*body.get("counties", []), *body.get("zones", [])] if o.get("league_code") == code]
    return 200 if league else 404, league, parts


@router.get("/office/leagues/{code}")
async def league_page(code: str, request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    status, league, parts = await _league(api, code)
    if league is None:
        key = "error.not_found" if status in (403, 404) else "error.unavailable"
        return error_page(request, 404 if status in (403, 404) else 503, key, me=me)
    counties = [p for p in parts if p.get("scope") == "county"]
    zones = [p for p in parts if p.get("scope") != "county"]
    chart = [
        {"name": p["name"], "shortfall": str(p.get("shortfall", "0")), "compliant": p.get("compliant")}
        for p in parts
        if p.get("obligated")
    ]
    return render(
        request,
        "office_league.html",
        me=me,
        league=league,
        counties=counties,
        zones=zones,
        chart_data={"parts": chart},
    )


@router.get("/office/coverage/{code}.csv")
async def league_csv(code: str, request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    status, league, parts = await _league(api, code)
    if league is None:
        return error_page(request, 404 if status in (403, 404) else 503, "error.not_found", me=me)
    lines = ([o.get(c) for c in OBLIGATION_COLUMNS] for o in [league, *parts])
    return csv_response(f"coverage-{code}.csv", OBLIGATION_COLUMNS, lines)


@router.get("/office/coverage.csv")
async def coverage_csv(request: Request) -> Response:
    """Every league, county and zone the person may see."""
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    coverage = await api.get("/api/v1/coverage")
    if not coverage.ok:
        return refusal_page(request, coverage, me=me)
    b = coverage.body
    every = [*b.get("leagues", []), *b.get("counties", []), *b.get("zones", [])]
    return csv_response(
        "guarantee-coverage.csv", OBLIGATION_COLUMNS, ([o.get(c) for c in OBLIGATION_COLUMNS] for o in every)
    )


# --- capital by source ----------------------------------------------------------------------------


@router.get("/office/capital")
async def capital_page(request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    summary = await api.get("/api/v1/capital-injections/summary")
    if summary.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    body = summary.body if summary.ok else None  # a league office: the regional figure is not its own
    by_source = [
        {"source": s, "amount": str((body or {}).get("by_source", {}).get(s, "0"))} for s in CAPITAL_SOURCES
    ]
    return render(
        request,
        "office_capital.html",
        me=me,
        summary=body,
        sources=CAPITAL_SOURCES,
        chart_data={"capital": by_source if body else []},
    )


@router.get("/office/capital.csv")
async def capital_csv(request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    summary = await api.get("/api/v1/capital-injections/summary")
    if not summary.ok:
        return refusal_page(request, summary, me=me)
    b = summary.body
    header = ("scope", "code", "name", "league_code", *CAPITAL_SOURCES)
    region = [
        ["region", "15", "内蒙古自治区", "15", *(b.get("by_source", {}).get(s, "0") for s in CAPITAL_SOURCES)]
    ]
    counties = [
        [
            "county",
            c["county_code"],
            c["county_name"],
            c["league_code"],
            *(c.get(s, "0") for s in CAPITAL_SOURCES),
        ]
        for c in b.get("counties", [])
    ]
    return csv_response("capital-by-source.csv", header, [*region, *counties])


# --- fairs per league per year against the target of two ------------------------------------------


@router.get("/office/fairs")
async def fairs_page(request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    year = _year(request)
    monitoring = await api.get("/api/v1/fairs/monitoring", year=year)
    if monitoring.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    leagues = monitoring.body if monitoring.ok and isinstance(monitoring.body, list) else None
    chart = [
        {
            "name": r["league_name"],
            "held": r["fairs_held"],
            "announced": r["fairs_announced"],
            "target": r["target"],
        }
        for r in leagues or []
    ]
    return render(
        request,
        "office_fairs.html",
        me=me,
        leagues=leagues,
        year=year,
        met=sum(1 for r in leagues or [] if r.get("target_met")),
        chart_data={"fairs": chart},
    )


@router.get("/office/fairs.csv")
async def fairs_csv(request: Request) -> Response:
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    year = _year(request)
    monitoring = await api.get("/api/v1/fairs/monitoring", year=year)
    if not monitoring.ok or not isinstance(monitoring.body, list):
        return refusal_page(request, monitoring, me=me)
    return csv_response(
        f"fairs-per-league-{year}.csv",
        FAIR_COLUMNS,
        ([r.get(c) for c in FAIR_COLUMNS] for r in monitoring.body),
    )
