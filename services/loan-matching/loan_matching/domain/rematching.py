"""Re-matching: a product published, edited or withdrawn re-evaluates the open requests it could serve.

Publishing and editing arrive as events (`product.published`, `product.updated`) consumed by this
service, so a bank's call stays quick however many requests are open; the requests the product is
eligible for (or already queued on) are ranked again, and each bank's new best product is proposed in
turn. A withdrawal lapses the product's open proposals at once, with a reason, and the next-best bank
moves up.
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import FinancingRequest, Product
from loan_matching.domain.matches import propose_next, request_row, run_matching
from loan_matching.domain.matching_model import MatchingModel
from loan_matching.domain.quota_room import product_rows
from loan_matching.domain.scoring import build_products, build_requests, eligibility
from loan_matching.domain.statuses import (
    ACTIVE_MATCH,
    OPEN_REQUEST,
    MatchStatus,
    ProductStatus,
    RequestStatus,
)
from loan_matching.settings import Settings
from smefin.contracts import financing as ev
from smefin.outbox import Outbox


async def rematch_for_product(
    *,
    session: AsyncSession,
    outbox: Outbox,
    product_id: uuid.UUID,
    model: MatchingModel,
    settings: Settings,
) -> int:
    """Match again every open request the product could now serve; returns how many were re-ranked."""
    p = await session.get(Product, product_id)
    if p is None or p.status != ProductStatus.PUBLISHED:
        return 0  # withdrawn again before the event was consumed
    requests = await repo.open_requests(session, settings.rematch_max_requests)
    if not requests:
        return 0
    ents = await repo.enterprises(session, [r.uscc for r in requests])
    [prow] = await product_rows(session, [p])
    eligible, _ = eligibility(
        build_requests([request_row(r, ents.get(r.uscc)) for r in requests]), build_products([prow])
    )
    queued_on = await repo.requests_queued_on(session, p.id)
    candidates = [r.id for i, r in enumerate(requests) if eligible[i, 0] or r.id in queued_on]
    n = 0
    for rid in candidates:  # in submission order, as an assignment round locks them
        r = await session.get(FinancingRequest, rid, with_for_update=True, populate_existing=True)
        if r is None or r.status not in OPEN_REQUEST:
            continue
        await run_matching(session=session, outbox=outbox, request=r, model=model, settings=settings)
        n += 1
    return n


async def lapse_product_matches(
    *, session: AsyncSession, outbox: Outbox, product: Product, settings: Settings
) -> int:
    """A withdrawn product's queued and proposed matches lapse with a reason; the next bank moves up."""
    reason = f"the bank withdrew product {product.name!r} before deciding"
    lapsed = 0
    for m in await repo.open_matches_of_product(session, product.id):
        was_proposed = m.status == MatchStatus.PROPOSED
        m.status, m.status_reason = MatchStatus.WITHDRAWN, reason
        if not was_proposed:
            continue  # a queued match was never shown to the bank
        lapsed += 1
        await outbox.add(
            session,
            ev.MatchWithdrawn(
                match_id=m.id,
                request_id=m.request_id,
                product_id=product.id,
                bank_org_id=m.bank_org_id,
                reason=reason,
            ),
            subject=str(m.request_id),
        )
        await session.flush()
        r = await session.get(FinancingRequest, m.request_id, with_for_update=True)
        assert r is not None  # a foreign key
        await propose_next(session=session, outbox=outbox, request=r, settings=settings)
        others = await repo.matches_of(session, r.id)
        if r.status == RequestStatus.MATCHED and not any(
            x.status in (MatchStatus.QUEUED, *ACTIVE_MATCH) for x in others
        ):
            r.status, r.status_reason = RequestStatus.NO_MATCH, f"its only open match lapsed: {reason}"
    return lapsed


def product_facts(p: Product) -> dict[str, object]:
    """What every product event carries."""
    return {"product_id": p.id, "bank_org_id": p.bank_org_id, "version": p.version}
