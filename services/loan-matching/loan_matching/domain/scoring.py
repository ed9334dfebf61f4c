"""Eligibility as data, vectorised over every live product, plus pricing and expected value.

Each rule answers met (1) / not met (0) / unknown (-1) for every (request, product) pair at once;
a pair is eligible when no rule says "not met". Unknowns are reported but do not disqualify.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from smefin.reference.grades import CREDIT_GRADES

MET, NOT_MET, UNKNOWN = 1, 0, -1

# Credit grades from best to worst; the ordinal is what a minimum-grade rule compares.
# The shared scale plus "D" (in default), which pricing must be able to name.
GRADES: tuple[str, ...] = (*CREDIT_GRADES, "D")
GRADE_ORD = {g: len(GRADES) - 1 - i for i, g in enumerate(GRADES)}
SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")
SIZE_ORD = {s: i for i, s in enumerate(SIZE_CLASSES)}
KINDS: tuple[str, ...] = ("credit_only", "guaranteed", "collateralised", "startup_micro_guaranteed")
GUARANTEED_KINDS = frozenset({"guaranteed", "startup_micro_guaranteed"})

F = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
B = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Rule:
    """One eligibility rule: a code, what it checks, and what would change a "not met"."""

    code: str
    description: str
    fix: str


# The rules, as data: order is the column order of the status matrix.
RULES: tuple[Rule, ...] = (
    Rule(
        "amount_min",
        "amount at least the product's minimum",
        "amount below the product's minimum of {min_amount}",
    ),
    Rule(
        "amount_max",
        "amount at most the product's maximum",
        "amount above the product's maximum of {max_amount}",
    ),
    Rule("term", "term within the product's range", "term must be {min_term}-{max_term} months"),
    Rule("league", "enterprise in an eligible league", "the product serves leagues {leagues} only"),
    Rule(
        "industry",
        "industry among the product's industries",
        "the product serves industries {industries} only",
    ),
    Rule(
        "size_class",
        "size class among the product's classes",
        "the product serves {size_classes} enterprises only",
    ),
    Rule(
        "min_grade",
        "credit grade at or above the product's minimum",
        "needs a credit grade of {min_grade} or better",
    ),
    Rule("collateral", "collateral offered when the product needs it", "eligible with collateral"),
    Rule("guarantee", "a guarantee accepted when the product needs it", "eligible with a guarantee"),
    Rule(
        "quota",
        "the product's lending quota, and its bank's, have room this period",
        "the product's or its bank's quota for this period is used up",
    ),
    Rule(
        "guarantee_capacity",
        "an accepted guarantee company has capacity for the amount",
        "no accepted guarantee company has capacity left for this amount",
    ),
)
RULE_INDEX = {r.code: i for i, r in enumerate(RULES)}

# Operating signals a bank may price (差别化利率), as credit-info derives them from the credit record.
SIGNALS: tuple[str, ...] = (
    "revenue_growth_percent",  # year on year, from operating figures (产销数据)
    "tax_grade",  # 纳税信用等级 A, B, M, C, D
    "social_insurance_months",  # months of social insurance paid in the latest year (社保)
    "utilities_on_time_percent",  # water, power and gas bills paid on time (水电气)
)
SIGNAL_INDEX = {s: i for i, s in enumerate(SIGNALS)}
TAX_GRADES: tuple[str, ...] = ("A", "B", "M", "C", "D")


@dataclass(frozen=True)
class SignalRule:
    """One pricing rule on a signal: when it holds, `spread` points are added (negative: a discount).

    Exactly one condition: `below` / `at_least` a figure, or the tax grade `in` a set.
    An unknown signal adds the spread only if `when_unknown`.
    """

    signal: str
    spread: float
    below: float | None = None
    at_least: float | None = None
    grades: frozenset[str] = frozenset()
    when_unknown: bool = False

    @staticmethod
    def parse(raw: dict[str, Any]) -> SignalRule:
        """A rule from its stored form (decimal strings)."""
        num = {k: float(raw[k]) for k in ("below", "at_least") if raw.get(k) is not None}
        return SignalRule(
            signal=str(raw["signal"]),
            spread=float(raw["spread"]),
            grades=frozenset(raw.get("in") or ()),
            when_unknown=bool(raw.get("when_unknown")),
            **num,
        )

    def holds(self, value: F) -> B:
        """Where the rule adds its spread, for a column of this signal's values."""
        known = ~np.isnan(value)
        with np.errstate(invalid="ignore"):
            if self.below is not None:
                cond = value < self.below
            elif self.at_least is not None:
                cond = value >= self.at_least
            else:
                codes = [TAX_GRADES.index(g) for g in self.grades if g in TAX_GRADES]
                cond = np.isin(value, codes)
        out: B = np.where(known, cond, self.when_unknown)
        return out

    def condition(self) -> str:
        """The condition in words, for the rate's explanation."""
        if self.below is not None:
            return f"{self.signal} below {self.below:g}"
        if self.at_least is not None:
            return f"{self.signal} at least {self.at_least:g}"
        return f"{self.signal} in {', '.join(sorted(self.grades))}"


