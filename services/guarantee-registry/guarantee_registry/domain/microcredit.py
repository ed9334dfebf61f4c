"""Microcredit companies (小额贷款公司) and their coverage beside the guarantee system's.

The 2011 plan asks every county-level division (旗县市区) and every development zone (开发区、园区) to
have a microcredit company; the office registers them here, in the institution registry, and reads
which counties and zones still have none next to their guarantee coverage.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from guarantee_registry.db import microcredit as repo_mc
from guarantee_registry.db import repositories as repo
from guarantee_registry.db.tables import MicrocreditCompany
from guarantee_registry.domain.coverage import build_report
from guarantee_registry.domain.rules import MANAGERS, Obligation, Policy
from smefin.auth import OFFICE_ROLES, Principal, Role, league_scope
from smefin.db import utcnow
from smefin.errors import Conflict, Forbidden, Unprocessable
from smefin.reference import InvalidUscc, UnknownDivision, counties, county, parse_uscc


class MicrocreditStatus(StrEnum):
    """Whether the company still lends (only operating companies count toward coverage)."""

    OPERATING = "operating"
    CLOSED = "closed"


async def register(*, session: AsyncSession, principal: Principal, data: BaseModel) -> MicrocreditCompany:
    """Record a licensed microcredit company (the office; a league office in its league)."""
    principal.require(*MANAGERS, Role.LEAGUE_OFFICE)
    values: dict[str, Any] = data.model_dump()
    try:
        uscc = parse_uscc(values["uscc"]).code
        home = county(values["county_code"])
    except (InvalidUscc, UnknownDivision) as exc:
        raise Unprocessable(str(exc)) from None
    if principal.role == Role.LEAGUE_OFFICE and principal.league_code != home.league_code:
        raise Forbidden(
            f"a league office registers only its own league's companies ({principal.league_code})"
        )
    zone_code = values.get("zone_code")
    if zone_code is not None:
        zone = await repo.get_zone(session, zone_code)
        if zone is None:
            raise Unprocessable(f"no development zone {zone_code}; the office registers zones first")
        if zone.league_code != home.league_code:
            raise Unprocessable(
                f"zone {zone_code} is in league {zone.league_code}, not in county {home.code}'s"
            )
    if await repo_mc.by_uscc(session, uscc) is not None:
        raise Conflict(f"microcredit company {uscc} is already registered")
    row = MicrocreditCompany(
        uscc=uscc,
        name=values["name"],
        league_code=home.league_code,
        county_code=home.code,
        zone_code=zone_code,
        licence_number=values["licence_number"],
        registered_capital=values["registered_capital"],
        status=MicrocreditStatus.OPERATING,
        recorded_by=principal.subject[:200],
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def listed(
    *, session: AsyncSession, principal: Principal, league_code: str | None, county_code: str | None
) -> list[MicrocreditCompany]:
    """The registry, one league's or county's (a league office: its own league)."""
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    scope = league_scope(principal, league_code)
    return await repo_mc.listed(session, league_code=scope, county_code=county_code, operating_only=False)


def _by_place(items: list[Any]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_county: dict[str, list[str]] = defaultdict(list)
    by_zone: dict[str, list[str]] = defaultdict(list)
    for c in items:
        if c.county_code:
            by_county[c.county_code].append(c.name)
        if c.zone_code:
            by_zone[c.zone_code].append(c.name)
    return by_county, by_zone


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01")) if whole else None


async def coverage(
    *, session: AsyncSession, principal: Principal, policy: Policy, league_code: str | None, year: int | None
) -> dict[str, Any]:
    """Every county and zone: its microcredit companies and its guarantee companies and obligation."""
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    scope = league_scope(principal, league_code)
    micro = await repo_mc.listed(session, league_code=scope, county_code=None, operating_only=True)
    mc_county, mc_zone = _by_place(micro)
    gc_county, gc_zone = _by_place(await repo.all_companies(session))
    report = await build_report(session, policy, year)
    obligations: dict[tuple[str, str], Obligation] = {
        (o.scope, o.code): o for o in (*report.counties, *report.zones)
    }
    try:
        in_scope = counties(scope)
    except UnknownDivision as exc:
        raise Unprocessable(str(exc)) from None
    places = [("county", c.code, c.name, c.league_code) for c in in_scope]
    places += [
        ("zone", z.code, z.name, z.league_code)
        for z in await repo.all_zones(session)
        if scope in (None, z.league_code)
    ]
    rows: list[dict[str, Any]] = []
    for scope_name, code, name, lg in places:
        mc = (mc_county if scope_name == "county" else mc_zone).get(code, [])
        gc = (gc_county if scope_name == "county" else gc_zone).get(code, [])
        duty = obligations.get((scope_name, code))
        rows.append(
            {
                "scope": scope_name,
                "code": code,
                "name": name,
                "league_code": lg,
                "microcredit_companies": len(mc),
                "microcredit_company_names": sorted(mc),
                "microcredit_covered": bool(mc),
                "guarantee_companies": len(gc),
                "guarantee_company_names": sorted(gc),
                # None where the office has no fiscal or sales figure for the division yet.
                "guarantee_obligated": duty.obligated if duty else None,
                "guarantee_compliant": duty.compliant if duty else None,
            }
        )
    per_league: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        s = per_league[r["league_code"]]
        s[f"{r['scope']}_total"] += 1
        s[f"{r['scope']}_covered"] += int(r["microcredit_covered"])
    summary = []
    for lg, s in sorted(per_league.items()):
        summary.append(
            {
                "league_code": lg,
                "counties": s["county_total"],
                "counties_covered": s["county_covered"],
                "counties_covered_percent": _percent(s["county_covered"], s["county_total"]),
                "zones": s["zone_total"],
                "zones_covered": s["zone_covered"],
            }
        )
    counties_rows = [r for r in rows if r["scope"] == "county"]
    zones_rows = [r for r in rows if r["scope"] == "zone"]
    covered_c = sum(r["microcredit_covered"] for r in counties_rows)
    covered_z = sum(r["microcredit_covered"] for r in zones_rows)
    return {
        "league_code": scope,
        "counties": len(counties_rows),
        "counties_covered": covered_c,
        "counties_covered_percent": _percent(covered_c, len(counties_rows)),
        "zones": len(zones_rows),
        "zones_covered": covered_z,
        "zones_covered_percent": _percent(covered_z, len(zones_rows)),
        "leagues": summary,
        "items": rows,
    }
