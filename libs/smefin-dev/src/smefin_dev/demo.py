"""Demo data for `make run`, loaded through the gateway's HTTP API only (演示数据).

Loads about 2,000 SMEs over all 12 leagues with credit records (so ratings exist), guarantee companies
with capital injections (one league left without a company and one short of the target, so the
coverage page shows shortfalls), county fiscal revenues and development zones, banks with products and
12 months of lending reports, and about 200 financing requests. Everything is generated from a fixed
seed, so two loads are identical. A platform that already has enterprises is left alone.

    python -m smefin_dev.demo --gateway http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from typing import Any

import httpx

from smefin.auth import Principal, Role, issue_internal_token
from smefin.reference import (
    County,
    Indicator,
    classify,
    counties,
    county,
    leagues,
    make_uscc,
    row_for_industry,
)
from smefin.settings import DEV_SECRET

SEED = 2011  # the policy-implementation year
DESIGNATED_SIZE_REVENUE = Decimal("2000")  # 规模以上: report operating figures monthly (万元)
CONCURRENCY = 16
MAX_FAILURES = 5
REQUEST_TIMEOUT = 60.0
LOAD_TIMEOUT = 900.0
SERVICE_ORG = "smefin-demo"
CREDIT_BATCH_ENTERPRISES = 200  # one batch is one transaction; it must finish inside the gateway's 30 s

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_TWO = Decimal("0.01")

# Share of the demo enterprises per league: the big economies get more.
LEAGUE_WEIGHTS: dict[str, float] = {
    "150100": 14,
    "150200": 13,
    "150300": 3,
    "150400": 12,
    "150500": 9,
    "150600": 13,
    "150700": 9,
    "150800": 6,
    "150900": 7,
    "152200": 5,
    "152500": 6,
    "152900": 3,
}

# GB/T 4754-2017 divisions with a trade word for names; the first list is everywhere, the rest by league.
COMMON_INDUSTRIES: list[tuple[str, str]] = [
    ("F51", "商贸"),
    ("F52", "商贸"),
    ("G54", "运输"),
    ("G59", "仓储物流"),
    ("E48", "建筑工程"),
    ("H61", "酒店管理"),
    ("H62", "餐饮"),
    ("L72", "商务服务"),
    ("I65", "信息技术"),
    ("C13", "农产品加工"),
    ("A01", "农业科技"),
    ("M75", "科技"),
]
LEAGUE_INDUSTRIES: dict[str, list[tuple[str, str]]] = {
    "150100": [("C14", "乳业"), ("I65", "软件"), ("C27", "生物制药")],
    "150200": [("C32", "稀土材料"), ("C31", "钢铁制品"), ("C34", "机械制造")],
    "150300": [("C26", "化工"), ("B06", "煤业"), ("C30", "建材")],
    "150400": [("A01", "农牧"), ("C13", "食品"), ("B09", "矿业")],
    "150500": [("A03", "牧业"), ("C13", "玉米深加工"), ("C26", "化工")],
    "150600": [("B06", "煤业"), ("C17", "羊绒制品"), ("C26", "煤化工")],
    "150700": [("A03", "牧业"), ("C13", "肉食品"), ("A02", "林业")],
    "150800": [("A01", "农业"), ("C13", "葵花籽加工"), ("C15", "酿造")],
    "150900": [("D44", "新能源"), ("A01", "马铃薯种植"), ("C30", "建材")],
    "152200": [("A01", "稻米"), ("A03", "牧业"), ("C13", "食品")],
    "152500": [("A03", "牧业"), ("C13", "肉业"), ("C14", "奶食品")],
    "152900": [("C26", "盐化工"), ("A03", "驼业"), ("C13", "苁蓉生物")],
}
CLUSTERS: dict[str, str] = {
    "C14": "dairy",
    "C32": "rare-earth",
    "C17": "cashmere",
    "B06": "coal",
    "D44": "energy",
}
NAME_WORDS = [
    "鑫源", "蒙盛", "金河", "草原", "北疆", "塞北", "敕勒川", "大青山", "黄河", "阴山", "天骄", "祥和",
    "瑞丰", "宏达", "恒通", "兴盛", "绿野", "白云", "青城", "科尔沁", "呼伦", "锡林", "驼铃", "胡杨",
]  # fmt: skip

# (class, share): SMEs are mostly micro and small.
SIZE_MIX: list[tuple[str, float]] = [("micro", 0.55), ("small", 0.33), ("medium", 0.12)]
# Indicators the standard's row does not read still need plausible figures: (employees, revenue 万元).
GENERIC_BANDS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "micro": ((3, 19), (20, 290)),
    "small": ((20, 280), (300, 1900)),
    "medium": ((300, 900), (2000, 15000)),
}

# Development zones (office data): the rare-earth zone is above the 10bn sales line and gets a company,
# the Hohhot zone is above it and does not (a shortfall), the Ordos park is below the line.
ZONES: list[dict[str, str]] = [
    {
        "zone_code": "baotou-rare-earth-hitech",
        "name": "包头稀土高新技术产业开发区",
        "league_code": "150200",
        "county_code": "150207",
        "annual_sales": "118000000000.00",
    },
    {
        "zone_code": "hohhot-etdz",
        "name": "呼和浩特经济技术开发区",
        "league_code": "150100",
        "county_code": "150121",
        "annual_sales": "46000000000.00",
    },
    {
        "zone_code": "ordos-airport-logistics",
        "name": "鄂尔多斯空港物流园区",
        "league_code": "150600",
        "county_code": "150627",
        "annual_sales": "7800000000.00",
    },
]
# Counties above the 5bn fiscal-revenue line (each needs a company of its own) and their revenue, yuan.
BIG_COUNTIES: dict[str, str] = {
    "150622": "9300000000.00",  # 准格尔旗
    "150627": "7400000000.00",  # 伊金霍洛旗 (no company of its own: a shortfall)
    "150602": "5600000000.00",  # 东胜区
    "150203": "5200000000.00",  # 昆都仑区
    "150105": "5100000000.00",  # 赛罕区
}
LEAGUE_WITHOUT_COMPANY = "152900"  # 阿拉善盟
LEAGUE_SHORT_OF_TARGET = "150300"  # 乌海市: a company, but under 100M yuan registered capital


@dataclass(frozen=True)
class GuarantorSpec:
    """A guarantee company to register and the capital put into it afterwards."""

    key: str
    body: dict[str, Any]
    injections: list[dict[str, Any]]


@dataclass(frozen=True)
class BankSpec:
    """A bank, its products and its lending reports (CSV)."""

    org_id: str
    name: str
    products: list[dict[str, Any]]
    lending_csv: str


@dataclass
class Failure:
    """One request that did not do what the loader needed."""

    step: str
    method: str
    path: str
    status: int
    detail: str


class LoadFailed(RuntimeError):
    """The load stopped; the failures say why."""


def _rng(seed: int, label: str) -> random.Random:
    # A string seed is hashed with SHA-512, so this is stable across runs and PYTHONHASHSEED.
    return random.Random(f"{seed}:{label}")


def _money(value: float) -> str:
    return str(Decimal(str(value)).quantize(_TWO))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _county_weight(c: County) -> float:
    # 区 are urban districts (市辖区): more enterprises than a banner.
    return 2.5 if c.name.endswith("区") else 1.0


# ---- generators (pure) -------------------------------------------------------------------------


def size_figures(rng: random.Random, industry: str, size: str) -> tuple[int, Decimal, Decimal]:
    """Employees, revenue and assets (万元) that put an enterprise of `industry` in class `size`."""
    row = row_for_industry(industry)
    small = {t.indicator: float(t.value) for t in row.small_floors}
    medium = {t.indicator: float(t.value) for t in row.medium_floors}
    ceiling = {t.indicator: float(t.value) for t in row.sme_ceiling}
    (emp_lo, emp_hi), (rev_lo, rev_hi) = GENERIC_BANDS[size]
    generic = {
        Indicator.EMPLOYEES: (emp_lo, emp_hi),
        Indicator.REVENUE: (rev_lo, rev_hi),
        Indicator.ASSETS: (rev_lo * 0.6, rev_hi * 1.2),
    }
    values: dict[Indicator, float] = {}
    for ind in (Indicator.EMPLOYEES, Indicator.REVENUE, Indicator.ASSETS):
        lo, hi = generic[ind]
        if ind in small and ind in medium:
            if size == "micro":
                lo, hi = max(1.0, small[ind] * 0.15), small[ind] * 0.95
            elif size == "small":
                lo, hi = small[ind], medium[ind] * 0.95
            else:
                lo, hi = medium[ind], min(ceiling.get(ind, medium[ind] * 6), medium[ind] * 6) * 0.95
        values[ind] = _log_uniform(rng, lo, max(hi, lo * 1.01))
    employees = max(1, int(values[Indicator.EMPLOYEES]))
    if Indicator.EMPLOYEES in small and size != "micro":
        employees = max(employees, math.ceil(small[Indicator.EMPLOYEES]))
    revenue = Decimal(str(values[Indicator.REVENUE])).quantize(Decimal("0.1"))
    assets = Decimal(str(values[Indicator.ASSETS])).quantize(Decimal("0.1"))
    return employees, revenue, assets


def enterprise_bodies(n: int = 2000, seed: int = SEED) -> list[dict[str, Any]]:
    """`n` enterprise registrations spread over every league and its real counties."""
    rng = _rng(seed, "enterprises")
    league_codes = [lg.code for lg in leagues()]
    by_league = {code: counties(code) for code in league_codes}
    # Every league gets its share, at least a few; the rest by weight.
    total_weight = sum(LEAGUE_WEIGHTS[c] for c in league_codes)
    quota = {c: max(10, round(n * LEAGUE_WEIGHTS[c] / total_weight)) for c in league_codes}
    while sum(quota.values()) > n:
        quota[max(quota, key=lambda c: quota[c])] -= 1
    while sum(quota.values()) < n:
        quota[min(quota, key=lambda c: quota[c] / LEAGUE_WEIGHTS[c])] += 1
    serials: set[str] = set()
    names: set[str] = set()
    bodies: list[dict[str, Any]] = []
    for code in league_codes:
        cs = by_league[code]
        weights = [_county_weight(c) for c in cs]
        trades = COMMON_INDUSTRIES + LEAGUE_INDUSTRIES[code] * 3
        for i in range(quota[code]):
            # Every county gets at least one enterprise; the rest by weight.
            c = cs[i] if i < len(cs) else rng.choices(cs, weights)[0]
            industry, trade = rng.choice(trades)
            size = rng.choices([s for s, _ in SIZE_MIX], [w for _, w in SIZE_MIX])[0]
            employees, revenue, assets = size_figures(rng, industry, size)
            while (serial := "MA" + "".join(rng.choices(_ALPHABET, k=7))) in serials:
                pass
            serials.add(serial)
            place = c.name
            name = f"{place}{rng.choice(NAME_WORDS)}{trade}有限公司"
            suffix = 2
            while name in names:
                name = f"{place}{rng.choice(NAME_WORDS)}{trade}{suffix}有限公司"
                suffix += 1
            names.add(name)
            bodies.append(
                {
                    "uscc": make_uscc(c.code, serial),
                    "name": name,
                    "county_code": c.code,
                    "industry": industry,
                    "employees": employees,
                    "revenue": str(revenue),
                    "assets": str(assets),
                    "growth_programme": rng.random() < 0.08,
                    "cluster": CLUSTERS.get(industry) if rng.random() < 0.7 else None,
                }
            )
    return bodies


def _recent_periods(today: date, monthly: bool) -> list[tuple[int, str, date]]:
    """The last two complete months or quarters before `today`: (year, period, a day in it)."""
    out: list[tuple[int, str, date]] = []
    y, m = today.year, today.month
    for _ in range(2):
        if monthly:
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
            out.append((y, f"{y}-{m:02d}", date(y, m, 28)))
        else:
            quarter = (m - 1) // 3  # the quarter before the one `m` is in, 0 meaning last year's Q4
            y, quarter = (y, quarter) if quarter else (y - 1, 4)
            m = quarter * 3 - 2  # first month of that quarter, for the next step back
            out.append((y, f"{y}-Q{quarter}", date(y, quarter * 3, 28)))
    return out


def credit_records(
    enterprises: Sequence[dict[str, Any]], today: date, seed: int = SEED
) -> list[dict[str, Any]]:
    """Tax, social insurance, utilities, operating figures, loans, guarantees and a few court records."""
    rng = _rng(seed, "credit")
    year = today.year - 1
    rows: list[dict[str, Any]] = []
    for n, e in enumerate(enterprises):
        u = e["uscc"]
        # A hidden quality drives every record of the enterprise, so grades spread out.
        q = rng.betavariate(5, 2)
        revenue = float(e["revenue"])

        def add(source: str, on: date, ref: str, payload: dict[str, Any], uscc: str = u) -> None:
            rows.append(
                {
                    "uscc": uscc,
                    "source": source,
                    "occurred_on": on.isoformat(),
                    "ref": ref,
                    "payload": payload,
                }
            )

        for y in (year - 1, year):
            grade = "A" if q > 0.8 else "B" if q > 0.55 else "M" if q > 0.35 else "C" if q > 0.15 else "D"
            overdue = _money(revenue * 0.01 * rng.random()) if q < 0.25 else "0.00"
            add(
                "tax",
                date(y + 1, 4, 30),
                f"tax-{y}-{n:05d}",
                {
                    "year": y,
                    "grade": grade,
                    "taxes_paid": _money(revenue * rng.uniform(0.02, 0.06)),
                    "overdue_tax": overdue,
                },
            )
        months = 12 if q > 0.3 or rng.random() < 0.5 else rng.randint(6, 11)
        add(
            "social_insurance",
            date(year, 12, 31),
            f"si-{year}-{n:05d}",
            {
                "year": year,
                "insured_headcount": int(e["employees"] * rng.uniform(0.6, 1.0)),
                "months_paid": months,
                "arrears": "0.00" if months == 12 else _money(e["employees"] * 0.1 * (12 - months)),
            },
        )
        late = 0 if q > 0.4 else rng.randint(0, 5)
        add(
            "utilities",
            date(year, 12, 31),
            f"power-{year}-{n:05d}",
            {"utility": "power", "year": year, "months_on_time": 12 - late, "months_late": late},
        )
        # Above designated size (revenue ≥ 2000 万元) reports monthly, the rest quarterly.
        monthly = revenue >= float(DESIGNATED_SIZE_REVENUE)
        for _, period, on in _recent_periods(today, monthly):
            share = 12 if monthly else 4
            add(
                "operating",
                on,
                f"op-{period}-{n:05d}",
                {
                    "frequency": "monthly" if monthly else "quarterly",
                    "period": period,
                    "revenue": _money(revenue / share * rng.uniform(0.8, 1.2)),
                    "profit": _money(revenue / share * rng.uniform(-0.05, 0.15) * (q + 0.2)),
                    "employees": int(e["employees"]),
                },
            )
        if rng.random() < 0.45:
            amount = _money(max(10.0, revenue * rng.uniform(0.05, 0.3)) * 10000)
            status = "repaid" if q > 0.45 else rng.choice(["disbursed", "repaid", "overdue", "defaulted"])
            add(
                "loan",
                today - timedelta(days=rng.randint(60, 900)),
                f"loan-{n:05d}",
                {
                    "loan_id": f"L{n:06d}",
                    "bank_org_id": rng.choice(BANK_ORGS),
                    "amount": amount,
                    "status": status,
                    "days_past_due": rng.randint(31, 200) if status in ("overdue", "defaulted") else 0,
                },
            )
            if rng.random() < 0.3:
                add(
                    "guarantee",
                    today - timedelta(days=rng.randint(60, 900)),
                    f"gua-{n:05d}",
                    {
                        "guarantee_id": f"G{n:06d}",
                        "company_id": f"legacy-{rng.randint(1, 30):02d}",
                        "amount": amount,
                        "status": "claimed" if status == "defaulted" else "released",
                    },
                )
        if q < 0.4 and rng.random() < 0.5:
            add(
                "court",
                today - timedelta(days=rng.randint(30, 1500)),
                f"court-{n:05d}",
                {
                    "kind": rng.choice(["judgment", "enforcement", "dishonest_debtor"]),
                    "case_no": f"({year})蒙{rng.randint(1, 99):02d}民初{rng.randint(100, 9999)}号",
                    "role": "defendant",
                    "amount": _money(revenue * rng.uniform(0.5, 5)),
                    "closed": rng.random() < 0.3,
                },
            )
    return rows


def guarantor_specs(seed: int = SEED, today: date | None = None) -> list[GuarantorSpec]:
    """One company per league except one; one league short of 100M; big counties and a zone served."""
    rng = _rng(seed, "guarantors")
    today = today or date.today()
    specs: list[GuarantorSpec] = []
    league_by_code = {lg.code: lg for lg in leagues()}
    # (league, county the company sits in, zone it serves or None, initial registered capital yuan,
    # league-level company?): one per league at the league seat, then county- and zone-level ones.
    placements: list[tuple[str, str, str | None, int, bool]] = [
        (
            code,
            counties(code)[0].code,
            None,
            40_000_000 if code == LEAGUE_SHORT_OF_TARGET else 60_000_000,
            True,
        )
        for code in league_by_code
        if code != LEAGUE_WITHOUT_COMPANY
    ]
    placements += [
        ("150600", "150622", None, 150_000_000, False),  # 准格尔旗
        ("150600", "150602", None, 120_000_000, False),  # 东胜区
        ("150200", "150203", None, 110_000_000, False),  # 昆都仑区
        ("150100", "150105", None, 80_000_000, False),  # 赛罕区
        ("150200", "150207", "baotou-rare-earth-hitech", 130_000_000, False),
    ]
    sources = ["regional_special_fund", "league_fund", "county_matching_fund", "private_capital"]
    for i, (code, seat, zone, capital, league_level) in enumerate(placements):
        lg = league_by_code[code]
        seat_name = next(c.name for c in counties(code) if c.code == seat)
        who = lg.name if league_level else f"{lg.name}{seat_name}"
        name = f"{who}{'高新区' if zone else ''}中小企业融资担保有限公司"
        government = rng.random() < 0.75
        paid_in = int(capital * rng.uniform(0.7, 1.0))
        body: dict[str, Any] = {
            "uscc": make_uscc(seat, f"MA0G{i:05d}"),
            "name": name,
            "league_code": code,
            "county_code": seat,
            "licence_number": f"蒙融担{i + 1:03d}",
            "registered_capital": _money(capital),
            "paid_in_capital": _money(paid_in),
            "net_assets": _money(paid_in * rng.uniform(1.0, 1.15)),
            "ownership": "government" if government else "private",
            "serves_small_micro_agri": rng.random() < 0.6,
            "owner_org_id": f"guarantor-{code}-{i:02d}",
        }
        if zone:
            body["zone_code"] = zone
        injections: list[dict[str, Any]] = []
        if code != LEAGUE_SHORT_OF_TARGET:
            # Three or four sources bring the company above the 100M yuan target.
            for j, source in enumerate(rng.sample(sources, rng.randint(3, 4))):
                amount = rng.choice([10, 15, 20, 25, 30]) * 1_000_000
                inj: dict[str, Any] = {
                    "amount": _money(amount),
                    "injected_on": (today - timedelta(days=30 + 90 * j + rng.randint(0, 60))).isoformat(),
                    "source": source,
                    "note": f"{['自治区专项资金', '盟市财政注资', '旗县配套资金', '民间资本增资'][sources.index(source)]}",
                }
                if source == "county_matching_fund":
                    inj["county_code"] = seat
                injections.append(inj)
        else:
            injections.append(
                {
                    "amount": _money(10_000_000),
                    "injected_on": (today - timedelta(days=120)).isoformat(),
                    "source": "private_capital",
                    "note": "民间资本增资",
                }
            )
        specs.append(GuarantorSpec(key=f"{code}-{i:02d}", body=body, injections=injections))
    return specs


OPERATING_COLUMNS = (
    "uscc",
    "period",
    "output_value",
    "sales_revenue",
    "profit",
    "taxes_paid",
    "employees",
    "exports",
    "energy_use",
    "total_assets",
    "reported_on",
)
OPERATING_CHUNK = 400  # rows per county file: one file is one transaction behind the gateway's 30 s


def _period_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _ledger_periods(first_year: int, today: date, monthly: bool) -> list[tuple[str, date, float]]:
    """Ended periods from January of `first_year`: (period, due day, its middle as a fractional year)."""
    out: list[tuple[str, date, float]] = []
    step = 1 if monthly else 3
    for year in range(first_year, today.year + 1):
        for month in range(step, 13, step):
            end = _period_end(year, month)
            if end >= today:
                return out
            period = f"{year}-{month:02d}" if monthly else f"{year}-Q{month // 3}"
            due = end + timedelta(days=10 if monthly else 15)
            out.append((period, due, year + (month - step / 2) / 12))
    return out


def operating_reports(
    enterprises: Sequence[dict[str, Any]], today: date, baseline: set[str], seed: int = SEED
) -> dict[str, list[dict[str, Any]]]:
    """Each county's ledger (台账): monthly reports above designated size, quarterly below, from January
    last year (two years back for the SMEs in `baseline`, the programmes'); about one in twelve was
    reported late, and one SME in ten has not sent its latest period yet (overdue)."""
    rng = _rng(seed, "operating")
    out: dict[str, list[dict[str, Any]]] = {}
    for e in enterprises:
        revenue, assets = float(e["revenue"]), float(e["assets"])
        monthly = Decimal(e["revenue"]) >= DESIGNATED_SIZE_REVENUE
        # Growth SMEs grow fast (a few double within a year); the rest around 8 % a year.
        growth = rng.gauss(0.55, 0.3) if e["growth_programme"] else rng.gauss(0.08, 0.07)
        margin = rng.uniform(-0.03, 0.12)
        export_share = rng.uniform(0.05, 0.3) if rng.random() < 0.15 else 0.0
        energy = rng.uniform(0.1, 0.8)
        first = today.year - (2 if e["uscc"] in baseline else 1)
        periods = _ledger_periods(first, today, monthly)
        if rng.random() < 0.1:
            periods = periods[:-1]  # the latest period not sent yet: overdue
        for period, due, middle in periods:
            # The registered revenue is last year's level; other years grow or shrink from it.
            factor = (1 + growth) ** (middle - (today.year - 1) - 0.5) * rng.uniform(0.9, 1.1)
            sales = revenue / (12 if monthly else 4) * factor
            late = rng.random() < 0.08
            on = due + timedelta(days=rng.randint(3, 40)) if late else due - timedelta(days=rng.randint(0, 8))
            out.setdefault(e["county_code"], []).append(
                {
                    "uscc": e["uscc"],
                    "period": period,
                    "output_value": _money(sales * 1.05),
                    "sales_revenue": _money(sales),
                    "profit": _money(sales * margin),
                    "taxes_paid": _money(sales * 0.04),
                    "employees": max(1, round(e["employees"] * factor**0.5)),
                    "exports": _money(sales * 1.05 * export_share),
                    "energy_use": _money(sales * energy),
                    "total_assets": _money(assets * factor),
                    "reported_on": min(on, today).isoformat(),
                }
            )
    return out


def programme_enrolments(
    enterprises: Sequence[dict[str, Any]], today: date, seed: int = SEED
) -> list[tuple[str, str, int]]:
    """(programme, uscc, baseline year): the growth SMEs, and a share of industrial SMEs on the innovation list."""
    rng = _rng(seed, "programmes")
    baseline = today.year - 2
    out = [("growth", e["uscc"], baseline) for e in enterprises if e["growth_programme"]]
    out += [
        ("innovation", e["uscc"], baseline)
        for e in enterprises
        if e["industry"].startswith("C") and rng.random() < 0.1
    ]
    return out


def microcredit_bodies(seed: int = SEED) -> list[dict[str, Any]]:
    """Microcredit companies (小额贷款公司) in about seven counties in ten, and in two of the zones."""
    rng = _rng(seed, "microcredit")
    bodies = []
    places: list[tuple[str, str | None]] = [(c.code, None) for c in counties() if rng.random() < 0.7]
    places += [(z["county_code"], z["zone_code"]) for z in ZONES[:2]]
    for n, (code, zone) in enumerate(places, start=1):
        c = county(code)
        bodies.append(
            {
                "uscc": make_uscc(code, f"XD{n:07d}"),
                "name": f"{c.name}{'园区' if zone else ''}小额贷款有限公司",
                "county_code": code,
                "licence_number": f"蒙小贷{n:04d}",
                "registered_capital": _money(_log_uniform(rng, 3e7, 3e8)),
            }
            | ({"zone_code": zone} if zone else {})
        )
    return bodies


def fiscal_revenue_csv(year: int, seed: int = SEED) -> str:
    """Every county's fiscal revenue (yuan) for `year`; only BIG_COUNTIES exceed the 5bn line."""
    rng = _rng(seed, "fiscal")
    lines = ["county_code,year,fiscal_revenue"]
    for c in counties():
        value = BIG_COUNTIES.get(c.code) or _money(_log_uniform(rng, 2e8, 4.2e9))
        lines.append(f"{c.code},{year},{value}")
    return "\n".join(lines) + "\n"


def zones_csv(year: int) -> str:
    """The development zones with their annual sales for `year`."""
    lines = ["zone_code,name,league_code,county_code,year,annual_sales"]
    for z in ZONES:
        lines.append(
            f"{z['zone_code']},{z['name']},{z['league_code']},{z['county_code']},{year},{z['annual_sales']}"
        )
    return "\n".join(lines) + "\n"


BANKS: list[tuple[str, str, list[str]]] = [
    # (org id, name, leagues served: empty = all)
    ("bank-icbc-nm", "工商银行内蒙古分行", []),
    ("bank-abc-nm", "农业银行内蒙古分行", []),
    ("bank-ccb-nm", "建设银行内蒙古分行", []),
    ("bank-psbc-nm", "邮储银行内蒙古分行", []),
    ("bank-bonm", "内蒙古银行", []),
    ("bank-baoshang", "包商银行", ["150100", "150200", "150600", "150800"]),
    ("bank-ordos", "鄂尔多斯银行", ["150600", "150300", "152900", "150200"]),
    ("bank-nmrcu", "内蒙古农村信用社联合社", []),
]
BANK_ORGS = [org for org, _, _ in BANKS]
SPREADS: dict[str, list[tuple[str, str]]] = {
    "prime": [("AAA", "0.20"), ("AA", "0.40"), ("A", "0.70"), ("BBB", "1.10")],
    "broad": [("AAA", "0.30"), ("AA", "0.60"), ("A", "0.90"), ("BBB", "1.30"), ("BB", "1.90"), ("B", "2.60")],
    "micro": [("AA", "0.50"), ("A", "0.80"), ("BBB", "1.20"), ("BB", "1.80"), ("B", "2.40"), ("CCC", "3.20")],
}


def _product(
    rng: random.Random,
    name: str,
    kind: str,
    amounts: tuple[int, int],
    terms: tuple[int, int],
    min_grade: str | None,
    spreads: str,
    served: list[str],
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "min_amount": _money(amounts[0]),
        "max_amount": _money(amounts[1]),
        "min_term_months": terms[0],
        "max_term_months": terms[1],
        "leagues": served,
        "min_grade": min_grade,
        "base_rate": f"{rng.uniform(3.45, 4.35):.4f}",
        "grade_spreads": dict(SPREADS[spreads]),
        "quota_period": "month",
        "quota_count": rng.choice([40, 60, 80, 120]),
        "quota_amount": _money(rng.choice([50, 80, 120, 200]) * 1_000_000),
    }
    return body | extra


def report_months(today: date, n: int = 12) -> list[str]:
    """The last `n` complete months before `today`, oldest first ("2026-10")."""
    months: list[str] = []
    y, m = today.year, today.month
    for _ in range(n):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        months.append(f"{y:04d}-{m:02d}")
    return months[::-1]


def bank_specs(guarantors_by_league: dict[str, list[str]], today: date, seed: int = SEED) -> list[BankSpec]:
    """Eight banks with 2-4 products each (credit-only, guaranteed, collateralised, start-up micro
    guaranteed) and 12 months of balances; guaranteed products accept the companies of their leagues."""
    rng = _rng(seed, "banks")
    all_companies = sorted({c for ids in guarantors_by_league.values() for c in ids})
    specs: list[BankSpec] = []
    months = report_months(today)
    for i, (org, name, served) in enumerate(BANKS):
        short = name.removesuffix("内蒙古分行")
        accepted = (
            sorted({c for lg in served for c in guarantors_by_league.get(lg, [])})
            if served
            else all_companies
        )
        candidates = [
            _product(rng, f"{short}科技贷", "credit_only", (100_000, 3_000_000), (6, 36), "BBB", "prime", served,
                     industries=["C", "I", "M"], size_classes=["micro", "small", "medium"]),
            _product(rng, f"{short}惠企担保贷", "guaranteed", (300_000, 10_000_000), (6, 36), "BB", "broad", served,
                     requires_guarantee=True, accepted_guarantee_company_ids=accepted),
            _product(rng, f"{short}抵押经营贷", "collateralised", (500_000, 30_000_000), (12, 60), "B", "broad",
                     served, requires_collateral=True, size_classes=["small", "medium"]),
            _product(rng, f"{short}创业小额担保贷款", "startup_micro_guaranteed", (50_000, 500_000), (6, 24),
                     None, "micro", served, requires_guarantee=True, size_classes=["micro"],
                     accepted_guarantee_company_ids=accepted),
        ]  # fmt: skip
        # Every bank has a credit-only product and 1-3 of the others, so each kind is on offer.
        k = 2 + (i % 3)
        chosen = [candidates[0]] + [candidates[1 + (i + j) % 3] for j in range(k - 1)]
        # Lending balances: total grows 4-9 % a year, SME lending faster at most banks, slower at two.
        total = rng.uniform(20e9, 160e9)
        sme = total * rng.uniform(0.18, 0.35)
        g_total = rng.uniform(0.04, 0.09) / 12
        g_sme = g_total + (rng.uniform(0.03, 0.08) / 12 if i not in (3, 6) else -rng.uniform(0.01, 0.03) / 12)
        lines = ["month,sme_loan_balance,total_loan_balance"]
        for month in months:
            total *= 1 + g_total + rng.uniform(-0.002, 0.002)
            sme *= 1 + g_sme + rng.uniform(-0.002, 0.002)
            lines.append(f"{month},{_money(sme)},{_money(total)}")
        specs.append(BankSpec(org, name, chosen, "\n".join(lines) + "\n"))
    return specs


PURPOSES = [
    "流动资金周转 (working capital)",
    "购置生产设备 (equipment)",
    "收购原料: 羊毛与牛奶 (raw materials)",
    "扩建厂房 (new workshop)",
    "季节性备货 (seasonal stock)",
    "技术改造 (technical upgrade)",
    "创业启动资金 (start-up)",
]


def financing_request_bodies(
    enterprises: Sequence[dict[str, Any]], n: int = 200, seed: int = SEED
) -> list[tuple[str, dict[str, Any]]]:
    """(uscc, request body) for `n` enterprises: amounts by size, a mix of collateral and guarantee."""
    rng = _rng(seed, "requests")
    chosen = rng.sample(list(enterprises), min(n, len(enterprises)))
    out: list[tuple[str, dict[str, Any]]] = []
    for e in chosen:
        revenue = float(e["revenue"]) * 10_000
        amount = min(max(50_000.0, revenue * rng.uniform(0.05, 0.4)), 20_000_000.0)
        amount = round(amount / 10_000) * 10_000
        collateral = rng.random() < 0.4
        body: dict[str, Any] = {
            "amount": _money(amount),
            "term_months": rng.choice([6, 12, 12, 24, 36]),
            "purpose": rng.choice(PURPOSES),
            "collateral_available": collateral,
            "accepts_guarantee": rng.random() < 0.6,
        }
        if collateral:
            body["collateral_description"] = rng.choice(["厂房及土地使用权", "生产设备", "商铺", "应收账款"])
        out.append((e["uscc"], body))
    return out


# ---- HTTP --------------------------------------------------------------------------------------


def principal_for(role: Role, org_id: str = SERVICE_ORG, uscc: str | None = None) -> Principal:
    """The principal the loader acts as."""
    return Principal(subject=f"demo-loader@{org_id}", role=role, org_id=org_id, uscc=uscc)


def office_token(secret: str, hours: float = 12) -> str:
    """A token for the financial office, to open the coverage page by hand."""
    who = Principal(subject="demo-office", role=Role.OFFICE, org_id="office-nm")
    return issue_internal_token(who, secret, ttl=timedelta(hours=hours))


@dataclass
class Api:
    """The gateway, with bounded concurrency, per-principal tokens and a failure log."""

    client: httpx.AsyncClient
    secret: str
    sem: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))
    failures: list[Failure] = field(default_factory=list)
    requests: int = 0
    _tokens: dict[tuple[str, str, str | None], str] = field(default_factory=dict)

    def token(self, who: Principal) -> str:
        """A cached token for `who`, valid long enough for one load."""
        key = (who.role.value, who.org_id, who.uscc)
        if key not in self._tokens:
            self._tokens[key] = issue_internal_token(who, self.secret, ttl=timedelta(minutes=30))
        return self._tokens[key]

    async def call(
        self,
        step: str,
        method: str,
        path: str,
        who: Principal,
        *,
        json_body: Any = None,
        content: str | None = None,
        content_type: str | None = None,
        params: dict[str, Any] | None = None,
        ok: Iterable[int] = (200, 201),
    ) -> httpx.Response:
        """Send one request; a status not in `ok` is recorded and raised."""
        if len(self.failures) >= MAX_FAILURES:
            raise LoadFailed("too many failures")
        headers = {"Authorization": f"Bearer {self.token(who)}"}
        if content_type:
            headers["Content-Type"] = content_type
        async with self.sem:
            self.requests += 1
            try:
                r = await self.client.request(
                    method,
                    path,
                    json=json_body,
                    content=content.encode() if content is not None else None,
                    params=params,
                    headers=headers,
                )
            except httpx.HTTPError as exc:
                self.failures.append(Failure(step, method, path, 0, f"{type(exc).__name__}: {exc}"))
                raise LoadFailed(f"{method} {path}: {exc}") from exc
        if r.status_code not in set(ok):
            self.failures.append(Failure(step, method, path, r.status_code, r.text[:800]))
            raise LoadFailed(f"{method} {path}: {r.status_code}")
        return r

    async def each(
        self, items: Iterable[Any], fn: Callable[[Any], Awaitable[None]], workers: int = CONCURRENCY
    ) -> None:
        """Run `fn` over every item with `workers` in flight; raise if any request failed.

        A worker pool per step (not one shared queue) keeps a long step from starving a short one
        that runs beside it.
        """
        queue = list(items)
        queue.reverse()

        async def worker() -> None:
            while queue and len(self.failures) < MAX_FAILURES:
                item = queue.pop()
                try:
                    await fn(item)
                except LoadFailed:
                    pass  # recorded in self.failures

        await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(queue))))))
        if self.failures:
            raise LoadFailed(f"{len(self.failures)} request(s) failed")