def signal_value(row: dict[str, Any], signal: str) -> float:
    """A signal of a request row as a number (the tax grade as its index in TAX_GRADES); nan unknown."""
    v = row.get(signal)
    if v is None:
        return np.nan
    if signal == "tax_grade":
        return float(TAX_GRADES.index(v)) if v in TAX_GRADES else np.nan
    return float(v)


def _show_signal(signal: str, value: float) -> str:
    if np.isnan(value):
        return "unknown"
    return TAX_GRADES[int(value)] if signal == "tax_grade" else f"{value:g}"


@dataclass
class RequestBatch:
    """Requests joined with their enterprise projection, as column arrays (one row per request)."""

    amount: F  # yuan
    term: F
    collateral: B
    accepts_guarantee: B
    league: npt.NDArray[np.str_]  # "" unknown
    industry: npt.NDArray[np.str_]  # "" unknown
    size_ord: F  # nan unknown
    grade_ord: F  # nan unknown
    pd: F  # nan unknown
    score: F  # nan unknown
    revenue: F  # 10,000 yuan; nan unknown
    assets: F
    growth: B
    # (R, len(SIGNALS)) operating signals (差别化利率), nan unknown; None: none known for any request.
    signals: F | None = None

    def __len__(self) -> int:
        return len(self.amount)

    def take(self, idx: slice | npt.NDArray[np.intp]) -> RequestBatch:
        """A sub-batch (for chunked scoring)."""
        parts: dict[str, Any] = {k: None if v is None else v[idx] for k, v in self.__dict__.items()}
        return RequestBatch(**parts)


@dataclass
class ProductBatch:
    """Live products as column arrays (one row per product)."""

    min_amount: F
    max_amount: F
    min_term: F
    max_term: F
    leagues: list[frozenset[str]]
    industries: list[tuple[str, ...]]
    size_mask: npt.NDArray[np.int64]  # bit i = SIZE_CLASSES[i] allowed; 0 = any
    min_grade_ord: F  # nan = no minimum
    requires_collateral: B
    requires_guarantee: B
    kind_ord: npt.NDArray[np.int64]
    base_rate: F
    spreads: F  # (P, len(GRADES)) spread by grade ordinal
    quota_left_count: F  # inf = no count quota
    quota_left_amount: F  # inf = no amount quota
    guarantee_capacity: F  # best single-client room among accepted companies; nan unknown
    # Per product, its bank's spreads for operating signals (差别化利率): (signal index, rule) pairs.
    signal_rules: list[list[tuple[int, SignalRule]]] = field(default_factory=list)
    # Product-side rule tables, built once per batch (a grid is often scored in request chunks).
    _tables: _ProductTables | None = field(default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.base_rate)

    @property
    def tables(self) -> _ProductTables:
        """The product-side rule tables (built on first use)."""
        if self._tables is None:
            self._tables = _ProductTables.build(self)
        return self._tables


