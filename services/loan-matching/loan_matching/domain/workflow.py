"""Service functions: matching, proposals, offers, guarantees, loans, rounds and lending growth.

No HTTP here; callers own the unit of work (these functions only flush).
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import (
    AssignmentRound,
    Enterprise,
    FinancingRequest,
    LendingReport,
    Match,
    Offer,
    Outcome,
    Product,
    RewardRule,
)
from loan_matching.domain.assignment import solve
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import (
    GUARANTEED_KINDS,
    NOT_MET,
    RULES,
    build_products,
    build_requests,
    explain,
)
from loan_matching.settings import Settings
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict, Unprocessable
from smefin.outbox import Outbox

ACTIVE_MATCH = ("proposed", "offered")


def add_business_days(start: datetime, days: int) -> datetime:
    """`days` business days (Mon-Fri) after `start`."""
    out = start
    while days > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            days -= 1
    return out


def period_start(period: str, now: datetime) -> datetime:
    """Start of the quota period containing `now`."""
    if period == "year":
        return datetime(now.year, 1, 1, tzinfo=UTC)
    if period == "quarter":
        return datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def product_dict(p: Product) -> dict[str, Any]:
    """A product's columns as a dict."""
    return {c: getattr(p, c) for c in Product.model_fields}


async def product_rows(session: AsyncSession, products: list[Product]) -> list[dict[str, Any]]:
    """Products with their quota room this period and best guarantee capacity."""
    now = utcnow()
    used = await repo.quota_used(session, {p.id: period_start(p.quota_period, now) for p in products})
    caps = await repo.capacities(session)
    rows = []
    for p in products:
        d = product_dict(p)
        n, a = used.get(p.id, (0, Decimal(0)))
        d["quota_left_count"] = None if p.quota_count is None else p.quota_count - n
        d["quota_left_amount"] = None if p.quota_amount is None else p.quota_amount - a
        accepted = [caps[c] for c in (p.accepted_guarantee_company_ids or caps.keys()) if c in caps]
        d["guarantee_capacity"] = max((min(r, s) for r, s in accepted), default=None)
        rows.append(d)
    return rows


def request_row(r: FinancingRequest, e: Enterprise | None) -> dict[str, Any]:
    """A request joined with its enterprise projection."""
    d: dict[str, Any] = {c: getattr(r, c) for c in FinancingRequest.model_fields}
    if e is not None:
        d |= {c: getattr(e, c) for c in Enterprise.model_fields if c not in ("uscc", "updated_at")}
    return d


async def run_matching(
    session: AsyncSession, outbox: Outbox, req: FinancingRequest, model: MatchingModel, settings: Settings
) -> dict[str, Any]:
    """Rank every live product for the request, store the best product per bank, propose the top banks."""
    if req.status not in ("submitted", "matched", "no_match"):
        raise Conflict(f"request is {req.status}; only an open request can be matched")
    ent = (await repo.enterprises(session, [req.uscc])).get(req.uscc)
    products = await repo.live_products(session)
    existing = {m.product_id: m for m in await repo.matches_of(session, req.id)}
    # A re-match replaces the queue but keeps what banks have already seen.
    for m in existing.values():
        if m.status == "queued":
            await session.delete(m)
    await session.flush()
    decided_banks = {m.bank_org_id for m in existing.values() if m.status != "queued"}
    created: list[Match] = []
    misses: list[dict[str, Any]] = []
    if products:
        prows = await product_rows(session, products)
        ranked = rank_grid(build_requests([request_row(req, ent)]), build_products(prows), model)
        order = np.argsort(-ranked.expected_value[0], kind="stable")
        seen = set(decided_banks)
        for j in order:
            p = products[j]
            if not ranked.eligible[0, j] or p.bank_org_id in seen:
                continue
            seen.add(p.bank_org_id)
            m = Match(
                request_id=req.id,
                product_id=p.id,
                product_version=p.version,
                bank_org_id=p.bank_org_id,
                rank=len(created) + 1,
                probability=Decimal(f"{ranked.probability[0, j]:.6f}"),
                indicative_rate=Decimal(f"{ranked.rate[0, j]:.4f}"),
                expected_value=Decimal(f"{ranked.expected_value[0, j]:.2f}"),
                reasons=explain(ranked.status[0, j], prows[j]),
                features=[round(float(x), 6) for x in ranked.features[j]],
                model_version=model.version,
            )
            if p.id in existing and existing[p.id].status != "queued":
                continue
            session.add(m)
            created.append(m)
        failed = (ranked.status[0] == NOT_MET).sum(axis=-1)
        for j in np.argsort(failed, kind="stable"):
            if ranked.eligible[0, j] or len(misses) >= settings.max_misses:
                continue
            why = [r for r in explain(ranked.status[0, j], prows[j]) if r["status"] == "not_met"]
            misses.append(
                {
                    "product_id": str(products[j].id),
                    "product_name": products[j].name,
                    "bank_org_id": products[j].bank_org_id,
                    "failed_rules": [r["rule"] for r in why],
                    "would_change_it": [r["would_change_it"] for r in why],
                }
            )
    req.misses = misses
    req.matched_at = utcnow()
    req.status = "matched" if created or decided_banks else "no_match"
    await session.flush()
    proposed = await propose_next(session, outbox, req, settings)
    return {
        "matches": len(created),
        "proposed": proposed,
        "misses": len(misses),
        "model_version": model.version,
    }


