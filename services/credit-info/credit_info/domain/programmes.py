"""The office's SME programmes, followed from the operating reports.

- Growth programme (成长型中小企业成长工程, 2011 plan): 1,000 growth SMEs around the 60 industrial
  clusters, to double assets and revenue (资产规模、营业收入实现翻番) and add 120,000 jobs.
- Innovation monitoring list (千户创新型工业中小企业, 2013 plan): 1,000 innovative industrial SMEs whose
  operations are analysed by quarter, half-year and year.

An SME's figures for a year are those of its operating reports (sales summed over the year,
employees and total assets at the latest report of the year); progress compares a year with the
SME's baseline year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import operating_reports as ledger
from credit_info.db import repositories as repo
from credit_info.db.tables import Enterprise, OperatingReport, ProgrammeEnrolment
from credit_info.domain import enterprises
from credit_info.domain.operating_statistics import NONE, EnterpriseFigures, enterprise_figures
from credit_info.domain.periods import Period
from smefin.auth import OFFICE_ROLES, Principal, Role, league_scope
from smefin.errors import Conflict, Forbidden, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import InvalidUscc, UnknownDivision, league, parse_uscc


class Programme(StrEnum):
    """Which list an SME is on."""

    GROWTH = "growth"  # 成长型
    INNOVATION = "innovation"  # 创新型


@dataclass(frozen=True)
class Targets:
    """A programme's targets as the plans name them."""

    enterprises: int
    multiple: Decimal | None  # assets and revenue multiplied by this (翻番 = 2)
    jobs_added: int | None


TARGETS = {
    Programme.GROWTH: Targets(enterprises=1000, multiple=Decimal("2"), jobs_added=120_000),
    Programme.INNOVATION: Targets(enterprises=1000, multiple=None, jobs_added=None),
}


class GroupBy(StrEnum):
    """How progress is grouped."""

    LEAGUE = "league"
    CLUSTER = "cluster"


def _ratio(now: Decimal | None, base: Decimal | None) -> Decimal | None:
    if now is None or base is None or base <= 0:
        return None
    return (now / base).quantize(Decimal("0.0001"))


async def enrol(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    programme: Programme,
    uscc: str,
    baseline_year: int,
) -> ProgrammeEnrolment:
    """Put an SME on a programme with its baseline year (the office; a league office in its league)."""
    principal.require(*OFFICE_ROLES)
    if baseline_year > date.today().year:
        raise Unprocessable(f"baseline_year {baseline_year} is in the future")
    try:
        code = parse_uscc(uscc).code
    except InvalidUscc as exc:
        raise Unprocessable(f"uscc: {exc}") from None
    ent = await repo.get_enterprise(session, code)
    if ent is None:
        raise NotFound(f"enterprise {code} is not registered in the SME basic database")
    if principal.role == Role.LEAGUE_OFFICE and principal.league_code != ent.league_code:
        raise Forbidden(f"a league office enrols only its own league's SMEs ({principal.league_code})")
    if await ledger.get_enrolment(session, code, programme.value) is not None:
        raise Conflict(f"{code} is already on the {programme.value} programme")
    row = ProgrammeEnrolment(
        uscc=code, programme=programme.value, baseline_year=baseline_year, enrolled_by=principal.subject[:200]
    )
    session.add(row)
    await session.flush()
    if programme == Programme.GROWTH and not ent.growth_programme:
        # The profile flag is what loan-matching and the fairs see (enterprise.updated).
        await enterprises.update(
            session=session, outbox=outbox, uscc=code, changes={"growth_programme": True}
        )
    return row


@dataclass
class Progress:
    """One SME's baseline and current year."""

    enrolment: ProgrammeEnrolment
    enterprise: Enterprise
    baseline: EnterpriseFigures | None
    current: EnterpriseFigures | None

    def as_dict(self, target: Decimal | None) -> dict[str, Any]:
        """The SME's line."""
        b, c = self.baseline, self.current
        revenue = _ratio(c.flows["sales_revenue"] if c else None, b.flows["sales_revenue"] if b else None)
        assets = _ratio(c.total_assets if c else None, b.total_assets if b else None)
        return {
            "uscc": self.enterprise.uscc,
            "name": self.enterprise.name,
            "league_code": self.enterprise.league_code,
            "cluster": self.enterprise.cluster,
            "baseline_year": self.enrolment.baseline_year,
            "baseline_revenue": b.flows["sales_revenue"] if b else None,
            "current_revenue": c.flows["sales_revenue"] if c else None,
            "revenue_multiple": revenue,
            "baseline_assets": b.total_assets if b else None,
            "current_assets": c.total_assets if c else None,
            "assets_multiple": assets,
            "baseline_employees": b.employees if b else None,
            "current_employees": c.employees if c else None,
            "jobs_added": c.employees - b.employees if b and c else None,
            "revenue_doubled": None if target is None or revenue is None else revenue >= target,
            "assets_doubled": None if target is None or assets is None else assets >= target,
        }