def build_requests(rows: Sequence[dict[str, Any]]) -> RequestBatch:
    """Column arrays from request+enterprise dicts (keys as in the projection)."""

    def col(key: str, default: float = np.nan) -> F:
        return np.array(
            [float(r[key]) if r.get(key) is not None else default for r in rows], dtype=np.float64
        )

    return RequestBatch(
        amount=col("amount"),
        term=col("term_months"),
        collateral=np.array([bool(r.get("collateral_available")) for r in rows], dtype=bool),
        accepts_guarantee=np.array([bool(r.get("accepts_guarantee")) for r in rows], dtype=bool),
        league=np.array([r.get("league_code") or "" for r in rows], dtype=np.str_),
        industry=np.array([r.get("industry") or "" for r in rows], dtype=np.str_),
        size_ord=np.array([SIZE_ORD.get(r.get("size_class") or "", np.nan) for r in rows], dtype=np.float64),
        grade_ord=np.array([GRADE_ORD.get(r.get("grade") or "", np.nan) for r in rows], dtype=np.float64),
        pd=col("probability_of_default"),
        score=col("score"),
        revenue=col("revenue"),
        assets=col("assets"),
        growth=np.array([bool(r.get("growth_programme")) for r in rows], dtype=bool),
        signals=np.array([[signal_value(r, s) for s in SIGNALS] for r in rows], dtype=np.float64).reshape(
            len(rows), len(SIGNALS)
        ),
    )


def build_products(rows: Sequence[dict[str, Any]]) -> ProductBatch:
    """Column arrays from product dicts (keys as in the product table, plus quota/capacity figures)."""

    def col(key: str, default: float = np.nan) -> F:
        return np.array(
            [float(r[key]) if r.get(key) is not None else default for r in rows], dtype=np.float64
        )

    spreads = np.zeros((len(rows), len(GRADES)))
    for i, r in enumerate(rows):
        table = {k: float(v) for k, v in (r.get("grade_spreads") or {}).items()}
        worst = max(table.values(), default=0.0)
        for g, o in GRADE_ORD.items():
            spreads[i, o] = table.get(g, worst)
    return ProductBatch(
        min_amount=col("min_amount", 0.0),
        max_amount=col("max_amount", np.inf),
        min_term=col("min_term_months", 0.0),
        max_term=col("max_term_months", np.inf),
        leagues=[frozenset(r.get("leagues") or ()) for r in rows],
        industries=[tuple(r.get("industries") or ()) for r in rows],
        size_mask=np.array(
            [sum(1 << SIZE_ORD[s] for s in (r.get("size_classes") or ()) if s in SIZE_ORD) for r in rows],
            dtype=np.int64,
        ),
        min_grade_ord=np.array(
            [GRADE_ORD.get(r.get("min_grade") or "", np.nan) for r in rows], dtype=np.float64
        ),
        requires_collateral=np.array([bool(r.get("requires_collateral")) for r in rows], dtype=bool),
        requires_guarantee=np.array(
            [bool(r.get("requires_guarantee")) or r.get("kind") in GUARANTEED_KINDS for r in rows], dtype=bool
        ),
        kind_ord=np.array([KINDS.index(r.get("kind") or "credit_only") for r in rows], dtype=np.int64),
        base_rate=col("base_rate", 0.0),
        spreads=spreads,
        # The quota rule sees the tighter of the product's room and its bank's (专门信贷指标).
        quota_left_count=np.minimum(col("quota_left_count", np.inf), col("bank_quota_left_count", np.inf)),
        quota_left_amount=np.minimum(col("quota_left_amount", np.inf), col("bank_quota_left_amount", np.inf)),
        guarantee_capacity=col("guarantee_capacity"),
        signal_rules=[
            [(SIGNAL_INDEX[x.signal], x) for x in map(SignalRule.parse, r.get("signal_spreads") or ())]
            for r in rows
        ],
    )


def _tri(ok: B, unknown: B | None = None) -> I8:
    out = np.where(ok, MET, NOT_MET).astype(np.int8)
    if unknown is not None:
        out[unknown] = UNKNOWN
    return out


def _member_table(groups: Sequence[Sequence[str]]) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int32]]:
    """Distinct members of the products' groups and the (members, P) 0/1 table of who holds what."""
    members = [m for g in groups for m in g]
    owners = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    distinct, which = np.unique(np.array(members, dtype=np.str_), return_inverse=True)
    owns = np.zeros((len(distinct), len(groups)), dtype=np.int32)
    owns[which, owners] = 1
    return distinct, owns


