"""Pure business rules: the policy figures, capacity (担保能力) and coverage (担保体系覆盖)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from smefin import policy as policy_rules
from smefin.auth import Role
from smefin.reference import league, leagues

CENT = Decimal("0.01")
ZERO = Decimal("0")


def money(value: Decimal) -> Decimal:
    """Round to yuan and fen."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class CapitalSource(StrEnum):
    """Where injected capital came from."""

    REGIONAL_SPECIAL_FUND = "regional_special_fund"  # 自治区20亿元专项
    LEAGUE_FUND = "league_fund"  # 盟市资金
    COUNTY_MATCHING_FUND = "county_matching_fund"  # 旗县配套专项资金
    PRIVATE_CAPITAL = "private_capital"  # 民间资本


class Ownership(StrEnum):
    """Who owns the guarantee company."""

    GOVERNMENT = "government"
    PRIVATE = "private"


# Roles that read and manage every company: the financial office and the platform's own services.
MANAGERS = (Role.OFFICE, Role.SERVICE)


class GuaranteeStatus(StrEnum):
    """Lifecycle of a guarantee."""

    PENDING_APPROVAL = "pending_approval"  # the company's rules want its own yes first
    ISSUED = "issued"
    REFUSED = "refused"
    RELEASED = "released"
    CLAIMED = "claimed"
    CANCELLED = "cancelled"  # issued in error, withdrawn by the guarantor or the office


class OfferStatus(StrEnum):
    """What guarantee-registry has heard of an offer."""

    MADE = "made"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Policy:
    """The configurable policy figures (yuan, ratios as fractions, shares as percent)."""

    # Outstanding guarantee liability ≤ multiple × net assets (放大倍数).
    leverage_multiple: Decimal = Decimal("10")
    # Companies mainly serving small, micro and agricultural clients may go further.
    leverage_multiple_small_micro: Decimal = Decimal("15")
    # One client's liability ≤ this share of net assets.
    single_client_ratio: Decimal = Decimal("0.10")
    # Default risk split, percent borne by the guarantor (the bank bears the rest).
    default_guarantor_share: Decimal = Decimal("80")
    # 自治区筹措20亿元专项用于信用担保机构资本金投入.
    regional_fund_total: Decimal = Decimal("2000000000")
    # 注册资金1亿元以上 for leagues, qualifying counties and zones.
    target_registered_capital: Decimal = Decimal("100000000")
    county_fiscal_revenue_threshold: Decimal = Decimal("5000000000")
    zone_annual_sales_threshold: Decimal = Decimal("10000000000")
    # 中小企业信用担保风险资金 (2011 plan: 20M yuan a year) and the share of a start-up micro loan
    # claim it reimburses the guarantor.
    risk_compensation_fund_total: Decimal = Decimal("20000000")
    risk_compensation_ratio: Decimal = Decimal("0.50")
    # Offers without an explicit start-up micro loan flag count as one up to this amount.
    startup_micro_loan_max: Decimal = Decimal("300000")
    # 融资性担保小微企业贷款风险补偿 (2013 policy): the policy names no sum, so the opening balance is the
    # office's to set; the share of a small or micro client's claim it reimburses the guarantor.
    small_micro_fund_total: Decimal = Decimal("20000000")
    small_micro_compensation_ratio: Decimal = Decimal("0.30")
    # Re-guarantee (再担保): the largest share of a guarantor's liability one agreement may cede.
    max_reguarantee_share: Decimal = Decimal("90")


class CompensationFund(StrEnum):
    """The risk-compensation funds (风险补偿资金), each a ledger that never goes below zero."""

    STARTUP_MICRO = "startup_micro"  # 创业小额担保贷款风险补偿 (2011)
    SMALL_MICRO_GUARANTEED = "small_micro_guaranteed"  # 融资性担保小微企业贷款风险补偿 (2013)


class FundEntryKind(StrEnum):
    """A fund ledger line: money in from the budget, or out to a guarantor on a claim."""

    APPROPRIATION = "appropriation"
    PAYOUT = "payout"


class AgreementStatus(StrEnum):
    """A re-guarantee agreement is active until it is ended; ended ones keep their past cessions."""

    ACTIVE = "active"
    ENDED = "ended"


SMALL_AND_MICRO = frozenset({"small", "micro"})


