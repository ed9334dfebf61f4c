"""The financing funnel (融资漏斗) for the office: where requests get stuck on the way to a loan, from
loan-matching's own tables.

Stages of a request: requested → matched (an eligible product found) → offered (a bank offered) →
accepted (the SME took an offer) → disbursed → repaid or defaulted. By league, month (of the
request) and size class the unit is the request; by bank and product kind it is a bank's match
on a request (a bank sees a request only once matched), so those funnels start at `matched`.
Conversion is each stage over the stage before (repaid and defaulted over disbursed); the days
between stages are medians over the units that reached both. Requests that found no match are
counted by the eligibility rules their products failed (the recorded `misses`).
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import FinancingRequest, Loan, Match, Offer
from loan_matching.domain.statuses import LoanStatus, RequestStatus
from smefin.auth import OFFICE_ROLES, Principal, Role, league_scope
from smefin.errors import Unprocessable
from smefin.reference import UnknownDivision, league

STAGES = ("requested", "matched", "offered", "accepted", "disbursed", "repaid", "defaulted")
# (from, to) pairs whose median days are reported; closing is repaid or defaulted.
STEPS = (
    ("requested", "matched"),
    ("matched", "offered"),
    ("offered", "accepted"),
    ("accepted", "disbursed"),
    ("disbursed", "closed"),
)
UNKNOWN = "(unknown)"
MAX_DAYS = 3660  # a window of ten years is the most one funnel reads
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)


class FunnelBy(StrEnum):
    """How the funnel is split."""

    NONE = "none"
    LEAGUE = "league"
    MONTH = "month"
    BANK = "bank"
    PRODUCT_KIND = "product_kind"
    SIZE_CLASS = "size_class"


PAIR_DIMENSIONS = (FunnelBy.BANK, FunnelBy.PRODUCT_KIND)


@dataclass
class Journey:
    """When one unit (a request, or a bank's match on it) reached each stage."""

    times: dict[str, datetime] = field(default_factory=dict)

    def reach(self, stage: str, at: datetime | None) -> None:
        """Record the first time the unit reached `stage`."""
        if at is not None and (stage not in self.times or at < self.times[stage]):
            self.times[stage] = at


@dataclass
class FunnelData:
    """The rows the funnel is computed from."""

    requests: Sequence[tuple[FinancingRequest, str | None, str | None]]  # request, league, size class
    matches: Sequence[Match]
    offers: Sequence[Offer]
    loans: Sequence[Loan]
    product_kinds: dict[uuid.UUID, str]


def _closed(loan: Loan) -> str | None:
    return {LoanStatus.REPAID: "repaid", LoanStatus.DEFAULTED: "defaulted"}.get(LoanStatus(loan.status))


def _request_journeys(data: FunnelData) -> dict[uuid.UUID, Journey]:
    out = {r.id: Journey() for r, _, _ in data.requests}
    matched = {m.request_id for m in data.matches}
    for r, _, _ in data.requests:
        out[r.id].reach("requested", r.created_at)
        if r.id in matched:
            out[r.id].reach("matched", r.matched_at or r.created_at)
    offers = {o.id: o for o in data.offers}
    for o in data.offers:
        out[o.request_id].reach("offered", o.created_at)
        out[o.request_id].reach("accepted", o.accepted_at)
    for loan in data.loans:
        j = out[offers[loan.offer_id].request_id]
        j.reach("disbursed", loan.disbursed_at)
        if (stage := _closed(loan)) is not None:
            j.reach(stage, loan.closed_at)
    return out


def _pair_journeys(data: FunnelData) -> dict[tuple[uuid.UUID, str], tuple[Journey, uuid.UUID]]:
    """Per (request, bank): its match's product and when the pair reached each stage."""
    out: dict[tuple[uuid.UUID, str], tuple[Journey, uuid.UUID]] = {}
    for m in data.matches:
        j = Journey()
        j.reach("matched", m.created_at)
        out[(m.request_id, m.bank_org_id)] = (j, m.product_id)
    offers = {o.id: o for o in data.offers}
    for o in data.offers:
        if (pair := out.get((o.request_id, o.bank_org_id))) is not None:
            pair[0].reach("offered", o.created_at)
            pair[0].reach("accepted", o.accepted_at)
    for loan in data.loans:
        o = offers[loan.offer_id]
        if (pair := out.get((o.request_id, o.bank_org_id))) is not None:
            pair[0].reach("disbursed", loan.disbursed_at)
            if (stage := _closed(loan)) is not None:
                pair[0].reach(stage, loan.closed_at)
    return out


def _days(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 86400


def summarise(journeys: Iterable[Journey], *, from_matched: bool) -> dict[str, Any]:
    """Counts per stage, conversion over the stage before, and median days between stages."""
    items = list(journeys)
    counts: dict[str, int | None] = {s: sum(1 for j in items if s in j.times) for s in STAGES}
    if from_matched:
        counts["requested"] = None
    conversion: dict[str, Decimal | None] = {}
    for prev, stage in pairwise(STAGES[:5]):  # requested … disbursed
        conversion[stage] = _percent(counts[stage], counts[prev])
    for stage in ("repaid", "defaulted"):
        conversion[stage] = _percent(counts[stage], counts["disbursed"])
    medians: dict[str, Decimal | None] = {}
    for a, b in STEPS:
        gaps = []
        for j in items:
            end = j.times.get(b) if b != "closed" else j.times.get("repaid") or j.times.get("defaulted")
            if a in j.times and end is not None:
                gaps.append(_days(j.times[a], end))
        medians[f"{a}_to_{b}"] = Decimal(f"{statistics.median(gaps):.2f}") if gaps else None
    return {"counts": counts, "conversion_percent": conversion, "median_days": medians}


def _percent(part: int | None, whole: int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))


def _name(by: FunnelBy, key: str) -> str:
    if by == FunnelBy.LEAGUE and key != UNKNOWN:
        try:
            return league(key).name
        except UnknownDivision:
            return key
    return key


def no_match_reasons(requests: Iterable[FinancingRequest]) -> dict[str, Any]:
    """The rules that kept no-match requests from every product: requests per rule, and the fix named."""
    stuck = [r for r in requests if r.status == RequestStatus.NO_MATCH]
    per_rule: Counter[str] = Counter()
    products: Counter[str] = Counter()
    hint: dict[str, str] = {}
    for r in stuck:
        rules: set[str] = set()
        for miss in r.misses:
            for rule, change in zip(
                miss.get("failed_rules", []), miss.get("would_change_it", []), strict=False
            ):
                rules.add(rule)
                products[rule] += 1
                hint.setdefault(rule, str(change))
        per_rule.update(rules)
    return {
        "requests": len(stuck),
        "reasons": [
            {
                "rule": rule,
                "requests": n,
                "percent_of_no_match": _percent(n, len(stuck)),
                "products_excluded": products[rule],
                "example_fix": hint.get(rule),
            }
            for rule, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def compute(data: FunnelData, by: FunnelBy) -> dict[str, Any]:
    """The funnel in total and per group, and the no-match reasons."""
    info = {r.id: (r, lg, size) for r, lg, size in data.requests}
    groups: dict[str, list[Journey]] = defaultdict(list)
    if by in PAIR_DIMENSIONS:
        pairs = _pair_journeys(data)
        for (_, bank), (j, product_id) in pairs.items():
            key = bank if by == FunnelBy.BANK else data.product_kinds.get(product_id, UNKNOWN)
            groups[key].append(j)
        total = summarise((j for j, _ in pairs.values()), from_matched=True)
    else:
        journeys = _request_journeys(data)
        key_of: Callable[[uuid.UUID], str] = {
            FunnelBy.NONE: lambda _: "all",
            FunnelBy.LEAGUE: lambda rid: info[rid][1] or UNKNOWN,
            FunnelBy.SIZE_CLASS: lambda rid: info[rid][2] or UNKNOWN,
            FunnelBy.MONTH: lambda rid: info[rid][0].created_at.astimezone(UTC).strftime("%Y-%m"),
        }[by]
        for rid, j in journeys.items():
            groups[key_of(rid)].append(j)
        total = summarise(journeys.values(), from_matched=False)
    return {
        "stages": list(STAGES),
        "total": total,
        "groups": [
            {"key": k, "name": _name(by, k)} | summarise(v, from_matched=by in PAIR_DIMENSIONS)
            for k, v in sorted(groups.items())
        ],
        "no_match": no_match_reasons(r for r, _, _ in data.requests),
    }


async def funnel(
    *,
    session: AsyncSession,
    principal: Principal,
    from_date: date,
    to_date: date,
    by: FunnelBy,
    league_code: str | None,
) -> dict[str, Any]:
    """The funnel of requests submitted from `from_date` to `to_date` (inclusive)."""
    principal.require(*OFFICE_ROLES, Role.SERVICE)
    scope = league_scope(principal, league_code)
    if from_date < EARLIEST or to_date > LATEST:
        raise Unprocessable(f"the window must lie between {EARLIEST} and {LATEST}")
    if from_date > to_date:
        raise Unprocessable("from_date must not be after to_date")
    if (to_date - from_date).days > MAX_DAYS:
        raise Unprocessable(f"a funnel covers at most {MAX_DAYS} days; narrow from_date … to_date")
    since = datetime.combine(from_date, time.min, tzinfo=UTC)
    until = datetime.combine(to_date + timedelta(days=1), time.min, tzinfo=UTC)
    data = FunnelData(*await repo.funnel_rows(session, since, until, scope))
    return {
        "from_date": from_date.isoformat(),
        "to_date": to_date.isoformat(),
        "by": by.value,
        "league_code": scope,
    } | compute(data, by)