@dataclass(frozen=True)
class _ProductTables:
    """What the rules need from the products alone, as tables a request looks up by row."""

    any_league: B  # (P,) no league restriction
    leagues: npt.NDArray[np.str_]  # distinct leagues named by any product
    league_ok: B  # (len(leagues) + 1, P); the last row: a league no product names
    any_industry: B
    prefixes: npt.NDArray[np.str_]
    prefix_owner: npt.NDArray[np.int32]  # (len(prefixes), P)
    size_ok: B  # (len(SIZE_CLASSES), P)
    grade_ok: B  # (len(GRADES) + 1, P); the last row: grade unknown
    has_grade_min: B  # (P,)
    quota_room: B  # (P,) at least one more loan allowed by count
    # The same rules as packed bit rows (bit p: no "not met" for product p), for the fast path:
    # a request ANDs one row per rule and the grid pass unpacks one (P,) row instead of folding
    # every rule over the grid. Row layouts follow `pass_bits`.
    league_bits: U8  # (len(leagues) + 2, P/8): named leagues, an unnamed one, unknown
    size_bits: U8  # (len(SIZE_CLASSES) + 1, P/8): the last row, size unknown
    grade_bits: U8  # (len(GRADES) + 1, P/8): the last row, grade unknown
    collateral_bits: U8  # (2, P/8) by collateral offered; the product-only count quota in both
    guarantee_bits: U8  # (2, P/8) by guarantee accepted
    amount_low: F  # (P,) the amount rules hold exactly for amount_low <= amount <= amount_high
    amount_high: F

    @staticmethod
    def build(prod: ProductBatch) -> _ProductTables:
        any_league = np.array([not s for s in prod.leagues], dtype=bool)
        leagues, owns = _member_table([sorted(s) for s in prod.leagues])
        league_ok = np.vstack([owns.astype(bool), np.zeros((1, len(prod)), dtype=bool)]) | any_league[None, :]
        prefixes, prefix_owner = _member_table(prod.industries)
        classes = np.left_shift(1, np.arange(len(SIZE_CLASSES)))[:, None]
        size_ok = (prod.size_mask[None, :] == 0) | ((prod.size_mask[None, :] & classes) != 0)
        no_min = np.isnan(prod.min_grade_ord)
        with np.errstate(invalid="ignore"):
            by_grade = np.arange(len(GRADES))[:, None] >= prod.min_grade_ord[None, :]
        grade_ok = np.vstack([by_grade, np.zeros((1, len(prod)), dtype=bool)]) | no_min[None, :]
        every = np.ones((1, len(prod)), dtype=bool)  # an unknown answer never disqualifies
        quota_room = prod.quota_left_count >= 1
        high = np.minimum(prod.max_amount, prod.quota_left_amount)
        with np.errstate(invalid="ignore"):
            known_cap = prod.requires_guarantee & ~np.isnan(prod.guarantee_capacity)
        high = np.where(known_cap, np.minimum(high, prod.guarantee_capacity), high)
        return _ProductTables(
            any_league,
            leagues,
            league_ok,
            np.array([not p for p in prod.industries], dtype=bool),
            prefixes,
            prefix_owner,
            size_ok,
            grade_ok,
            ~no_min,
            quota_room,
            _pack(np.vstack([league_ok, every])),
            _pack(np.vstack([size_ok, every])),
            _pack(np.vstack([by_grade | no_min[None, :], every])),
            _pack(np.vstack([~prod.requires_collateral, every]) & quota_room[None, :]),
            _pack(np.vstack([~prod.requires_guarantee, every])),
            prod.min_amount,
            high,
        )

    def league(self, values: npt.NDArray[np.str_]) -> B:
        """(R, P): the league is in the product's set, or the set is empty (= any)."""
        at = np.searchsorted(self.leagues, values) if len(self.leagues) else np.zeros(len(values), np.intp)
        at = np.minimum(at, max(len(self.leagues) - 1, 0))
        named = (self.leagues[at] == values) if len(self.leagues) else np.zeros(len(values), dtype=bool)
        out: B = self.league_ok[np.where(named, at, len(self.leagues))]
        return out

    def industry(self, codes: npt.NDArray[np.str_]) -> B:
        """(R, P): the code starts with one of the product's GB/T 4754 prefixes (empty = any)."""
        uniq, inv = np.unique(codes, return_inverse=True)
        table = np.broadcast_to(self.any_industry[None, :], (len(uniq), len(self.any_industry))).copy()
        if len(self.prefixes):
            # Which distinct code starts with which distinct prefix, then OR over each product's prefixes.
            starts = np.strings.startswith(uniq[:, None], self.prefixes[None, :]).astype(np.int32)
            table |= (starts @ self.prefix_owner) > 0
        out: B = table[inv]
        return out


