"""Coverage of the guarantee system (担保体系覆盖) for the office: JSON, CSV export and a page."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from guarantee_registry.api.deps import MANAGERS, PolicyDep, PrincipalDep, SessionDep
from guarantee_registry.api.schemas import CoverageRead, ObligationRead
from guarantee_registry.api.views import capital_summary
from guarantee_registry.db import repositories as repo
from guarantee_registry.domain import coverage
from guarantee_registry.domain.rules import CoverageReport, Obligation, capacity_of, league_status
from smefin.auth import Role, in_league_scope
from smefin.errors import NotFound

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])
WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = {"echarts.min.js": "application/javascript", "neimenggu.json": "application/json"}
TEMPLATES = Environment(loader=FileSystemLoader(WEB / "templates"), autoescape=select_autoescape(["html"]))
YearQuery = Annotated[
    int | None, Query(ge=1990, le=2100, description="figures of this year; latest when omitted")
]


def _rows(report: CoverageReport) -> CoverageRead:
    status = league_status(report)

    def read(o: Obligation) -> ObligationRead:
        return ObligationRead(**o.__dict__, status=status.get(o.code) if o.scope == "league" else None)

    return CoverageRead(
        target_registered_capital=report.target,
        leagues_compliant=sum(o.compliant for o in report.leagues),
        leagues_total=len(report.leagues),
        total_shortfall=sum((o.shortfall for o in report.all()), Decimal("0")),
        leagues=[read(o) for o in report.leagues],
        counties=[read(o) for o in report.counties],
        zones=[read(o) for o in report.zones],
    )


def _league(o: Obligation) -> str:
    return o.league_code


@router.get("", summary="Coverage per league, qualifying county and zone")
async def get_coverage(
    session: SessionDep, policy: PolicyDep, principal: PrincipalDep, year: YearQuery = None
) -> CoverageRead:
    """Which targets are met, which companies count, and the shortfall in yuan."""
    principal.require(*MANAGERS, Role.LEAGUE_OFFICE)
    report = await coverage.build_report(session, policy, year)
    if principal.role == Role.LEAGUE_OFFICE:  # its own league's leagues, counties and zones only
        report = replace(
            report,
            leagues=in_league_scope(principal, report.leagues, _league),
            counties=in_league_scope(principal, report.counties, _league),
            zones=in_league_scope(principal, report.zones, _league),
        )
    return _rows(report)


@router.get("/export.csv", summary="Coverage as CSV", response_class=Response)
async def export_csv(
    session: SessionDep, policy: PolicyDep, principal: PrincipalDep, year: YearQuery = None
) -> Response:
    """One row per league, county and zone."""
    principal.require(*MANAGERS)
    report = await coverage.build_report(session, policy, year)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "scope",
            "code",
            "name",
            "league_code",
            "year",
            "figure",
            "threshold",
            "obligated",
            "compliant",
            "shortfall",
            "counting_companies",
        ]
    )
    for o in report.all():
        w.writerow(
            [
                o.scope,
                o.code,
                o.name,
                o.league_code,
                o.year or "",
                o.figure if o.figure is not None else "",
                o.threshold if o.threshold is not None else "",
                o.obligated,
                o.compliant,
                o.shortfall,
                "; ".join(o.counting_company_names),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # BOM so spreadsheet programs read the Chinese names as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="guarantee-coverage.csv"'},
    )


@router.get("/page", summary="The office's coverage page (HTML)", response_class=HTMLResponse)
async def page(
    session: SessionDep, policy: PolicyDep, principal: PrincipalDep, year: YearQuery = None
) -> HTMLResponse:
    """Map of the 12 leagues by compliance, shortfalls, capital by source, leverage per company."""
    principal.require(*MANAGERS)
    cov = _rows(await coverage.build_report(session, policy, year))
    capital = await capital_summary(session, policy)
    companies = []
    for c in await repo.all_companies(session):
        cap = capacity_of(c.net_assets, c.outstanding, c.serves_small_micro_agri, policy)
        companies.append(
            {
                "name": c.name,
                "league_code": c.league_code,
                "registered_capital": c.registered_capital,
                "net_assets": c.net_assets,
                "outstanding": c.outstanding,
                "limit": cap.limit,
                "multiple": cap.multiple,
                "leverage": cap.leverage,
                "remaining": cap.remaining,
                "used_pct": round(c.outstanding * 100 / cap.limit, 2) if cap.limit else 0,
            }
        )
    html = TEMPLATES.get_template("coverage.html").render(
        year=year,
        coverage=cov.model_dump(mode="json"),
        capital=capital.model_dump(mode="json"),
        companies=companies,
        chart_data={
            "leagues": [
                {
                    "name": o.name,
                    "code": o.code,
                    "status": o.status,
                    "shortfall": str(o.shortfall),
                    "companies": o.counting_company_names,
                }
                for o in cov.leagues
            ],
            "by_source": {k: str(v) for k, v in capital.by_source.items()},
            "leverage": [
                {
                    "name": c["name"],
                    "leverage": str(c["leverage"] or 0),
                    "used_pct": str(c["used_pct"]),
                    "multiple": str(c["multiple"]),
                }
                for c in companies
            ],
        },
    )
    return HTMLResponse(html)


@router.get(
    "/static/{name}",
    summary="Vendored page assets (ECharts, the Inner Mongolia map)",
    include_in_schema=False,
)
async def static(name: str) -> FileResponse:
    """Public static files; nothing is loaded from a CDN."""
    if name not in STATIC:
        raise NotFound(f"no static file {name}")
    return FileResponse(
        WEB / "static" / name, media_type=STATIC[name], headers={"Cache-Control": "public, max-age=86400"}
    )
