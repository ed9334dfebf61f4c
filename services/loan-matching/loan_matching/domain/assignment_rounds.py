"""Assignment rounds: the office spreads open requests over live products under quotas (exact solver)."""

import uuid
from decimal import Decimal
from typing import Any

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import access
from loan_matching.db import repositories as repo
from loan_matching.db.access import MANAGERS
from loan_matching.db.tables import AssignmentRound, Match
from loan_matching.domain.assignment import BankQuotas, solve
from loan_matching.domain.matches import propose, request_row
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.products import product_rows
from loan_matching.domain.ranking import rank_grid
from loan_matching.domain.scoring import build_products, build_requests, explain, explain_rate
from loan_matching.domain.statuses import MatchSource, MatchStatus, RequestStatus
from loan_matching.settings import Settings
from smefin.auth import Principal
from smefin.contracts import financing as ev
from smefin.outbox import Outbox


def bank_quotas(prows: list[dict[str, Any]]) -> BankQuotas:
    """Each product's bank and each bank's quota room, as the solver takes them."""
    banks = sorted({d["bank_org_id"] for d in prows})
    index = {b: i for i, b in enumerate(banks)}
    count, amount = np.full(len(banks), np.inf), np.full(len(banks), np.inf)
    for d in prows:
        i = index[d["bank_org_id"]]
        if d["bank_quota_left_count"] is not None:
            count[i] = d["bank_quota_left_count"]
        if d["bank_quota_left_amount"] is not None:
            amount[i] = float(d["bank_quota_left_amount"])
    return BankQuotas(np.array([index[d["bank_org_id"]] for d in prows], dtype=np.intp), count, amount)


async def assignment_round(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    model: MatchingModel,
    settings: Settings,
    limit: int,
) -> AssignmentRound:
    """Spread open requests over live products under quotas (exact), and propose the assigned pairs."""
    principal.require(*MANAGERS)
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
            banks=bank_quotas(prows),
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
                rate_explanation=explain_rate(ranked.req, i, ranked.prod, j),
                features=[round(float(x), 6) for x in ranked.features[i * len(products) + j]],
                model_version=model.version,
                source=MatchSource.ROUND,
            )
            session.add(m)
            await session.flush()
        if r.status in (RequestStatus.SUBMITTED, RequestStatus.NO_MATCH):
            r.status = RequestStatus.MATCHED
        if m.status == MatchStatus.QUEUED:
            await propose(session=session, outbox=outbox, match=m, settings=settings)
    rnd = AssignmentRound(
        requested_by=principal.org_id,
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


async def get_round(*, session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> AssignmentRound:
    """A past round (the office's and the platform's)."""
    principal.require(*MANAGERS)
    return await access.get_readable(session, AssignmentRound, principal, round_id)