async def _progress(
    session: AsyncSession, principal: Principal, programme: Programme, year: int, league_code: str | None
) -> list[Progress]:
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    scope = league_scope(principal, league_code)
    rows = await ledger.enrolments(session, programme.value, scope)
    years = sorted({year} | {e.baseline_year for e, _ in rows})
    reports = await ledger.reports_of_many(session, [e.uscc for e, _ in rows], years)
    mine: dict[str, list[OperatingReport]] = defaultdict(list)
    for r in reports:
        mine[r.uscc].append(r)
    out = []
    for enrolment, ent in rows:
        own = mine[ent.uscc]
        base = enterprise_figures(own, Period.parse(str(enrolment.baseline_year)))
        cur = enterprise_figures(own, Period.parse(str(year)))
        out.append(Progress(enrolment, ent, base, cur))
    return out


def _year(year: int | None) -> int:
    return date.today().year - 1 if year is None else year


async def enrolled(
    *,
    session: AsyncSession,
    principal: Principal,
    programme: Programme,
    year: int | None,
    league_code: str | None,
) -> dict[str, Any]:
    """Every enrolled SME with its baseline and `year`'s figures (last year by default)."""
    y = _year(year)
    lines = await _progress(session, principal, programme, y, league_code)
    target = TARGETS[programme].multiple
    return {"programme": programme.value, "year": y, "items": [p.as_dict(target) for p in lines]}


def _group_name(by: GroupBy, key: str) -> str:
    if by == GroupBy.LEAGUE:
        try:
            return league(key).name
        except UnknownDivision:
            return key
    return key


def summarise(lines: Sequence[dict[str, Any]], targets: Targets, by: GroupBy) -> dict[str, Any]:
    """Per league or cluster and in total: enrolled, with figures, sums, multiples, doubled, jobs."""

    def total(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
        both = [i for i in items if i["baseline_revenue"] is not None and i["current_revenue"] is not None]
        assets = [i for i in items if i["baseline_assets"] is not None and i["current_assets"] is not None]
        jobs = [i["jobs_added"] for i in items if i["jobs_added"] is not None]
        base_rev = sum((i["baseline_revenue"] for i in both), Decimal("0"))
        cur_rev = sum((i["current_revenue"] for i in both), Decimal("0"))
        base_assets = sum((i["baseline_assets"] for i in assets), Decimal("0"))
        cur_assets = sum((i["current_assets"] for i in assets), Decimal("0"))
        return {
            "enrolled": len(items),
            "with_figures": len(both),
            "baseline_revenue": base_rev,
            "current_revenue": cur_rev,
            "revenue_multiple": _ratio(cur_rev, base_rev),
            "baseline_assets": base_assets,
            "current_assets": cur_assets,
            "assets_multiple": _ratio(cur_assets, base_assets),
            "revenue_doubled": sum(1 for i in items if i["revenue_doubled"]),
            "assets_doubled": sum(1 for i in items if i["assets_doubled"]),
            "jobs_added": sum(jobs),
        }

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        key = line["league_code"] if by == GroupBy.LEAGUE else (line["cluster"] or NONE)
        groups[key].append(line)
    overall = total(lines)
    return {
        "by": by.value,
        "targets": {
            "enterprises": targets.enterprises,
            "multiple": targets.multiple,
            "jobs_added": targets.jobs_added,
        },
        "total": overall
        | {
            "jobs_target_percent": (
                (Decimal(overall["jobs_added"]) * 100 / targets.jobs_added).quantize(Decimal("0.01"))
                if targets.jobs_added
                else None
            ),
            "enrolment_target_percent": (Decimal(len(lines)) * 100 / targets.enterprises).quantize(
                Decimal("0.01")
            ),
        },
        "groups": [{"key": k, "name": _group_name(by, k)} | total(v) for k, v in sorted(groups.items())],
    }


async def progress(
    *,
    session: AsyncSession,
    principal: Principal,
    programme: Programme,
    year: int | None,
    by: GroupBy,
    league_code: str | None,
) -> dict[str, Any]:
    """A programme's progress toward its targets per league or cluster, from the operating reports."""
    y = _year(year)
    target = TARGETS[programme]
    lines = [
        p.as_dict(target.multiple) for p in await _progress(session, principal, programme, y, league_code)
    ]
    return {"programme": programme.value, "year": y} | summarise(lines, target, by)