def say(message: str) -> None:
    """Progress for the person at the terminal."""
    print(f"[demo] {message}", flush=True)


class Loader:
    """The steps of one demo load."""

    def __init__(self, api: Api, n_enterprises: int, n_requests: int, seed: int, today: date) -> None:
        self.api = api
        self.n_enterprises = n_enterprises
        self.n_requests = n_requests
        self.seed = seed
        self.today = today
        self.service = principal_for(Role.SERVICE)
        self.office = principal_for(Role.OFFICE, "office-nm")
        self.enterprises = enterprise_bodies(n_enterprises, seed)
        self.company_ids: dict[str, list[str]] = {}
        self.company_of_owner: dict[str, str] = {}

    async def step(self, label: str, coro: Awaitable[str]) -> None:
        """Run a step and print what it loaded and how long it took."""
        started = time.monotonic()
        summary = await coro
        say(f"{label}: {summary} ({time.monotonic() - started:.1f}s)")

    async def existing(self) -> int:
        """How many enterprises the platform already has."""
        r = await self.api.call("check", "GET", "/api/v1/enterprises", self.service, params={"limit": 1})
        total: int = r.json()["total"]
        return total

    async def divisions(self) -> str:
        """County fiscal revenues and development zones (office data)."""
        year = self.today.year - 1
        await self.api.call(
            "divisions",
            "POST",
            "/api/v1/divisions/fiscal-revenues/import",
            self.office,
            content=fiscal_revenue_csv(year, self.seed),
            content_type="text/csv",
        )
        await self.api.call(
            "divisions",
            "POST",
            "/api/v1/divisions/zones/import",
            self.office,
            content=zones_csv(year),
            content_type="text/csv",
        )
        return f"{len(counties())} county fiscal revenues ({year}), {len(ZONES)} development zones"

    async def guarantors(self) -> str:
        """Guarantee companies, then their capital injections."""
        specs = guarantor_specs(self.seed, self.today)
        injections: list[dict[str, Any]] = []

        async def register(spec: GuarantorSpec) -> None:
            r = await self.api.call(
                "guarantee companies",
                "POST",
                "/api/v1/guarantee-companies",
                self.service,
                json_body=spec.body,
            )
            cid = r.json()["id"]
            self.company_ids.setdefault(spec.body["league_code"], []).append(cid)
            self.company_of_owner[spec.body["owner_org_id"]] = cid
            injections.extend({"company_id": cid, **i} for i in spec.injections)

        await self.api.each(specs, register, workers=4)

        async def inject(body: dict[str, Any]) -> None:
            await self.api.call(
                "capital injections", "POST", "/api/v1/capital-injections", self.office, json_body=body
            )

        await self.api.each(injections, inject, workers=4)
        for ids in self.company_ids.values():
            ids.sort()
        return f"{len(specs)} guarantee companies in {len(self.company_ids)} leagues, {len(injections)} capital injections"

    async def register_enterprises(self) -> str:
        """Register the SMEs (each is sized and rated on arrival)."""

        async def register(body: dict[str, Any]) -> None:
            await self.api.call("enterprises", "POST", "/api/v1/enterprises", self.service, json_body=body)

        # credit-info handles one request at a time (rating is CPU-bound); a few in flight keep it busy.
        await self.api.each(self.enterprises, register, workers=8)
        sizes = Counter(
            classify(
                e["industry"], e["employees"], Decimal(e["revenue"]), Decimal(e["assets"])
            ).size_class.value
            for e in self.enterprises
        )
        n_leagues = len({e["uscc"][2:6] for e in self.enterprises})
        n_counties = len({e["county_code"] for e in self.enterprises})
        mix = ", ".join(f"{sizes[s]} {s}" for s in ("micro", "small", "medium", "large") if sizes[s])
        return f"{len(self.enterprises)} enterprises in {n_leagues} leagues and {n_counties} counties ({mix})"

    async def credit(self) -> str:
        """Credit records as JSON lines, a few batches, so every enterprise is re-rated from its file."""
        rows = credit_records(self.enterprises, self.today, self.seed)
        by_uscc: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_uscc.setdefault(row["uscc"], []).append(row)
        usccs = list(by_uscc)
        size = CREDIT_BATCH_ENTERPRISES
        batches = [usccs[i : i + size] for i in range(0, len(usccs), size)]
        accepted = rejected = 0
        rejections: list[Any] = []

        async def ingest(item: tuple[int, list[str]]) -> None:
            nonlocal accepted, rejected
            n, group = item
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for u in group for r in by_uscc[u])
            r = await self.api.call(
                "credit records",
                "POST",
                "/api/v1/ingestion-batches",
                self.service,
                content=body,
                content_type="application/x-ndjson",
                params={"batch_id": f"demo-{self.seed}-{n + 1}"},
            )
            report = r.json()
            accepted += report["accepted"]
            rejected += report["rejected"]
            rejections.extend(report["rejected_rows"][:3])

        # One batch at a time: credit-info rates every touched enterprise inside the batch's transaction.
        await self.api.each(list(enumerate(batches)), ingest, workers=1)
        if rejected:
            self.api.failures.append(
                Failure(
                    "credit records", "POST", "/api/v1/ingestion-batches", 201, json.dumps(rejections[:3])
                )
            )
            raise LoadFailed(f"{rejected} credit record(s) rejected")
        return f"{accepted} credit records in {len(batches)} JSON-lines batches, every enterprise re-rated"

    async def banks(self) -> str:
        """Banks' products (created by each bank, then published) and 12 months of lending reports."""
        specs = bank_specs(self.company_ids, self.today, self.seed)
        kinds: Counter[str] = Counter()

        async def product(item: tuple[BankSpec, dict[str, Any]]) -> None:
            spec, body = item
            bank = principal_for(Role.BANK, spec.org_id)
            r = await self.api.call("products", "POST", "/api/v1/products", bank, json_body=body)
            pid = r.json()["id"]
            await self.api.call("products", "POST", f"/api/v1/products/{pid}/publish", bank)
            kinds[body["kind"]] += 1

        async def report(spec: BankSpec) -> None:
            bank = principal_for(Role.BANK, spec.org_id)
            await self.api.call(
                "lending reports",
                "POST",
                "/api/v1/lending-reports/csv",
                bank,
                content=spec.lending_csv,
                content_type="text/csv",
            )

        await self.api.each([(s, p) for s in specs for p in s.products], product, workers=4)
        await self.api.each(specs, report, workers=4)
        mix = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        return f"{len(specs)} banks, {sum(kinds.values())} published products ({mix}), 12 monthly lending reports each"

    async def requests(self) -> str:
        """Financing requests by the SMEs themselves, once loan-matching has seen the enterprise."""
        bodies = financing_request_bodies(self.enterprises, self.n_requests, self.seed)
        deadline = time.monotonic() + 90
        waited = 0

        async def submit(item: tuple[str, dict[str, Any]]) -> None:
            nonlocal waited
            uscc, body = item
            sme = principal_for(Role.SME, uscc, uscc)
            path = "/api/v1/financing-requests"
            # 409 until loan-matching has consumed the enterprise.registered event: wait and retry.
            while time.monotonic() < deadline:
                r = await self.api.call(
                    "financing requests", "POST", path, sme, json_body=body, ok=(201, 409)
                )
                if r.status_code == 201:
                    return
                waited += 1
                await asyncio.sleep(0.5)
            await self.api.call("financing requests", "POST", path, sme, json_body=body)

        await self.api.each(bodies, submit, workers=8)
        return f"{len(bodies)} financing requests submitted" + (
            f" ({waited} retries while events propagated)" if waited else ""
        )

    async def ledgers(self) -> str:
        """Each county's operating reports as CSV files (the SME ledger), one correction batch, and the
        growth-programme and innovation-list enrolments."""
        enrolments = programme_enrolments(self.enterprises, self.today, self.seed)
        ledgers = operating_reports(self.enterprises, self.today, {u for _, u, _ in enrolments}, self.seed)
        files = [
            (code, n, rows[i : i + OPERATING_CHUNK])
            for code, rows in sorted(ledgers.items())
            for n, i in enumerate(range(0, len(rows), OPERATING_CHUNK))
        ]
        accepted = rejected = 0

        async def send(item: tuple[str, int, list[dict[str, Any]]], extra: str = "") -> None:
            nonlocal accepted, rejected
            code, n, rows = item
            cols = list(OPERATING_COLUMNS) + (["correction_reason"] if extra else [])
            lines = [",".join(cols)]
            lines += [
                ",".join(str(r[c]) for c in OPERATING_COLUMNS) + (f",{extra}" if extra else "") for r in rows
            ]
            r = await self.api.call(
                "operating reports",
                "POST",
                "/api/v1/operating-reports/imports",
                self.service,
                content="\n".join(lines) + "\n",
                content_type="text/csv",
                params={
                    "county_code": code,
                    "batch_id": f"demo-opr-{self.seed}-{code}-{n}{'-fix' if extra else ''}",
                },
            )
            report = r.json()
            accepted += report["accepted"]
            rejected += report["rejected"]

        await self.api.each(files, send, workers=2)
        # A county corrects a few of its reports after the statistics bureau's check: new versions.
        code, rows = max(ledgers.items(), key=lambda kv: len(kv[1]))
        fixes = [r | {"profit": _money(float(r["profit"]) * 0.9 - 1)} for r in rows[-10:]]
        await send((code, 0, fixes), extra="统计局核定更正")
        enrolled = Counter[str]()

        async def enrol(item: tuple[str, str, int]) -> None:
            programme, uscc, year = item
            await self.api.call(
                "programmes",
                "POST",
                f"/api/v1/programmes/{programme}/enrolments",
                self.office,
                json_body={"uscc": uscc, "baseline_year": year},
            )
            enrolled[programme] += 1

        await self.api.each(enrolments, enrol, workers=4)
        if rejected:
            raise LoadFailed(f"{rejected} operating report row(s) rejected")
        return (
            f"{accepted} operating reports from {len(ledgers)} counties in {len(files) + 1} files; "
            f"{enrolled['growth']} growth SMEs, {enrolled['innovation']} on the innovation list"
        )

    async def microcredit(self) -> str:
        """Microcredit companies in most counties and two zones (the rest show as gaps)."""
        bodies = microcredit_bodies(self.seed)

        async def register(body: dict[str, Any]) -> None:
            await self.api.call(
                "microcredit companies", "POST", "/api/v1/microcredit-companies", self.office, json_body=body
            )

        await self.api.each(bodies, register, workers=4)
        return f"{len(bodies)} microcredit companies"

    async def matched(self) -> str:
        """Wait briefly for automatic matching, then count request statuses."""
        deadline = time.monotonic() + 20
        while True:
            r = await self.api.call(
                "check", "GET", "/api/v1/financing-requests", self.office, params={"limit": 500}
            )
            statuses = Counter(item["status"] for item in r.json())
            if statuses.get("submitted", 0) == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        return ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))

    async def guarantee_requests(self, n: int = 6, approved: int = 3) -> str:
        """The demo guarantor's desk has work. The demo bank's guaranteed product names its leagues'
        companies; guarantee-registry asks the first of them with room, so that company is made to
        approve each guarantee itself. `n` SMEs with new requests take the bank's offer on that product;
        `approved` of the guarantees are approved, the rest wait (`demo_logins` makes the company's
        organisation the demo guarantor)."""
        bank = principal_for(Role.BANK, BANKS[0][0])
        listed = await self.api.call(
            "guarantee requests", "GET", "/api/v1/products", bank, params={"limit": 100}
        )
        body = listed.json()
        products = body.get("items", []) if isinstance(body, dict) else body
        # bank_specs names it "<bank>惠企担保贷"; it serves every league the bank serves.
        guaranteed = [
            p
            for p in products
            if p["kind"] == "guaranteed"
            and p["name"].endswith("惠企担保贷")
            and p.get("accepted_guarantee_company_ids")
        ]
        if not guaranteed:
            return "the demo bank has no guaranteed product: no guarantee requests"
        product = min(guaranteed, key=lambda p: str(p["created_at"]))
        cid = str(product["accepted_guarantee_company_ids"][0])
        await self.api.call(
            "guarantee requests",
            "PATCH",
            f"/api/v1/guarantee-companies/{cid}",
            self.office,
            json_body={"approval_required": True},
        )
        asked = {u for u, _ in financing_request_bodies(self.enterprises, self.n_requests, self.seed)}
        fresh = [e for e in self.enterprises if e["uscc"] not in asked]
        offered = 0
        for e in fresh[: n * 4]:
            if offered >= n:
                break
            sme = principal_for(Role.SME, e["uscc"], e["uscc"])
            need = {
                "amount": _money(1_000_000),
                "term_months": 12,
                "purpose": "流动资金",
                "accepts_guarantee": True,
            }
            r = await self.api.call(
                "guarantee requests",
                "POST",
                "/api/v1/financing-requests",
                sme,
                json_body=need,
                ok=(201, 409, 422),
            )
            if r.status_code != 201:
                continue  # not in loan-matching's projection yet, or refused: the next SME
            match = await self._match_on(bank, product["id"], r.json()["id"])
            if match is None:
                continue  # the product is not this bank's best for it, or another bank's turn: the next
            offer = await self.api.call(
                "guarantee requests", "POST", f"/api/v1/matches/{match}/offer", bank, json_body={}
            )
            await self.api.call(
                "guarantee requests", "POST", f"/api/v1/offers/{offer.json()['id']}/accept", sme
            )
            offered += 1
        pending = await self._pending_guarantees(self.office, cid, offered)
        for g in pending[:approved]:
            await self.api.call("guarantee requests", "POST", f"/api/v1/guarantees/{g}/approve", self.office)
        return (
            f"{offered} guarantee requests on {product['name']} to company {cid}, "
            f"{min(approved, len(pending))} approved, {max(len(pending) - approved, 0)} waiting for it"
        )

    async def _match_on(self, bank: Principal, product_id: str, request_id: str) -> str | None:
        """The bank's match of one request on one product, once matching has run (None if none)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = await self.api.call(
                "guarantee requests", "GET", f"/api/v1/financing-requests/{request_id}", self.office
            )
            if r.json()["status"] != "submitted":
                break
            await asyncio.sleep(0.5)
        rows = await self.api.call(
            "guarantee requests", "GET", "/api/v1/matches", bank, params={"limit": 200, "status": "proposed"}
        )
        return next(
            (m["id"] for m in rows.json() if m["request_id"] == request_id and m["product_id"] == product_id),
            None,
        )

    async def _pending_guarantees(self, who: Principal, company_id: str, n: int) -> list[str]:
        """The guarantees waiting for the company's approval, once guarantee-registry has them all."""
        deadline = time.monotonic() + 20
        ids: list[str] = []
        while time.monotonic() < deadline:
            r = await self.api.call(
                "guarantee requests",
                "GET",
                "/api/v1/guarantees",
                who,
                params={"company_id": company_id, "status": "pending_approval"},
            )
            ids = [g["id"] for g in r.json()["items"]]
            if len(ids) >= n:
                break
            await asyncio.sleep(0.5)
        return ids

    async def fairs(self) -> str:
        """Bank–enterprise fairs (银企对接会) in two leagues: invited from the matches, registered,
        validated, and a preliminary schedule built from the match scores."""
        start = datetime.combine(self.today + timedelta(days=30), dt_time(1, 0), tzinfo=UTC)  # 09:00 CST
        out = [
            await self.fair(code, name, start)
            for code, name in (("150600", "鄂尔多斯市"), ("150100", "呼和浩特市"))
        ]
        return "; ".join(out)

    async def fair(self, league_code: str, name: str, start: datetime) -> str:
        """One fair, from announcement to a preliminary schedule."""
        organizer = principal_for(Role.ORGANIZER, f"organizer-{league_code}")
        body = {
            "name": f"{start.year} {name}银企对接会",
            "league_codes": [league_code],
            "venue": f"{name}会展中心",
            "sessions": [
                {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()},
                {
                    "starts_at": (start + timedelta(hours=5)).isoformat(),
                    "ends_at": (start + timedelta(hours=8)).isoformat(),
                },
            ],
            "slot_minutes": 20,
            "tables": 80,
        }
        fair = (await self.api.call("fairs", "POST", "/api/v1/fairs", organizer, json_body=body)).json()
        base = f"/api/v1/fairs/{fair['id']}"
        await self.api.call("fairs", "POST", f"{base}/publish", organizer)
        deadline = time.monotonic() + 20
        invited: list[dict[str, Any]] = []
        # The events service learns requests and matches from the broker: wait for them briefly.
        while time.monotonic() < deadline:
            invited = (await self.api.call("fairs", "POST", f"{base}/invitations", organizer)).json()
            if any(i["role"] == "bank" for i in invited):
                break
            await asyncio.sleep(1)
        registrations: list[str] = []

        async def register(inv: dict[str, Any]) -> None:
            pid = inv["participant_id"]
            if inv["role"] == "sme":
                who, payload = principal_for(Role.SME, pid, pid), {}
            else:
                who, payload = principal_for(Role.BANK, pid), {"tables": 2, "capacity_per_session": 12}
            r = await self.api.call("fairs", "POST", f"{base}/registrations", who, json_body=payload)
            registrations.append(r.json()["id"])

        await self.api.each(invited, register, workers=4)

        async def validate(rid: str) -> None:
            await self.api.call(
                "fairs",
                "POST",
                f"{base}/registrations/{rid}/decision",
                organizer,
                json_body={"approve": True},
            )

        # One at a time: validating a bank hands out venue tables in order.
        await self.api.each(registrations, validate, workers=1)
        run = (await self.api.call("fairs", "POST", f"{base}/schedule", organizer, json_body={})).json()
        return (
            f"{name}: {len(invited)} invited and validated, preliminary schedule of {run['meetings']} "
            f"meetings (gap {100 * run['gap']:.1f} %)"
        )

    async def run(self) -> bool:
        """Load everything; False when the platform already had data."""
        found = await self.existing()
        if found:
            say(f"the platform already has {found} enterprises: demo data is loaded, nothing to do")
            return False
        say(
            f"loading demo data (seed {self.seed}): {self.n_enterprises} SMEs, banks, guarantee companies, "
            f"{self.n_requests} financing requests"
        )

        async def guarantee_side() -> None:
            await self.step("divisions", self.divisions())
            await self.step("microcredit companies", self.microcredit())
            await self.step("guarantee companies", self.guarantors())
            await self.step("banks", self.banks())

        async def enterprise_side() -> None:
            await self.step("enterprises", self.register_enterprises())
            await self.step("credit records", self.credit())
            await self.step("operating reports and programmes", self.ledgers())

        # The two sides touch different services; run them side by side.
        results = await asyncio.gather(guarantee_side(), enterprise_side(), return_exceptions=True)
        for res in results:
            if isinstance(res, BaseException):
                raise res
        await self.step("financing requests", self.requests())
        await self.step("matching", self.matched())
        await self.step("guarantee requests", self.guarantee_requests())
        await self.step("fairs", self.fairs())
        return True