async def propose_next(
    session: AsyncSession, outbox: Outbox, req: FinancingRequest, settings: Settings
) -> int:
    """Keep `proposal_width` banks deciding on the request: propose queued matches in rank order."""
    if req.status not in ("matched", "offered"):
        return 0
    matches = await repo.matches_of(session, req.id)
    active = sum(m.status in ACTIVE_MATCH for m in matches)
    n = 0
    for m in matches:
        if active >= settings.proposal_width:
            break
        if m.status == "queued":
            await propose(session, outbox, m, settings)
            active += 1
            n += 1
    return n


async def propose(session: AsyncSession, outbox: Outbox, m: Match, settings: Settings) -> None:
    """Tell the bank (match.proposed) and start its decision clock."""
    m.status = "proposed"
    m.decision_deadline = add_business_days(utcnow(), settings.decision_business_days)
    await outbox.add(
        session,
        ev.MatchProposed(
            match_id=m.id,
            request_id=m.request_id,
            product_id=m.product_id,
            bank_org_id=m.bank_org_id,
            score=m.probability,
            indicative_rate=m.indicative_rate,
            model_version=m.model_version,
        ),
        subject=str(m.request_id),
    )


def record_outcome(session: AsyncSession, m: Match, label: int, source: str) -> None:
    """A training label for the model."""
    session.add(Outcome(match_id=m.id, source=source, label=label, features=m.features))


async def make_offer(
    session: AsyncSession,
    outbox: Outbox,
    m: Match,
    req: FinancingRequest,
    product: Product,
    amount: Decimal | None,
    rate: Decimal | None,
    term: int | None,
) -> Offer:
    """The bank approves a proposed match, on the requested or on its own terms."""
    if m.status != "proposed":
        raise Conflict(f"match is {m.status}; only a proposed match can be approved")
    if m.decision_deadline is not None and m.decision_deadline < utcnow():
        raise Conflict("the decision deadline has passed; the match is being expired")
    if req.status not in ("matched", "offered"):
        raise Conflict(f"request is {req.status}")
    amount = amount if amount is not None else req.amount
    rate = rate if rate is not None else m.indicative_rate
    term = term if term is not None else req.term_months
    if not (product.min_amount <= amount <= product.max_amount):
        raise Unprocessable(
            f"amount must be within the product's range {product.min_amount}-{product.max_amount}"
        )
    guaranteed = product.requires_guarantee or product.kind in GUARANTEED_KINDS
    o = Offer(
        match_id=m.id,
        request_id=req.id,
        product_id=product.id,
        bank_org_id=m.bank_org_id,
        uscc=req.uscc,
        amount=amount,
        rate=rate,
        term_months=term,
        counter_offer=(amount != req.amount or rate != m.indicative_rate or term != req.term_months),
        guaranteed=guaranteed,
        guarantee_company_ids=list(product.accepted_guarantee_company_ids),
    )
    session.add(o)
    m.status = "offered"
    req.status = "offered"
    await session.flush()
    await outbox.add(session, ev.OfferMade(**_terms(o)), subject=str(req.id))
    return o