# ---- capacity ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """How much more a company may guarantee."""

    net_assets: Decimal
    outstanding: Decimal
    multiple: Decimal
    limit: Decimal
    remaining: Decimal
    single_client_limit: Decimal
    leverage: Decimal | None  # outstanding / net assets; None without net assets


@dataclass(frozen=True)
class Refusal:
    """Why a guarantee cannot be issued."""

    code: str
    reason: str


def capacity_of(
    net_assets: Decimal, outstanding: Decimal, serves_small_micro_agri: bool, policy: Policy
) -> Capacity:
    """Leverage limit (10x, 15x for small/micro/agricultural guarantors) and single-client limit."""
    multiple = policy.leverage_multiple_small_micro if serves_small_micro_agri else policy.leverage_multiple
    base = max(net_assets, ZERO)
    limit = money(base * multiple)
    return Capacity(
        net_assets=net_assets,
        outstanding=outstanding,
        multiple=multiple,
        limit=limit,
        remaining=max(money(limit - outstanding), ZERO),
        single_client_limit=money(base * policy.single_client_ratio),
        leverage=(outstanding / net_assets).quantize(Decimal("0.0001")) if net_assets > 0 else None,
    )


def liability_of(amount: Decimal, guarantor_share: Decimal) -> Decimal:
    """The guarantor's part of a guaranteed amount (担保责任), share in percent (one definition, shared
    with loan-matching's capacity rule)."""
    return policy_rules.liability(amount, guarantor_share)


def check_capacity(cap: Capacity, client_exposure: Decimal, liability: Decimal) -> Refusal | None:
    """None when a new liability fits both limits; otherwise the first limit it breaks."""
    if cap.net_assets <= 0:
        return Refusal("no_net_assets", "the guarantee company has no positive net assets")
    if cap.outstanding + liability > cap.limit:
        return Refusal(
            "leverage_limit",
            f"liability {liability} would raise outstanding guarantees to {cap.outstanding + liability}, "
            f"above {cap.multiple}x net assets ({cap.limit}); remaining capacity {cap.remaining}",
        )
    if client_exposure + liability > cap.single_client_limit:
        return Refusal(
            "single_client_limit",
            f"this client's liability would be {client_exposure + liability}, above the single-client "
            f"limit of {cap.single_client_limit} (share of net assets)",
        )
    return None


def risk_compensation(guarantor_paid: Decimal, fund_used: Decimal, policy: Policy) -> Decimal:
    """What the start-up fund reimburses on a start-up micro loan claim, within what is left."""
    return compensation(
        guarantor_paid, policy.risk_compensation_fund_total - fund_used, policy.risk_compensation_ratio
    )


def compensation(guarantor_paid: Decimal, balance: Decimal, ratio: Decimal) -> Decimal:
    """A fund's share of what the guarantor paid, never more than the fund holds (it cannot go below zero)."""
    return min(money(guarantor_paid * ratio), max(balance, ZERO))


def fund_for(startup_micro_loan: bool, size_class: str | None) -> CompensationFund | None:
    """Which compensation scheme a defaulted guaranteed loan falls under, if any (start-up first)."""
    if startup_micro_loan:
        return CompensationFund.STARTUP_MICRO
    if size_class in SMALL_AND_MICRO:
        return CompensationFund.SMALL_MICRO_GUARANTEED
    return None


def fund_terms(fund: CompensationFund, policy: Policy) -> tuple[Decimal, Decimal]:
    """The fund's opening balance and the share of a claim it reimburses."""
    if fund is CompensationFund.STARTUP_MICRO:
        return policy.risk_compensation_fund_total, policy.risk_compensation_ratio
    return policy.small_micro_fund_total, policy.small_micro_compensation_ratio


def ceded(liability: Decimal, share: Decimal) -> Decimal:
    """The part of a liability a re-guarantor takes over at `share` percent (再担保)."""
    return liability - policy_rules.kept(liability, share)


# ---- coverage ---------------------------------------------------------------------------------


class CompanyLike(Protocol):
    """What coverage needs to know of a company."""

    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def league_code(self) -> str: ...
    @property
    def county_code(self) -> str | None: ...
    @property
    def zone_code(self) -> str | None: ...
    @property
    def registered_capital(self) -> Decimal: ...