def _rule_terms(req: RequestBatch, prod: ProductBatch) -> list[tuple[B, B | None]]:
    """Per rule, in RULES order: (ok, unknown) masks broadcastable to (R, P).

    Rules on categories are row look-ups in the product-side tables; the rest compare a request
    column with a product row. Masks that depend on one side only stay (R, 1) or (1, P).
    """
    t = prod.tables
    r_amt, r_term = req.amount[:, None], req.term[:, None]
    size_known = ~np.isnan(req.size_ord)
    grade_row = np.where(np.isnan(req.grade_ord), len(GRADES), req.grade_ord).astype(np.intp)
    with np.errstate(invalid="ignore"):
        cap_ok = prod.guarantee_capacity[None, :] >= r_amt
    needs = prod.requires_guarantee[None, :]
    return [
        (r_amt >= prod.min_amount[None, :], None),
        (r_amt <= prod.max_amount[None, :], None),
        ((r_term >= prod.min_term[None, :]) & (r_term <= prod.max_term[None, :]), None),
        (t.league(req.league), (req.league == "")[:, None] & ~t.any_league[None, :]),
        (t.industry(req.industry), (req.industry == "")[:, None] & ~t.any_industry[None, :]),
        (
            t.size_ok[np.where(size_known, req.size_ord, 0).astype(np.intp)],
            ~size_known[:, None] & (prod.size_mask[None, :] != 0),
        ),
        (t.grade_ok[grade_row], np.isnan(req.grade_ord)[:, None] & t.has_grade_min[None, :]),
        (~prod.requires_collateral[None, :] | req.collateral[:, None], None),
        (~prod.requires_guarantee[None, :] | req.accepts_guarantee[:, None], None),
        (t.quota_room[None, :] & (prod.quota_left_amount[None, :] >= r_amt), None),
        (~needs | cap_ok, needs & np.isnan(prod.guarantee_capacity)[None, :]),
    ]


def _pack(ok: B) -> U8:
    """(rows, P) booleans as (rows, ceil(P / 8)) bit rows."""
    out: U8 = np.packbits(ok, axis=1)
    return out


def pass_bits(req: RequestBatch, prod: ProductBatch) -> U8:
    """(R, ceil(P / 8)) bit rows: bit p set when no rule but the amount rules says "not met".

    Every such rule depends on the request through one category (league, industry, size class,
    grade, collateral, guarantee, term), so a request's row is the AND of one table row per rule.
    The amount rules are the interval `amount_low <= amount <= amount_high` of the product tables.
    Unpacked and ANDed with that interval, this is `eligibility(...)[0]`, built without (R, P) folds.
    """
    t = prod.tables
    n = len(t.leagues)
    at = (
        np.minimum(np.searchsorted(t.leagues, req.league), max(n - 1, 0))
        if n
        else np.zeros(len(req), np.intp)
    )
    named = (t.leagues[at] == req.league) if n else np.zeros(len(req), dtype=bool)
    league_row = np.where(req.league == "", n + 1, np.where(named, at, n))
    codes, code_row = np.unique(req.industry, return_inverse=True)
    industry_bits = _pack(t.industry(codes) | (codes == "")[:, None])
    terms, term_row = np.unique(req.term, return_inverse=True)
    with np.errstate(invalid="ignore"):
        term_ok = (terms[:, None] >= prod.min_term[None, :]) & (terms[:, None] <= prod.max_term[None, :])
    size_row = np.where(np.isnan(req.size_ord), len(SIZE_CLASSES), np.nan_to_num(req.size_ord)).astype(
        np.intp
    )
    grade_row = np.where(np.isnan(req.grade_ord), len(GRADES), np.nan_to_num(req.grade_ord)).astype(np.intp)
    bits: U8 = t.league_bits[league_row]
    bits &= industry_bits[code_row.ravel()]
    bits &= _pack(term_ok)[term_row.ravel()]
    bits &= t.size_bits[size_row]
    bits &= t.grade_bits[grade_row]
    bits &= t.collateral_bits[req.collateral.astype(np.intp)]
    bits &= t.guarantee_bits[req.accepts_guarantee.astype(np.intp)]
    return bits