def _terms(o: Offer) -> dict[str, Any]:
    return {
        "offer_id": o.id,
        "request_id": o.request_id,
        "match_id": o.match_id,
        "uscc": o.uscc,
        "bank_org_id": o.bank_org_id,
        "product_id": o.product_id,
        "amount": o.amount,
        "rate": o.rate,
        "term_months": o.term_months,
        "guaranteed": o.guaranteed,
        "guarantee_company_ids": o.guarantee_company_ids,
    }


async def drop_match(
    session: AsyncSession,
    outbox: Outbox,
    m: Match,
    req: FinancingRequest,
    settings: Settings,
    *,
    reason: str | None,
) -> None:
    """Decline (with a reason) or expire (reason None) a proposed match; the next-best bank moves up."""
    if m.status != "proposed":
        raise Conflict(f"match is {m.status}; only a proposed match can be declined")
    if reason is None:
        m.status = "expired"
        await outbox.add(
            session,
            ev.MatchExpired(match_id=m.id, request_id=req.id, bank_org_id=m.bank_org_id),
            subject=str(req.id),
        )
        record_outcome(session, m, 0, "match_expired")
    else:
        m.status = "declined"
        await outbox.add(
            session,
            ev.OfferDeclined(request_id=req.id, match_id=m.id, bank_org_id=m.bank_org_id, reason=reason),
            subject=str(req.id),
        )
        record_outcome(session, m, 0, "offer_declined")
    await session.flush()
    await propose_next(session, outbox, req, settings)


async def accept_offer(session: AsyncSession, outbox: Outbox, o: Offer, req: FinancingRequest) -> None:
    """The SME takes one offer; every other offer and proposal on the request is withdrawn."""
    if o.status != "made":
        raise Conflict(f"offer is {o.status}; only a standing offer can be accepted")
    if req.status != "offered":
        raise Conflict(f"request is {req.status}; it already has an accepted offer or is closed")
    for other in await repo.offers_of(session, req.id):
        if other.id != o.id and other.status == "made":
            other.status, other.status_reason = "withdrawn", "the SME accepted another offer"
            await outbox.add(
                session,
                ev.OfferWithdrawn(
                    offer_id=other.id,
                    request_id=req.id,
                    bank_org_id=other.bank_org_id,
                    reason="the SME accepted another offer",
                ),
                subject=str(req.id),
            )
    for m in await repo.matches_of(session, req.id):
        if m.id == o.match_id:
            record_outcome(session, m, 1, "offer_accepted")
        elif m.status in ACTIVE_MATCH:
            if m.status == "offered":
                record_outcome(session, m, 0, "offer_withdrawn")
            m.status = "withdrawn"
    o.status = "pending_guarantee" if o.guaranteed else "accepted"
    o.accepted_at = utcnow()
    req.status = "pending_guarantee" if o.guaranteed else "accepted"
    product = await session.get(Product, o.product_id)
    micro = product is not None and product.kind == "startup_micro_guaranteed"
    await outbox.add(session, ev.OfferAccepted(**_terms(o), startup_micro_loan=micro), subject=str(req.id))
    if not o.guaranteed:
        await outbox.add(
            session,
            ev.OfferCompleted(offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id),
            subject=str(req.id),
        )


