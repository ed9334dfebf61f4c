"""Which events loan-matching consumes, and what it does with each."""

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.db import repositories as repo
from loan_matching.db.tables import (
    Consent,
    Enterprise,
    FinancingRequest,
    GuaranteeCapacity,
    Offer,
    Outcome,
    messaging,
)
from loan_matching.domain.matching_model import load_model
from loan_matching.domain.workflow import guarantee_cancelled, guarantee_result, record_outcome, run_matching
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
_settings: list[Settings] = []


def configure(settings: Settings) -> None:
    """Give handlers the running app's settings (proposal width, deadlines)."""
    _settings[:] = [settings]


def settings() -> Settings:
    """The settings handlers use."""
    return _settings[0] if _settings else Settings()


async def on_profile(session: AsyncSession, env: Envelope, p: ent.EnterpriseProfile) -> None:
    """Upsert the enterprise projection (ratings are kept)."""
    values = p.model_dump(include=set(Enterprise.model_fields)) | {"updated_at": utcnow()}
    t = Enterprise.__table__  # type: ignore[attr-defined]
    await session.execute(
        insert(t).values(**values).on_conflict_do_update(index_elements=["uscc"], set_=values)
    )


async def on_rating(session: AsyncSession, env: Envelope, p: ent.RatingChanged) -> None:
    """Keep the latest grade, score and PD on the projection."""
    e = await session.get(Enterprise, p.uscc)
    if e is None:
        raise PermanentError(f"rating for {p.uscc}, which no enterprise event introduced")
    e.grade, e.score, e.probability_of_default = p.grade, p.score, p.probability_of_default
    e.rating_model_version, e.updated_at = p.model_version, utcnow()


async def on_consent(session: AsyncSession, env: Envelope, p: ent.ConsentGranted) -> None:
    """Record a consent: the bank may now see who the requester is."""
    await session.merge(
        Consent(consent_id=p.consent_id, uscc=p.uscc, bank_org_id=p.bank_org_id, valid_until=p.valid_until)
    )


async def on_consent_revoked(session: AsyncSession, env: Envelope, p: ent.ConsentRevoked) -> None:
    """A revoked consent hides the requester again."""
    c = await session.get(Consent, p.consent_id)
    if c is not None:
        c.revoked = True


async def on_submitted(session: AsyncSession, env: Envelope, p: fin.FinancingRequestSubmitted) -> None:
    """Matching is driven by the submission event."""
    r = await session.get(FinancingRequest, p.request_id, with_for_update=True)
    if r is None or r.status != "submitted":
        return  # matched on demand already, or withdrawn
    await run_matching(session, OUTBOX, r, load_model(), settings())


async def _offer(session: AsyncSession, offer_id: Any) -> tuple[Offer, FinancingRequest] | None:
    o = await session.get(Offer, offer_id, with_for_update=True)
    if o is None:
        return None  # a guarantee for another platform's offer
    r = await session.get(FinancingRequest, o.request_id, with_for_update=True)
    assert r is not None
    return o, r


async def on_guarantee_issued(session: AsyncSession, env: Envelope, p: gua.GuaranteeIssued) -> None:
    """The guarantee completes the accepted offer."""
    if found := await _offer(session, p.offer_id):
        await guarantee_result(session, OUTBOX, *found, settings(), guarantee_id=p.guarantee_id, reason=None)


async def on_guarantee_refused(session: AsyncSession, env: Envelope, p: gua.GuaranteeRefused) -> None:
    """A refused guarantee fails the offer with the reason."""
    if found := await _offer(session, p.offer_id):
        await guarantee_result(session, OUTBOX, *found, settings(), guarantee_id=None, reason=p.reason)


async def on_guarantee_cancelled(session: AsyncSession, env: Envelope, p: gua.GuaranteeCancelled) -> None:
    """A guarantee cancelled as issued in error fails an offer not yet paid out."""
    if found := await _offer(session, p.offer_id):
        await guarantee_cancelled(session, OUTBOX, *found, settings(), reason=p.reason)


async def on_capacity(session: AsyncSession, env: Envelope, p: gua.CapacityChanged) -> None:
    """Keep each guarantee company's room for the capacity rule."""
    await session.merge(
        GuaranteeCapacity(
            company_id=p.company_id,
            remaining=p.remaining,
            single_client_limit=p.single_client_limit,
            updated_at=utcnow(),
        )
    )


async def on_intention(session: AsyncSession, env: Envelope, p: fairs.IntentionSigned) -> None:
    """A fair intention is a positive label for the latest match of that SME with that bank."""
    m = await repo.latest_match_for(session, p.uscc, p.bank_org_id)
    if m is not None:
        record_outcome(session, m, 1, "intention_signed")
    else:
        session.add(Outcome(source="intention_signed", label=1, features=[]))


HANDLERS: dict[str, Handler] = {
    "enterprise.registered": on_profile,
    "enterprise.updated": on_profile,
    "rating.changed": on_rating,
    "consent.granted": on_consent,
    "consent.revoked": on_consent_revoked,
    "financing_request.submitted": on_submitted,
    "guarantee.issued": on_guarantee_issued,
    "guarantee.refused": on_guarantee_refused,
    "guarantee.cancelled": on_guarantee_cancelled,
    "capacity.changed": on_capacity,
    "intention.signed": on_intention,
}