def report_failures(failures: Sequence[Failure]) -> None:
    """Print the first few failed responses so the cause is plain."""
    say(f"FAILED: {len(failures)} request(s) went wrong; the first ones:")
    for f in failures[:MAX_FAILURES]:
        say(f"  [{f.step}] {f.method} {f.path} -> {f.status or 'no response'}")
        for line in f.detail.splitlines()[:10]:
            say(f"      {line}")


async def load(
    gateway: str,
    secret: str | None = None,
    *,
    enterprises: int = 2000,
    requests: int = 200,
    seed: int = SEED,
    timeout: float = LOAD_TIMEOUT,
) -> int:
    """Load the demo data through `gateway`; 0 when loaded or already there, 1 on failure."""
    secret = secret or os.environ.get("SMEFIN_DEMO_TOKEN_SECRET") or DEV_SECRET
    started = time.monotonic()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=gateway.rstrip("/"), timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=5), limits=limits
    ) as client:
        api = Api(client, secret)
        loader = Loader(api, enterprises, requests, seed, date.today())
        try:
            async with asyncio.timeout(timeout):
                loaded = await loader.run()
        except TimeoutError:
            say(f"FAILED: the load did not finish within {timeout:.0f}s")
            if api.failures:
                report_failures(api.failures)
            return 1
        except LoadFailed as exc:
            if api.failures:
                report_failures(api.failures)
            else:
                say(f"FAILED: {exc}")
            return 1
    if loaded:
        say(f"demo data loaded in {time.monotonic() - started:.1f}s ({api.requests} requests)")
    return 0