async def guarantee_result(
    session: AsyncSession,
    outbox: Outbox,
    o: Offer,
    req: FinancingRequest,
    settings: Settings,
    *,
    guarantee_id: uuid.UUID | None,
    reason: str | None,
) -> None:
    """guarantee.issued completes a pending offer; guarantee.refused fails it and reopens the request."""
    if o.status != "pending_guarantee":
        return  # already settled: a late or repeated answer changes nothing
    if guarantee_id is not None:
        o.status, o.guarantee_id = "accepted", guarantee_id
        req.status = "accepted"
        await outbox.add(
            session,
            ev.OfferCompleted(
                offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id, guarantee_id=guarantee_id
            ),
            subject=str(req.id),
        )
        return
    o.status, o.status_reason = "failed", f"guarantee refused: {reason}"
    req.status, req.status_reason = "matched", f"offer {o.id} failed: guarantee refused: {reason}"
    await outbox.add(
        session,
        ev.OfferFailed(offer_id=o.id, request_id=req.id, bank_org_id=o.bank_org_id, reason=o.status_reason),
        subject=str(req.id),
    )
    await session.flush()
    await propose_next(session, outbox, req, settings)


async def guarantee_cancelled(
    session: AsyncSession, outbox: Outbox, o: Offer, req: FinancingRequest, settings: Settings, *, reason: str
) -> None:
    """guarantee.cancelled: an offer not yet paid out loses its footing and fails (the request reopens);
    a loan already disbursed stands, with the cancellation noted on its offer."""
    if o.status not in repo.TAKEN_OFFER:
        return
    o.guarantee_id = None
    paid_out = await repo.loan_of_offer(session, o.id) is not None
    if paid_out or o.status not in ("accepted", "pending_guarantee"):
        o.status_reason = f"guarantee cancelled after disbursement: {reason}"
        return
    o.status = "pending_guarantee"  # so that guarantee_result settles it exactly as a refusal
    await guarantee_result(
        session, outbox, o, req, settings, guarantee_id=None, reason=f"cancelled: {reason}"
    )


async def assignment_round(
    session: AsyncSession, outbox: Outbox, model: MatchingModel, settings: Settings, *, by: str, limit: int
) -> AssignmentRound:
    """Spread open requests over live products under quotas (exact), and propose the assigned pairs."""
    requests = await repo.open_requests(session, limit, lock=True)
    products = await repo.live_products(session)
    ents = await repo.enterprises(session, [r.uscc for r in requests])
    prows = await product_rows(session, products)
    if requests and products:
        ranked = rank_grid(
            build_requests([request_row(r, ents.get(r.uscc)) for r in requests]), build_products(prows), model
        )
        ri, pj = np.nonzero(ranked.eligible)
        qc = np.array(
            [np.inf if d["quota_left_count"] is None else d["quota_left_count"] for d in prows], float
        )
        qa = np.array(
            [np.inf if d["quota_left_amount"] is None else float(d["quota_left_amount"]) for d in prows]
        )
        sol = solve(
            ri,
            pj,
            ranked.expected_value[ri, pj],
            np.array([float(r.amount) for r in requests]),
            qc,
            qa,
            n_requests=len(requests),
        )
    else:
        sol = solve(
            np.array([], int),
            np.array([], int),
            np.array([]),
            np.array([]),
            np.array([]),
            np.array([]),
            n_requests=0,
        )
    assignments = []
    for i, j in sol.pairs:
        r, p = requests[i], products[j]
        assignments.append(
            {
                "request_id": str(r.id),
                "product_id": str(p.id),
                "bank_org_id": p.bank_org_id,
                "expected_value": round(float(ranked.expected_value[i, j]), 2),
            }
        )
        existing = {m.product_id: m for m in await repo.matches_of(session, r.id)}
        m = existing.get(p.id)
        if m is None:
            m = Match(
                request_id=r.id,
                product_id=p.id,
                product_version=p.version,
                bank_org_id=p.bank_org_id,
                rank=0,
                probability=Decimal(f"{ranked.probability[i, j]:.6f}"),
                indicative_rate=Decimal(f"{ranked.rate[i, j]:.4f}"),
                expected_value=Decimal(f"{ranked.expected_value[i, j]:.2f}"),
                reasons=explain(ranked.status[i, j], prows[j]),
                features=[round(float(x), 6) for x in ranked.features[i * len(products) + j]],
                model_version=model.version,
                source="round",
            )
            session.add(m)
            await session.flush()
        if r.status in ("submitted", "no_match"):
            r.status = "matched"
        if m.status == "queued":
            await propose(session, outbox, m, settings)
    rnd = AssignmentRound(
        requested_by=by,
        requests=len(requests),
        products=len(products),
        assigned=len(sol.pairs),
        objective=Decimal(f"{sol.objective:.2f}"),
        bound=Decimal(f"{sol.bound:.2f}"),
        gap=sol.gap,
        optimality=sol.optimality,
        start_objective=None if sol.start_objective is None else Decimal(f"{sol.start_objective:.2f}"),
        solver=sol.solver,
        seconds=round(sol.seconds, 4),
        assignments=assignments,
    )
    session.add(rnd)
    await session.flush()
    await outbox.add(
        session,
        ev.AssignmentRoundCompleted(
            round_id=rnd.id,
            requests=rnd.requests,
            assigned=rnd.assigned,
            objective=rnd.objective,
            bound=rnd.bound,
        ),
        subject=str(rnd.id),
    )
    return rnd


