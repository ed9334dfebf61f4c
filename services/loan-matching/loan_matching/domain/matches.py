"""Matches: ranking a request against every live product, proposing banks in turn, decline and expiry.

No HTTP here; callers own the unit of work (these functions only flush).
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.tables import Enterprise, FinancingRequest, Match, Outcome
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.quota_room import product_rows
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import NOT_MET, build_products, build_requests, explain, explain_rate
from loan_matching.domain.statuses import (
    ACTIVE_MATCH,
    DECIDING_REQUEST,
    OPEN_REQUEST,
    MatchStatus,
    OutcomeSource,
    RequestStatus,
)
from loan_matching.settings import Settings
from smefin.auth import Principal, Role
from smefin.contracts import financing as ev
from smefin.db import utcnow
from smefin.errors import Conflict
from smefin.outbox import Outbox


def add_business_days(start: datetime, days: int) -> datetime:
    """`days` business days (Mon-Fri) after `start`."""
    out = start
    while days > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            days -= 1
    return out


def request_row(r: FinancingRequest, e: Enterprise | None) -> dict[str, Any]:
    """A request joined with its enterprise projection."""
    d: dict[str, Any] = {c: getattr(r, c) for c in FinancingRequest.model_fields}
    if e is not None:
        d |= {c: getattr(e, c) for c in Enterprise.model_fields if c not in ("uscc", "updated_at")}
    return d


def record_outcome(session: AsyncSession, m: Match, label: int, source: OutcomeSource) -> None:
    """A training label for the model."""
    session.add(Outcome(match_id=m.id, source=source, label=label, features=m.features))


async def run_matching(
    *,
    session: AsyncSession,
    outbox: Outbox,
    request: FinancingRequest,
    model: MatchingModel,
    settings: Settings,
) -> dict[str, Any]:
    """Rank every live product for the request, store the best product per bank, propose the top banks."""
    req = request
    if req.status not in OPEN_REQUEST:
        raise Conflict(f"request is {req.status}; only an open request can be matched")
    ent = (await repo.enterprises(session, [req.uscc])).get(req.uscc)
    products = await repo.live_products(session)
    existing = {m.product_id: m for m in await repo.matches_of(session, req.id)}
    # A re-match replaces the queue but keeps what banks have already seen.
    for m in existing.values():
        if m.status == MatchStatus.QUEUED:
            await session.delete(m)
    await session.flush()
    decided_banks = {m.bank_org_id for m in existing.values() if m.status != MatchStatus.QUEUED}
    # New matches rank after those banks have seen, so proposal order stays best-first.
    ranked_before = max((m.rank for m in existing.values() if m.status != MatchStatus.QUEUED), default=0)
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
                rank=ranked_before + len(created) + 1,
                probability=Decimal(f"{ranked.probability[0, j]:.6f}"),
                indicative_rate=Decimal(f"{ranked.rate[0, j]:.4f}"),
                expected_value=Decimal(f"{ranked.expected_value[0, j]:.2f}"),
                reasons=explain(ranked.status[0, j], prows[j]),
                rate_explanation=explain_rate(ranked.req, 0, ranked.prod, int(j)),
                features=[round(float(x), 6) for x in ranked.features[j]],
                model_version=model.version,
            )
            if p.id in existing and existing[p.id].status != MatchStatus.QUEUED:
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
                    "fix_values": [r.get("values", {}) for r in why],
                }
            )
    req.misses = misses
    req.matched_at = utcnow()
    req.status = RequestStatus.MATCHED if created or decided_banks else RequestStatus.NO_MATCH
    await session.flush()
    proposed = await propose_next(session=session, outbox=outbox, request=req, settings=settings)
    return {
        "matches": len(created),
        "proposed": proposed,
        "misses": len(misses),
        "model_version": model.version,
    }


async def propose_next(
    *, session: AsyncSession, outbox: Outbox, request: FinancingRequest, settings: Settings
) -> int:
    """Keep `proposal_width` banks deciding on the request: propose queued matches in rank order."""
    if request.status not in DECIDING_REQUEST:
        return 0
    matches = await repo.matches_of(session, request.id)
    active = sum(m.status in ACTIVE_MATCH for m in matches)
    n = 0
    for m in matches:
        if active >= settings.proposal_width:
            break
        if m.status == MatchStatus.QUEUED:
            await propose(session=session, outbox=outbox, match=m, settings=settings)
            active += 1
            n += 1
    return n


async def propose(*, session: AsyncSession, outbox: Outbox, match: Match, settings: Settings) -> None:
    """Tell the bank (match.proposed) and start its decision clock."""
    m = match
    m.status = MatchStatus.PROPOSED
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


async def readable_match(
    *, session: AsyncSession, principal: Principal, match_id: uuid.UUID, lock: bool = False
) -> tuple[Match, FinancingRequest]:
    """A match the caller may see, with its request."""
    m = await access.get_readable(session, Match, principal, match_id, lock=lock)
    r = await session.get(FinancingRequest, m.request_id, with_for_update=lock)
    assert r is not None  # a foreign key
    return m, r


async def match_view(
    *, session: AsyncSession, principal: Principal, match: Match, request: FinancingRequest
) -> dict[str, Any]:
    """The match with the requester profile the caller may see: a bank learns who asked only once
    its offer is accepted or the SME consented."""
    e = await session.get(Enterprise, request.uscc)
    requester: dict[str, Any] = {"anonymous": True}
    if e is not None:
        requester |= {
            "league_code": e.league_code,
            "industry": e.industry,
            "size_class": e.size_class,
            "grade": e.grade,
        }
    identified = (
        principal.role != Role.BANK
        or await repo.accepted_with(session, request.id, principal.org_id)
        or (await repo.live_consent(session, request.uscc, principal.org_id, utcnow()))
    )
    if identified:
        requester |= {"anonymous": False, "uscc": request.uscc, "name": e.name if e else None}
    fields = {c: getattr(match, c) for c in Match.model_fields}
    return fields | {"amount": request.amount, "term_months": request.term_months, "requester": requester}


async def drop_match(
    *,
    session: AsyncSession,
    outbox: Outbox,
    match: Match,
    request: FinancingRequest,
    settings: Settings,
    reason: str | None,
) -> None:
    """Decline (with a reason) or expire (reason None) a proposed match; the next-best bank moves up."""
    m, req = match, request
    if m.status != MatchStatus.PROPOSED:
        raise Conflict(f"match is {m.status}; only a proposed match can be declined")
    if reason is None:
        m.status = MatchStatus.EXPIRED
        await outbox.add(
            session,
            ev.MatchExpired(match_id=m.id, request_id=req.id, bank_org_id=m.bank_org_id),
            subject=str(req.id),
        )
        record_outcome(session, m, 0, OutcomeSource.MATCH_EXPIRED)
    else:
        m.status = MatchStatus.DECLINED
        await outbox.add(
            session,
            ev.OfferDeclined(request_id=req.id, match_id=m.id, bank_org_id=m.bank_org_id, reason=reason),
            subject=str(req.id),
        )
        record_outcome(session, m, 0, OutcomeSource.OFFER_DECLINED)
    await session.flush()
    await propose_next(session=session, outbox=outbox, request=req, settings=settings)


async def decline(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    match_id: uuid.UUID,
    settings: Settings,
    reason: str,
) -> tuple[Match, FinancingRequest]:
    """The bank declines a proposal with a reason; the next-best bank is proposed."""
    principal.require(Role.BANK)
    m, r = await readable_match(session=session, principal=principal, match_id=match_id, lock=True)
    await drop_match(session=session, outbox=outbox, match=m, request=r, settings=settings, reason=reason)
    return m, r


async def expire_due(*, session: AsyncSession, outbox: Outbox, settings: Settings, as_of: datetime) -> int:
    """Expire every proposal past its decision deadline; each request moves to its next-best bank."""
    due = await repo.due_matches(session, as_of)
    for m in due:
        r = await session.get(FinancingRequest, m.request_id)
        assert r is not None  # a foreign key
        await drop_match(session=session, outbox=outbox, match=m, request=r, settings=settings, reason=None)
    return len(due)