# ---- demo logins at the gateway's front door --------------------------------------------------

DEMO_OFFICE_EMAIL = "office@demo.smefin"
DEMO_OFFICE_PASSWORD = "demo-office-password"
DEMO_BANK_EMAIL = "admin@icbc-nm.demo.smefin"
DEMO_BANK_PASSWORD = "demo-bank-password"
DEMO_SME_EMAIL = "owner@sme.demo.smefin"
DEMO_SME_PASSWORD = "demo-sme-password"
DEMO_KEY_SCOPES = ["lending:write", "credit:read", "guarantees:read"]
DEMO_GUARANTOR_EMAIL = "admin@guarantor.demo.smefin"
DEMO_GUARANTOR_PASSWORD = "demo-guarantor-password"
DEMO_ORGANIZER_EMAIL = "admin@organizer.demo.smefin"
DEMO_ORGANIZER_PASSWORD = "demo-organizer-password"
# The demo guarantor owns the Ordos league-level company; the demo organizer runs the Ordos fair.
DEMO_LEAGUE = "150600"
DEMO_ORGANIZER_ORG = f"organizer-{DEMO_LEAGUE}"


def demo_guarantor(seed: int = SEED) -> GuarantorSpec:
    """The guarantee company whose organisation the demo guarantor logs in to."""
    return next(s for s in guarantor_specs(seed) if s.body["league_code"] == DEMO_LEAGUE)