def evaluate_rules(req: RequestBatch, prod: ProductBatch) -> I8:
    """The (R, P, len(RULES)) status tensor: met / not met / unknown per rule."""
    shape = (len(req), len(prod))
    st = np.empty((*shape, len(RULES)), dtype=np.int8)
    for i, (ok, unknown) in enumerate(_rule_terms(req, prod)):
        st[..., i] = _tri(
            np.broadcast_to(ok, shape), None if unknown is None else np.broadcast_to(unknown, shape)
        )
    return st


def eligibility(req: RequestBatch, prod: ProductBatch) -> tuple[B, I8]:
    """(R, P) eligible (no rule "not met") and the number of "unknown" rules, without the status tensor.

    The same rule terms as `evaluate_rules`, folded as they are computed: the fast path ranks with
    these two arrays and builds a pair's full status only when it has to explain it.
    """
    shape = (len(req), len(prod))
    eligible = np.ones(shape, dtype=bool)
    unknown = np.zeros(shape, dtype=np.int8)
    for ok, unk in _rule_terms(req, prod):
        if unk is None:
            eligible &= ok
        else:
            eligible &= ok | unk
            unknown += unk
    return eligible, unknown


def indicative_rate(req: RequestBatch, prod: ProductBatch) -> F:
    """(R, P) rate in percent per year: the product's base rate plus the bank's spread for the grade."""
    # Column len(GRADES) is the worst spread, charged when the grade is unknown; gathering whole
    # rows by grade keeps the result contiguous.
    by_grade = np.hstack([prod.spreads, prod.spreads.max(axis=1)[:, None]]).T
    g = np.where(np.isnan(req.grade_ord), len(GRADES), req.grade_ord).astype(np.intp)
    out: F = by_grade[g]
    out += prod.base_rate[None, :]
    if prod.signal_rules and any(prod.signal_rules):
        sig = req.signals if req.signals is not None else np.full((len(req), len(SIGNALS)), np.nan)
        for j, rules in enumerate(prod.signal_rules):
            for k, rule in rules:
                out[:, j] += np.where(rule.holds(sig[:, k]), rule.spread, 0.0)
        np.maximum(out, 0.0, out=out)  # discounts never make a rate negative
    return out


def explain_rate(req: RequestBatch, i: int, prod: ProductBatch, j: int) -> list[dict[str, str]]:
    """How pair (i, j)'s indicative rate is made: base rate, the grade's spread, each operating signal's."""
    out = [{"component": "base_rate", "points": f"{prod.base_rate[j]:.4f}"}]
    g = req.grade_ord[i]
    if np.isnan(g):
        spread, grade = prod.spreads[j].max(), "unknown (the worst grade's spread applies)"
    else:
        spread, grade = prod.spreads[j, int(g)], GRADES[len(GRADES) - 1 - int(g)]
    out.append({"component": "credit_grade", "grade": grade, "points": f"{spread:.4f}"})
    rules = prod.signal_rules[j] if j < len(prod.signal_rules) else []
    for k, rule in rules:
        value = np.nan if req.signals is None else float(req.signals[i, k])
        applied = bool(rule.holds(np.array([value]))[0])
        out.append(
            {
                "component": "operating_signal",
                "signal": rule.signal,
                "value": _show_signal(rule.signal, value),
                "condition": rule.condition() + (" (or unknown)" if rule.when_unknown else ""),
                "applied": "yes" if applied else "no",
                "points": f"{rule.spread if applied else 0.0:.4f}",
            }
        )
    return out


def _placeholders(template: str) -> list[str]:
    """The `{names}` a rule's fix sentence fills in."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def explain(status: npt.NDArray[np.int8], product: dict[str, Any]) -> list[dict[str, Any]]:
    """Reasons for one pair: every rule's answer, and what would change a "not met"."""
    out: list[dict[str, Any]] = []
    labels = {MET: "met", NOT_MET: "not_met", UNKNOWN: "unknown"}
    fmt = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in product.items()}
    for rule, s in zip(RULES, status.tolist(), strict=True):
        item: dict[str, Any] = {"rule": rule.code, "status": labels[int(s)], "check": rule.description}
        if s == NOT_MET:
            try:
                item["would_change_it"] = rule.fix.format(**fmt)
            except (KeyError, IndexError):
                item["would_change_it"] = rule.fix
            # The figures the sentence names, so a reader can say it in another language by rule code.
            item["values"] = {n: str(fmt.get(n, "")) for n in _placeholders(rule.fix)}
        out.append(item)
    return out