@dataclass(frozen=True)
class DivisionFigure:
    """A county's fiscal revenue or a zone's annual sales in a year."""

    code: str
    name: str
    league_code: str
    year: int
    value: Decimal


@dataclass(frozen=True)
class Obligation:
    """One division's coverage target: met or not, who counts, what is short."""

    scope: str  # league | county | zone
    code: str
    name: str
    league_code: str
    obligated: bool
    compliant: bool
    shortfall: Decimal
    counting_company_ids: list[UUID] = field(default_factory=list)
    counting_company_names: list[str] = field(default_factory=list)
    year: int | None = None
    figure: Decimal | None = None  # fiscal revenue or annual sales
    threshold: Decimal | None = None


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every league, every county with figures, every zone with figures."""

    target: Decimal
    leagues: list[Obligation]
    counties: list[Obligation]
    zones: list[Obligation]

    def all(self) -> list[Obligation]:
        """Every obligation, leagues first."""
        return [*self.leagues, *self.counties, *self.zones]


def _obligation(
    scope: str,
    code: str,
    name: str,
    league_code: str,
    candidates: Sequence[CompanyLike],
    target: Decimal,
    *,
    obligated: bool = True,
    figure: DivisionFigure | None = None,
    threshold: Decimal | None = None,
) -> Obligation:
    counting = sorted((c for c in candidates if c.registered_capital >= target), key=lambda c: c.name)
    best = max((c.registered_capital for c in candidates), default=ZERO)
    compliant = not obligated or bool(counting)
    # Shortfall: capital the strongest existing company still needs, or a whole new company's.
    shortfall = ZERO if compliant else money(target - best)
    return Obligation(
        scope=scope,
        code=code,
        name=name,
        league_code=league_code,
        obligated=obligated,
        compliant=compliant,
        shortfall=shortfall,
        counting_company_ids=[c.id for c in counting],
        counting_company_names=[c.name for c in counting],
        year=figure.year if figure else None,
        figure=figure.value if figure else None,
        threshold=threshold,
    )


def coverage(
    companies: Iterable[CompanyLike],
    county_figures: Iterable[DivisionFigure],
    zone_figures: Iterable[DivisionFigure],
    policy: Policy,
) -> CoverageReport:
    """Compute every league's, qualifying county's and qualifying zone's target against the companies."""
    target = policy.target_registered_capital
    comps = list(companies)
    by_league: dict[str, list[CompanyLike]] = {}
    by_county: dict[str, list[CompanyLike]] = {}
    by_zone: dict[str, list[CompanyLike]] = {}
    for c in comps:
        by_league.setdefault(c.league_code, []).append(c)
        if c.county_code:
            by_county.setdefault(c.county_code, []).append(c)
        if c.zone_code:
            by_zone.setdefault(c.zone_code, []).append(c)
    league_rows = [
        _obligation("league", lg.code, lg.name, lg.code, by_league.get(lg.code, []), target)
        for lg in leagues()
    ]
    county_rows = [
        _obligation(
            "county",
            f.code,
            f.name,
            f.league_code,
            by_county.get(f.code, []),
            target,
            obligated=f.value > policy.county_fiscal_revenue_threshold,
            figure=f,
            threshold=policy.county_fiscal_revenue_threshold,
        )
        for f in sorted(county_figures, key=lambda f: f.code)
    ]
    zone_rows = [
        _obligation(
            "zone",
            f.code,
            f.name,
            f.league_code,
            by_zone.get(f.code, []),
            target,
            obligated=f.value > policy.zone_annual_sales_threshold,
            figure=f,
            threshold=policy.zone_annual_sales_threshold,
        )
        for f in sorted(zone_figures, key=lambda f: f.code)
    ]
    return CoverageReport(target=target, leagues=league_rows, counties=county_rows, zones=zone_rows)


def league_status(report: CoverageReport) -> dict[str, str]:
    """Map colour per league: met (league and all its obligations), partial (league met, a county or
    zone in it short), unmet (the league target itself short)."""
    short_inside = {o.league_code for o in (*report.counties, *report.zones) if not o.compliant}
    return {
        o.code: "unmet" if not o.compliant else ("partial" if o.code in short_inside else "met")
        for o in report.leagues
    }


def league_name(code: str) -> str:
    """Chinese name of a league."""
    return league(code).name