def _growth(start: Decimal, end: Decimal) -> float | None:
    return None if start == 0 else round(float((end - start) / start * 100), 4)


def lending_growth(reports: list[LendingReport], start: str, end: str, rule: RewardRule) -> dict[str, Any]:
    """Per bank and in total: SME-loan growth vs total-loan growth (小企业信贷投放增速高于全部贷款增速), and rewards."""
    by_bank: dict[str, dict[str, LendingReport]] = {}
    for r in reports:
        by_bank.setdefault(r.bank_org_id, {})[r.month] = r
    banks = []
    tot = [Decimal(0)] * 4
    for bank, months in sorted(by_bank.items()):
        a, b = months.get(start), months.get(end)
        if a is None or b is None:
            banks.append(
                {
                    "bank_org_id": bank,
                    "complete": False,
                    "missing_months": [m for m in (start, end) if m not in months],
                }
            )
            continue
        vals = (a.sme_loan_balance, b.sme_loan_balance, a.total_loan_balance, b.total_loan_balance)
        tot = [t + v for t, v in zip(tot, vals, strict=True)]
        sme_g, all_g = _growth(vals[0], vals[1]), _growth(vals[2], vals[3])
        faster = sme_g is not None and all_g is not None and sme_g > all_g
        increment = vals[1] - vals[0]
        reward = Decimal(0)
        if increment > 0 and (faster or not rule.requires_sme_growth_above_total):
            reward = (increment * rule.rate_percent / 100).quantize(Decimal("0.01"))
            if rule.cap is not None:
                reward = min(reward, rule.cap)
        banks.append(
            {
                "bank_org_id": bank,
                "complete": True,
                "sme_loan_start": vals[0],
                "sme_loan_end": vals[1],
                "total_loan_start": vals[2],
                "total_loan_end": vals[3],
                "sme_growth_percent": sme_g,
                "total_growth_percent": all_g,
                "sme_growth_above_total": faster,
                "sme_increment": increment,
                "reward": reward,
            }
        )
    sme_g, all_g = _growth(tot[0], tot[1]), _growth(tot[2], tot[3])
    return {
        "from_month": start,
        "to_month": end,
        "rule": {
            "rate_percent": rule.rate_percent,
            "cap": rule.cap,
            "requires_sme_growth_above_total": rule.requires_sme_growth_above_total,
        },
        "banks": banks,
        "total": {
            "sme_growth_percent": sme_g,
            "total_growth_percent": all_g,
            "sme_growth_above_total": sme_g is not None and all_g is not None and sme_g > all_g,
            "sme_increment": tot[1] - tot[0],
            "rewards": sum((Decimal(str(b.get("reward", 0))) for b in banks), Decimal(0)),
        },
    }


__all__ = ["RULES"]
