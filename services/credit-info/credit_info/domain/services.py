"""credit-info service functions: records, re-rating, consents and the credit report."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import ConsentEntry, CreditRecord, Enterprise, Rating
from credit_info.domain.rating_model import EnterpriseView, RatingResult, RecordView, load_model
from credit_info.domain.records import (
    DESIGNATED_SIZE_REVENUE,
    REPORT_SECTIONS,
    CreditSource,
    FieldProblem,
    OperatingPayload,
    RecordInput,
    dedupe_key,
    parse_payload,
    validation_problems,
)
from smefin.contracts.enterprises import EnterpriseProfile, RatingChanged
from smefin.db import utcnow
from smefin.outbox import Outbox
from smefin.reference import InvalidUscc, county, league, parse_uscc


def profile(ent: Enterprise) -> dict[str, Any]:
    """The enterprise as the event contracts carry it."""
    return EnterpriseProfile(
        uscc=ent.uscc,
        name=ent.name,
        league_code=ent.league_code,
        county_code=ent.county_code,
        industry=ent.industry,
        employees=ent.employees,
        revenue=ent.revenue,
        assets=ent.assets,
        size_class=ent.size_class,
        growth_programme=ent.growth_programme,
        cluster=ent.cluster,
    ).model_dump()


@dataclass
class CheckedRecord:
    """A record input that passed every check, ready to insert."""

    values: dict[str, Any]


def check_record(
    raw: Any, enterprises: dict[str, Enterprise], *, provider: str, batch_id: str | None = None
) -> CheckedRecord | list[FieldProblem]:
    """Validate one provider record: shape, USCC, source payload, registration, reporting frequency."""
    try:
        item = RecordInput.model_validate(raw)
    except ValidationError as exc:
        return validation_problems(exc)
    try:
        uscc = parse_uscc(item.uscc).code
    except InvalidUscc as exc:
        return [FieldProblem(field="uscc", message=str(exc))]
    try:
        payload = parse_payload(item.source, item.payload)
    except ValidationError as exc:
        return validation_problems(exc, "payload.")
    ent = enterprises.get(uscc)
    if ent is None:
        return [FieldProblem(field="uscc", message=f"enterprise {uscc} is not registered")]
    if isinstance(payload, OperatingPayload):
        expected = "monthly" if ent.revenue >= DESIGNATED_SIZE_REVENUE else "quarterly"
        if payload.frequency != expected:
            why = "above" if expected == "monthly" else "below"
            return [
                FieldProblem(
                    field="payload.frequency",
                    message=f"enterprise is {why} designated size (规模以上 = revenue ≥ 2000 万元); "
                    f"it reports {expected}",
                )
            ]
    return CheckedRecord(
        {
            "uscc": uscc,
            "source": item.source,
            "occurred_on": item.occurred_on,
            "negative": payload.is_negative(),
            "payload": payload.model_dump(mode="json"),
            "ref": item.ref,
            "dedupe_key": dedupe_key(uscc, item.source, item.occurred_on, item.ref, payload),
            "provider": provider,
            "batch_id": batch_id,
            "created_at": utcnow(),
        }
    )


def record_view(r: CreditRecord) -> RecordView:
    """What the model reads of a stored record."""
    return RecordView(CreditSource(r.source).value, r.occurred_on, r.negative, r.payload)


async def recompute_rating(
    session: AsyncSession, outbox: Outbox, uscc: str, today: date | None = None
) -> Rating | None:
    """Re-rate an enterprise from its live records; publish rating.changed when grade or score moved."""
    return (await recompute_ratings(session, outbox, [uscc], today)).get(uscc)


async def recompute_ratings(
    session: AsyncSession, outbox: Outbox, usccs: Sequence[str], today: date | None = None
) -> dict[str, Rating]:
    """Re-rate many enterprises in one pass: three queries, one array pass of the scorecard.

    Publishes rating.changed for each whose grade or score moved. Unknown USCCs are skipped.
    """
    today = today or date.today()
    ents = await repo.enterprises_for_rating(session, usccs)
    if not ents:
        return {}
    found = [e.uscc for e in ents]
    records = await repo.live_records_of_many(session, found, today=today)
    currents = await repo.ratings_of(session, found)
    views = [
        EnterpriseView(e.employees, e.revenue, e.assets, [record_view(r) for r in records[e.uscc]])
        for e in ents
    ]
    out: dict[str, Rating] = {}
    for ent, result in zip(ents, load_model().rate_many(views), strict=True):
        out[ent.uscc] = await _store_rating(session, outbox, ent.uscc, result, currents.get(ent.uscc))
    await session.flush()
    return out


async def _store_rating(
    session: AsyncSession, outbox: Outbox, uscc: str, result: RatingResult, current: Rating | None
) -> Rating:
    reasons = [
        {"code": r.code, "message": r.message, "value": r.value, "impact": r.impact} for r in result.reasons
    ]
    pd_ = Decimal(str(result.probability_of_default)).quantize(Decimal("0.000001"))
    previous_grade = current.grade if current else None
    previous_score = current.score if current else None
    changed = current is None or current.grade != result.grade or current.score != result.score
    if current is None:
        current = Rating(uscc=uscc, score=0, probability_of_default=pd_, grade="", model_version="")
    current.score, current.grade, current.probability_of_default = result.score, result.grade, pd_
    current.reasons, current.model_version, current.computed_at = reasons, result.model_version, utcnow()
    session.add(current)
    if changed:
        await outbox.add(
            session,
            RatingChanged(
                uscc=uscc,
                score=result.score,
                probability_of_default=pd_,
                grade=result.grade,
                previous_grade=previous_grade,
                previous_score=previous_score,
                model_version=result.model_version,
                reasons=[r["code"] for r in reasons],
            ),
            subject=uscc,
        )
    return current


async def rerate_aged(session: AsyncSession, outbox: Outbox, today: date | None = None) -> list[str]:
    """Re-rate enterprises a negative record has aged out of since they were last rated."""
    today = today or date.today()
    usccs = list(await repo.usccs_with_newly_aged_records(session, today))
    await recompute_ratings(session, outbox, usccs, today)
    return usccs


@dataclass(frozen=True)
class ConsentState:
    """A consent folded from its ledger rows."""

    consent_id: uuid.UUID
    uscc: str
    bank_org_id: str
    purpose: str
    valid_until: datetime
    granted_at: datetime
    revoked_at: datetime | None

    def live(self, at: datetime) -> bool:
        """Granted, not revoked, not expired."""
        return self.revoked_at is None and self.valid_until > at

    def status(self, at: datetime) -> str:
        """granted / revoked / expired."""
        if self.revoked_at is not None:
            return "revoked"
        return "granted" if self.valid_until > at else "expired"


def fold_consents(entries: Sequence[ConsentEntry]) -> list[ConsentState]:
    """Fold the append-only ledger into one state per consent."""
    grants = {e.consent_id: e for e in entries if e.action == "granted"}
    revokes = {e.consent_id: e.recorded_at for e in entries if e.action == "revoked"}
    return [
        ConsentState(
            g.consent_id, g.uscc, g.bank_org_id, g.purpose, g.valid_until, g.recorded_at, revokes.get(cid)
        )
        for cid, g in grants.items()
    ]


def choose_consent(states: Sequence[ConsentState], purpose: str | None, at: datetime) -> ConsentState | None:
    """A live consent covering the purpose (any live one when no purpose is given)."""
    live = [s for s in states if s.live(at)]
    if purpose is not None:
        live = [s for s in live if s.purpose.casefold() == purpose.strip().casefold()]
    return max(live, key=lambda s: s.valid_until) if live else None


def record_dict(r: CreditRecord, disputed: dict[uuid.UUID, uuid.UUID]) -> dict[str, Any]:
    """A record as the report shows it."""
    return {
        "id": str(r.id),
        "source": CreditSource(r.source).value,
        "occurred_on": r.occurred_on.isoformat(),
        "negative": r.negative,
        "payload": r.payload,
        "provider": r.provider,
        "disputed": r.id in disputed,
        "dispute_id": str(disputed[r.id]) if r.id in disputed else None,
    }


async def build_report(session: AsyncSession, ent: Enterprise, lookup: dict[str, Any]) -> dict[str, Any]:
    """The credit report (信用报告) of an enterprise as a JSON-able dict."""
    today = date.today()
    records = await repo.records_of(session, ent.uscc, today=today)
    disputes = await repo.disputes_of(session, ent.uscc, open_only=True)
    disputed = {d.record_id: d.id for d in disputes}
    rating = await repo.get_rating(session, ent.uscc)
    sections: dict[str, list[dict[str, Any]]] = {name: [] for name in REPORT_SECTIONS}
    where = {src: name for name, sources in REPORT_SECTIONS.items() for src in sources}
    for r in records:
        sections[where[CreditSource(r.source)]].append(record_dict(r, disputed))
    basic = profile(ent) | {
        "league_name": league(ent.league_code).name,
        "county_name": county(ent.county_code).name if ent.county_code else None,
        "size_standard_row": ent.size_standard_row,
        "size_reasons": ent.size_reasons,
        "registered_at": ent.created_at.isoformat(),
    }
    return {
        "report_id": str(uuid.uuid4()),
        "generated_at": utcnow().isoformat(),
        "uscc": ent.uscc,
        "basic_info": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in basic.items()},
        **sections,
        "disputes": [
            {
                "id": str(d.id),
                "record_id": str(d.record_id),
                "reason": d.reason,
                "status": d.status,
                "opened_at": d.created_at.isoformat(),
            }
            for d in disputes
        ],
        "rating": rating_dict(rating),
        "negative_records_aged_out": await repo.count_aged_out(session, ent.uscc, today),
        "lookup": lookup,
    }


def rating_dict(rating: Rating | None) -> dict[str, Any] | None:
    """A rating as JSON."""
    if rating is None:
        return None
    return {
        "uscc": rating.uscc,
        "score": rating.score,
        "probability_of_default": str(rating.probability_of_default),
        "grade": rating.grade,
        "reasons": rating.reasons,
        "model_version": rating.model_version,
        "computed_at": rating.computed_at.isoformat(),
    }