@dataclass(frozen=True)
class DemoLogins:
    """What `make run` prints: the office, SME, guarantor and organizer logins, and a bank admin with a
    fresh API key."""

    office_email: str
    office_password: str
    bank_org_id: str
    bank_email: str
    bank_password: str
    bank_api_key: str
    sme_uscc: str
    sme_email: str
    sme_password: str
    guarantor_org_id: str
    guarantor_email: str
    guarantor_password: str
    organizer_org_id: str
    organizer_email: str
    organizer_password: str


async def _member(
    client: httpx.AsyncClient,
    office: dict[str, str],
    kind: str,
    org_id: str,
    name: str,
    email: str,
    password: str,
) -> None:
    """An organisation and its admin with a known password, made once through the office's API."""
    r = await client.post(
        "/api/v1/organisations",
        json={"kind": kind, "name": name, "org_id": org_id, "admin_email": email, "admin_name": "演示管理员"},
        headers=office,
    )
    if r.status_code == 201:
        accepted = await client.post(
            "/api/v1/invitations/accept",
            json={"invitation_token": r.json()["admin"]["invitation_token"], "password": password},
        )
        if accepted.status_code != 200:
            raise LoadFailed(f"demo {kind} admin: {accepted.status_code} {accepted.text[:200]}")
    elif r.status_code != 409:
        raise LoadFailed(f"demo {kind}: {r.status_code} {r.text[:200]}")


