"""The office's monitoring page (运行监测): the SME ledger rolled up, overdue SMEs and late counties,
the programmes, the financing funnel and microcredit coverage, each from the public API through the
gateway (a league office's answers are its league's: the services scope them)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from gateway.site.forms import error_page, lang_of, render, signed_in
from gateway.site.i18n import Lang
from gateway.site.pages import OFFICE_ROLES

router = APIRouter(include_in_schema=False)

PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$")
LEVELS = ("county", "league", "region")
DIMENSIONS = ("none", "size_class", "industry_section", "cluster")
FIGURES = ("sales_revenue", "output_value", "profit", "taxes_paid", "employees")

# The page's own words (zh, en), kept here so this page does not edit the shared dictionary.
WORDS: dict[str, tuple[str, str]] = {
    "title": ("运行监测", "Monitoring"),
    "rollup": ("中小企业运行情况逐级汇总", "SME operations rolled up"),
    "period": ("期间", "Period"),
    "level": ("层级", "Level"),
    "by": ("分类", "Split by"),
    "show": ("查看", "Show"),
    "csv": ("下载 CSV", "Download CSV"),
    "county": ("旗县", "County"),
    "league": ("盟市", "League"),
    "region": ("全区", "Region"),
    "none": ("不分类", "None"),
    "size_class": ("企业规模", "Size class"),
    "industry_section": ("行业门类", "Industry section"),
    "cluster": ("产业集群", "Cluster"),
    "sales_revenue": ("销售收入(万元)", "Sales (10k yuan)"),
    "output_value": ("工业总产值(万元)", "Output (10k yuan)"),
    "profit": ("利润(万元)", "Profit (10k yuan)"),
    "taxes_paid": ("实缴税金(万元)", "Taxes (10k yuan)"),
    "employees": ("从业人员", "Employees"),
    "enterprises": ("企业数", "SMEs"),
    "last_year": ("去年同期", "Same period last year"),
    "growth": ("增长%", "Growth %"),
    "overdue": ("逾期未报企业", "Overdue SMEs"),
    "late": ("迟报旗县", "Counties reporting late"),
    "expected": ("应报", "Due"),
    "on_time": ("按时", "On time"),
    "late_n": ("迟报", "Late"),
    "missing": ("未报", "Missing"),
    "programmes": ("成长型与创新型中小企业", "Growth and innovation programmes"),
    "growth_programme": (
        "成长型中小企业(资产、营业收入翻番,新增就业12万人)",
        "Growth SMEs (double assets and revenue, 120,000 jobs)",
    ),
    "innovation": ("创新型中小企业监测", "Innovation monitoring list"),
    "enrolled": ("入选企业", "Enrolled"),
    "revenue_multiple": ("营业收入倍数", "Revenue multiple"),
    "assets_multiple": ("资产倍数", "Assets multiple"),
    "jobs_added": ("新增就业", "Jobs added"),
    "jobs_target": ("就业目标完成%", "Of the jobs target %"),
    "funnel": ("融资漏斗", "Financing funnel"),
    "stage": ("环节", "Stage"),
    "count": ("数量", "Count"),
    "conversion": ("转化率%", "Conversion %"),
    "no_match": ("未匹配原因", "Why requests found no match"),
    "rule": ("条件", "Rule"),
    "requests": ("需求数", "Requests"),
    "microcredit": ("小额贷款公司覆盖", "Microcredit coverage"),
    "counties_covered": ("有小额贷款公司的旗县", "Counties with a microcredit company"),
    "zones_covered": ("有小额贷款公司的开发区", "Zones with a microcredit company"),
    "empty": ("暂无数据", "No data yet"),
    "unavailable": ("暂不可用", "Unavailable"),
}


def _latest_quarter(today: date) -> str:
    first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = first - timedelta(days=1)
    return f"{end.year}-Q{(end.month - 1) // 3 + 1}"


def _body(answer: Any) -> Any:
    return answer.body if answer.ok else None


@router.get("/office/monitoring")
async def monitoring_page(request: Request) -> Response:
    """The monitoring page for the office and league offices."""
    got = await signed_in(request, *OFFICE_ROLES)
    if isinstance(got, Response):
        return got
    api, me = got
    lang = lang_of(request)
    today = datetime.now(UTC).date()
    period = request.query_params.get("period", "")
    period = period if PERIOD.match(period) else _latest_quarter(today)
    league_office = me.get("role") == "league_office"
    level = request.query_params.get("level", "county" if league_office else "league")
    if level not in LEVELS or (league_office and level == "region"):
        level = "county" if league_office else "league"
    by = request.query_params.get("by", "none")
    by = by if by in DIMENSIONS else "none"
    rollup = await api.get("/api/v1/operating-statistics", period=period, level=level, by=by)
    if rollup.status >= 500:
        return error_page(request, 503, "error.unavailable", me=me)
    if rollup.status in (401, 403):
        return error_page(request, rollup.status, "error.forbidden", me=me)
    year = str(today.year - 1)
    overdue = await api.get("/api/v1/operating-statistics/overdue")
    late = await api.get("/api/v1/operating-statistics/timeliness", period=year, late_only="true")
    growth = await api.get("/api/v1/programmes/growth/progress")
    innovation = await api.get("/api/v1/programmes/innovation/progress")
    funnel = await api.get(
        "/api/v1/funnel", from_date=(today - timedelta(days=365)).isoformat(), to_date=today.isoformat()
    )
    microcredit = await api.get("/api/v1/microcredit-companies/coverage")

    def m(key: str) -> str:
        pair = WORDS.get(key)
        return key if pair is None else pair[0 if lang == Lang.ZH else 1]

    return render(
        request,
        "monitoring.html",
        me=me,
        m=m,
        period=period,
        level=level,
        by=by,
        levels=[v for v in LEVELS if not (league_office and v == "region")],
        dimensions=DIMENSIONS,
        figures=FIGURES,
        rollup=_body(rollup),
        overdue=_body(overdue),
        late=_body(late),
        late_year=year,
        growth=_body(growth),
        innovation=_body(innovation),
        funnel=_body(funnel),
        microcredit=_body(microcredit),
    )


def install(app: FastAPI) -> None:
    """Mount the monitoring page."""
    app.include_router(router)
