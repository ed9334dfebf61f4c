"""Which events loan-matching consumes, and what it does with each."""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import (
    Consent,
    Enterprise,
    FinancingRequest,
    GuaranteeCapacity,
    Match,
    Offer,
    Outcome,
    messaging,
)
from loan_matching.domain import credit_lines
from loan_matching.domain.matches import record_outcome, run_matching
from loan_matching.domain.matching_model import MatchingModel, load_model
from loan_matching.domain.offers import guarantee_cancelled, guarantee_result
from loan_matching.domain.rematching import rematch_for_product
from loan_matching.domain.statuses import OutcomeSource, RequestStatus
from loan_matching.settings import Settings
from smefin.consumer import Handler, PermanentError
from smefin.contracts import Envelope, Topic, fairs
from smefin.contracts import enterprises as ent
from smefin.contracts import financing as fin
from smefin.contracts import guarantees as gua
from smefin.db import utcnow
from smefin.outbox import Outbox

CONSUMED_TOPICS: list[str] = [Topic.ENTERPRISES, Topic.FINANCING, Topic.GUARANTEES, Topic.FAIRS]
OUTBOX = Outbox(messaging.outbox, source="loan-matching")


async def _offer(session: AsyncSession, offer_id: uuid.UUID) -> tuple[Offer, FinancingRequest] | None:
    o = await session.get(Offer, offer_id, with_for_update=True)
    if o is None:
        return None  # a guarantee for another platform's offer
    r = await session.get(FinancingRequest, o.request_id, with_for_update=True)
    assert r is not None  # a foreign key
    return o, r