async def _busiest_guarantor(client: httpx.AsyncClient, office: dict[str, str]) -> dict[str, Any] | None:
    """The company with the most guarantees (the demo's requests went to it), or None when there are
    none or guarantee-registry does not answer."""
    try:
        r = await client.get("/api/v1/guarantees", params={"limit": 200}, headers=office)
        counts = Counter(g["company_id"] for g in r.json()["items"] if g.get("company_id"))
        if r.status_code != 200 or not counts:
            return None
        company = await client.get(
            f"/api/v1/guarantee-companies/{counts.most_common(1)[0][0]}", headers=office
        )
        found: dict[str, Any] = company.json()
        return found if company.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


async def _password_login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    if r.status_code != 200:
        raise LoadFailed(f"demo login {email} failed: {r.status_code} {r.text[:200]}")
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def demo_logins(
    gateway: str,
    *,
    enterprises: int = 2000,
    seed: int = SEED,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DemoLogins:
    """Through the gateway's own API: the office creates the demo bank and its admin (once), the
    admin makes a fresh API key (revoking the oldest when two are live), one demo SME signs up."""
    org_id, name, _ = BANKS[0]
    async with httpx.AsyncClient(
        base_url=gateway.rstrip("/"), timeout=REQUEST_TIMEOUT, transport=transport
    ) as client:
        office = await _password_login(client, DEMO_OFFICE_EMAIL, DEMO_OFFICE_PASSWORD)
        await _member(client, office, "bank", org_id, name, DEMO_BANK_EMAIL, DEMO_BANK_PASSWORD)
        bank = await _password_login(client, DEMO_BANK_EMAIL, DEMO_BANK_PASSWORD)
        keys = (await client.get("/api/v1/api-keys", headers=bank)).json()
        live = sorted((k for k in keys if k["revoked_at"] is None), key=lambda k: str(k["created_at"]))
        for old in live[: max(0, len(live) - 1)]:
            await client.delete(f"/api/v1/api-keys/{old['id']}", headers=bank)
        created = await client.post(
            "/api/v1/api-keys", json={"name": "demo core banking", "scopes": DEMO_KEY_SCOPES}, headers=bank
        )
        if created.status_code != 201:
            raise LoadFailed(f"demo API key: {created.status_code} {created.text[:200]}")
        sme = enterprise_bodies(enterprises, seed)[0]
        signed = await client.post(
            "/api/v1/signup",
            json={
                "uscc": sme["uscc"],
                "enterprise_name": sme["name"],
                "email": DEMO_SME_EMAIL,
                "display_name": "演示企业负责人",
                "password": DEMO_SME_PASSWORD,
            },
        )
        if signed.status_code not in (201, 409):
            raise LoadFailed(f"demo SME signup: {signed.status_code} {signed.text[:200]}")
        guarantor = await _busiest_guarantor(client, office) or demo_guarantor(seed).body
        await _member(
            client,
            office,
            "guarantor",
            guarantor["owner_org_id"],
            guarantor["name"],
            DEMO_GUARANTOR_EMAIL,
            DEMO_GUARANTOR_PASSWORD,
        )
        await _member(
            client,
            office,
            "organizer",
            DEMO_ORGANIZER_ORG,
            "鄂尔多斯市银企对接会组委会",
            DEMO_ORGANIZER_EMAIL,
            DEMO_ORGANIZER_PASSWORD,
        )
    return DemoLogins(
        office_email=DEMO_OFFICE_EMAIL,
        office_password=DEMO_OFFICE_PASSWORD,
        bank_org_id=org_id,
        bank_email=DEMO_BANK_EMAIL,
        bank_password=DEMO_BANK_PASSWORD,
        bank_api_key=created.json()["key"],
        sme_uscc=sme["uscc"],
        sme_email=DEMO_SME_EMAIL,
        sme_password=DEMO_SME_PASSWORD,
        guarantor_org_id=guarantor["owner_org_id"],
        guarantor_email=DEMO_GUARANTOR_EMAIL,
        guarantor_password=DEMO_GUARANTOR_PASSWORD,
        organizer_org_id=DEMO_ORGANIZER_ORG,
        organizer_email=DEMO_ORGANIZER_EMAIL,
        organizer_password=DEMO_ORGANIZER_PASSWORD,
    )


async def demo_story(
    gateway: str, logins: DemoLogins, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[str]:
    """Through the gateway's API as the demo SME and the demo bank, so every page of theirs has
    something to show: a consent and a look-up under it, a dispute on a record, a loan with an
    extension asked for, a fair signed up for. Each step is skipped when already done; returns what
    was done (or why a step could not be)."""
    done: list[str] = []
    async with httpx.AsyncClient(
        base_url=gateway.rstrip("/"), timeout=REQUEST_TIMEOUT, transport=transport
    ) as client:
        sme = await _password_login(client, logins.sme_email, logins.sme_password)
        bank = await _password_login(client, logins.bank_email, logins.bank_password)
        uscc, bank_org = logins.sme_uscc, logins.bank_org_id
        purpose = "loan_application"

        consents = (await client.get("/api/v1/consents", headers=sme)).json()
        if not any(c["bank_org_id"] == bank_org and c["status"] == "granted" for c in consents):
            until = (datetime.now(UTC) + timedelta(days=180)).isoformat()
            body = {"bank_org_id": bank_org, "purpose": purpose, "valid_until": until}
            r = await client.post("/api/v1/consents", json=body, headers=sme)
            done.append(f"consent to {bank_org}: {r.status_code}")
        looked = await client.get(f"/api/v1/credit-reports/{uscc}", params={"purpose": purpose}, headers=bank)
        done.append(f"look-up by {bank_org} under the consent: {looked.status_code}")

        report = (await client.get(f"/api/v1/credit-reports/{uscc}", headers=sme)).json()
        records = [
            r for k in ("credit_records", "non_credit_records", "public_records") for r in report.get(k, [])
        ]
        if records and not report.get("disputes"):
            body = {"record_id": records[0]["id"], "reason": "该记录金额与实际不符 (the amount is wrong)"}
            r = await client.post("/api/v1/disputes", json=body, headers=sme)
            done.append(f"dispute on a {records[0]['source']} record: {r.status_code}")

        done.append(await _demo_loan(client, sme, bank, uscc))

        enterprise = (await client.get(f"/api/v1/enterprises/{uscc}", headers=sme)).json()
        fairs = (await client.get("/api/v1/fairs", headers=sme)).json()
        mine = [
            f
            for f in fairs
            if f["status"] == "published" and enterprise.get("league_code") in f["league_codes"]
        ]
        for f in mine[:1]:
            r = await client.post(f"/api/v1/fairs/{f['id']}/registrations", json={}, headers=sme)
            done.append(f"signed up for {f['name']}: {r.status_code}")
        if not mine:
            done.append(f"no published fair in league {enterprise.get('league_code')} to sign up for")
    return done


async def _demo_loan(client: httpx.AsyncClient, sme: dict[str, str], bank: dict[str, str], uscc: str) -> str:
    """A loan from the demo bank to the demo SME (offered, accepted, disbursed), with more time asked."""
    loans = (await client.get("/api/v1/loans", headers=sme)).json()
    if loans:
        return "the demo SME already has a loan"
    products = (await client.get("/api/v1/products", headers=bank)).json()
    items = products.get("items", []) if isinstance(products, dict) else products
    live = [p for p in items if p["status"] == "published" and p["kind"] == "credit_only"]
    if not live:
        return "no published credit-only product at the demo bank"
    p = live[0]
    amount = max(Decimal(str(p["min_amount"])), min(Decimal("500000.00"), Decimal(str(p["max_amount"]))))
    body = {"amount": str(amount), "term_months": max(p["min_term_months"], 12), "purpose": "流动资金周转"}
    request = await client.post("/api/v1/financing-requests", json=body, headers=sme)
    if request.status_code != 201:
        return f"demo request refused: {request.status_code} {request.text[:200]}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        matches = (await client.get("/api/v1/matches", headers=bank)).json()
        match = next((m for m in matches if m["request_id"] == request.json()["id"]), None)
        if match is not None and match["status"] == "proposed":
            break
        await asyncio.sleep(1)
    else:
        return "the demo request found no match at the demo bank (its products' rules): no demo loan"
    offer = await client.post(f"/api/v1/matches/{match['id']}/offer", json={}, headers=bank)
    if offer.status_code != 201:
        return f"demo offer refused: {offer.status_code} {offer.text[:200]}"
    await client.post(f"/api/v1/offers/{offer.json()['id']}/accept", headers=sme)
    loan = await client.post("/api/v1/loans", json={"offer_id": offer.json()["id"]}, headers=bank)
    if loan.status_code != 201:
        return f"demo loan refused: {loan.status_code} {loan.text[:200]}"
    more = {"extra_months": 6, "reason": "旺季回款慢 (slow season)"}
    await client.post(f"/api/v1/loans/{loan.json()['id']}/extension-request", json=more, headers=sme)
    return f"a loan of {amount} yuan from the demo bank, with 6 more months asked"


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: python -m smefin_dev.demo --gateway http://127.0.0.1:8000."""
    parser = argparse.ArgumentParser(prog="python -m smefin_dev.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default=os.environ.get("SMEFIN_GATEWAY", "http://127.0.0.1:8000"))
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--timeout", type=float, default=LOAD_TIMEOUT)
    args = parser.parse_args(argv)
    code = asyncio.run(
        load(
            args.gateway,
            enterprises=args.enterprises,
            requests=args.requests,
            seed=args.seed,
            timeout=args.timeout,
        )
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