def make_handlers(settings: Settings, model: MatchingModel | None = None) -> dict[str, Handler]:
    """Handlers bound to the service's settings (proposal width, deadlines) and matching model."""

    def _model() -> MatchingModel:
        return model or load_model()

    async def on_profile(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Upsert the enterprise projection (ratings are kept)."""
        assert isinstance(p, ent.EnterpriseProfile)
        await repo.upsert_enterprise(session, p.model_dump(include=set(Enterprise.model_fields)))

    async def on_rating(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Keep the latest grade, score and PD on the projection."""
        assert isinstance(p, ent.RatingChanged)
        e = await session.get(Enterprise, p.uscc)
        if e is None:
            raise PermanentError(f"rating for {p.uscc}, which no enterprise event introduced")
        e.grade, e.score, e.probability_of_default = p.grade, p.score, p.probability_of_default
        e.rating_model_version, e.updated_at = p.model_version, utcnow()
        # A line granted at another grade goes to its bank for review (授信 follows the rating).
        await credit_lines.rating_changed(
            session=session, outbox=OUTBOX, uscc=p.uscc, grade=p.grade, previous=p.previous_grade
        )

    async def on_signals(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Keep the operating signals a bank's pricing rules may use (差别化利率)."""
        assert isinstance(p, ent.OperatingSignalsUpdated)
        e = await session.get(Enterprise, p.uscc, with_for_update=True)
        if e is None:
            raise PermanentError(f"operating signals for {p.uscc}, which no enterprise event introduced")
        if e.signals_as_of is not None and e.signals_as_of > p.as_of:
            return  # an older derivation arriving late
        e.revenue_growth_percent, e.tax_grade = p.revenue_growth_percent, p.tax_grade
        e.social_insurance_months, e.utilities_on_time_percent = (
            p.social_insurance_months,
            p.utilities_on_time_percent,
        )
        e.signals_as_of, e.updated_at = p.as_of, utcnow()

    async def on_consent(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Record a consent: the bank may now see who the requester is."""
        assert isinstance(p, ent.ConsentGranted)
        await session.merge(
            Consent(
                consent_id=p.consent_id, uscc=p.uscc, bank_org_id=p.bank_org_id, valid_until=p.valid_until
            )
        )

    async def on_consent_revoked(session: AsyncSession, env: Envelope, p: Any) -> None:
        """A revoked consent hides the requester again."""
        assert isinstance(p, ent.ConsentRevoked)
        c = await session.get(Consent, p.consent_id)
        if c is not None:
            c.revoked = True

    async def on_submitted(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Matching is driven by the submission event."""
        assert isinstance(p, fin.FinancingRequestSubmitted)
        r = await session.get(FinancingRequest, p.request_id, with_for_update=True)
        if r is None or r.status != RequestStatus.SUBMITTED:
            return  # matched on demand already, or withdrawn
        await run_matching(session=session, outbox=OUTBOX, request=r, model=_model(), settings=settings)

    async def on_product(session: AsyncSession, env: Envelope, p: Any) -> None:
        """A product published or edited: the open requests it could serve are matched again."""
        assert isinstance(p, fin.ProductPublished | fin.ProductUpdated)
        await rematch_for_product(
            session=session, outbox=OUTBOX, product_id=p.product_id, model=_model(), settings=settings
        )

    async def _settle(
        session: AsyncSession, offer_id: uuid.UUID, guarantee_id: uuid.UUID | None, reason: str | None
    ) -> None:
        if found := await _offer(session, offer_id):
            o, r = found
            await guarantee_result(
                session=session,
                outbox=OUTBOX,
                offer=o,
                request=r,
                settings=settings,
                guarantee_id=guarantee_id,
                reason=reason,
            )

    async def on_guarantee_issued(session: AsyncSession, env: Envelope, p: Any) -> None:
        """The guarantee completes the accepted offer."""
        assert isinstance(p, gua.GuaranteeIssued)
        await _settle(session, p.offer_id, p.guarantee_id, None)

    async def on_guarantee_refused(session: AsyncSession, env: Envelope, p: Any) -> None:
        """A refused guarantee fails the offer with the reason."""
        assert isinstance(p, gua.GuaranteeRefused)
        await _settle(session, p.offer_id, None, p.reason)

    async def on_guarantee_cancelled(session: AsyncSession, env: Envelope, p: Any) -> None:
        """A guarantee cancelled as issued in error fails an offer not yet paid out."""
        assert isinstance(p, gua.GuaranteeCancelled)
        if found := await _offer(session, p.offer_id):
            o, r = found
            await guarantee_cancelled(
                session=session, outbox=OUTBOX, offer=o, request=r, settings=settings, reason=p.reason
            )

    async def on_capacity(session: AsyncSession, env: Envelope, p: Any) -> None:
        """Keep each guarantee company's room for the capacity rule."""
        assert isinstance(p, gua.CapacityChanged)
        await session.merge(
            GuaranteeCapacity(
                company_id=p.company_id,
                remaining=p.remaining,
                single_client_limit=p.single_client_limit,
                loan_room=p.loan_room,
                updated_at=utcnow(),
            )
        )

    async def on_intention(session: AsyncSession, env: Envelope, p: Any) -> None:
        """A fair intention is a positive label for the match the pair came from (the latest match of
        that SME with that bank for a pair set by hand, or an event older than the field)."""
        assert isinstance(p, fairs.IntentionSigned)
        m = await session.get(Match, p.match_id) if p.match_id is not None else None
        if m is None or m.bank_org_id != p.bank_org_id:
            m = await repo.latest_match_for(session, p.uscc, p.bank_org_id)
        if m is not None:
            record_outcome(session, m, 1, OutcomeSource.INTENTION_SIGNED)
        else:
            session.add(Outcome(source=OutcomeSource.INTENTION_SIGNED, label=1, features=[]))

    return {
        "enterprise.registered": on_profile,
        "enterprise.updated": on_profile,
        "rating.changed": on_rating,
        "operating_signals.updated": on_signals,
        "consent.granted": on_consent,
        "consent.revoked": on_consent_revoked,
        "financing_request.submitted": on_submitted,
        "product.published": on_product,
        "product.updated": on_product,
        "guarantee.issued": on_guarantee_issued,
        "guarantee.refused": on_guarantee_refused,
        "guarantee.cancelled": on_guarantee_cancelled,
        "capacity.changed": on_capacity,
        "intention.signed": on_intention,
    }
