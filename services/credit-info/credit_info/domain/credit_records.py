"""Credit records (信用记录): one provider record checked and stored, the rating following."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import CreditRecord, Enterprise
from credit_info.domain.operating_signals import SIGNAL_SOURCES, publish_signals
from credit_info.domain.periods import frequency_for
from credit_info.domain.ratings import recompute_rating
from credit_info.domain.records import (
    FieldProblem,
    OperatingPayload,
    RecordInput,
    dedupe_key,
    parse_payload,
    validation_problems,
)
from smefin.auth import Principal, Role
from smefin.db import utcnow
from smefin.errors import Conflict, NotFound, Unprocessable
from smefin.outbox import Outbox
from smefin.reference import InvalidUscc, parse_uscc


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
        expected = frequency_for(ent.revenue).value
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
            "payload": payload.model_dump(mode="json", exclude_none=True),
            "ref": item.ref,
            "dedupe_key": dedupe_key(uscc, item.source, item.occurred_on, item.ref, payload),
            "provider": provider,
            "batch_id": batch_id,
            "created_at": utcnow(),
        }
    )


async def add_record(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, raw: dict[str, Any]
) -> CreditRecord:
    """Store one record from a data provider (service role) or the office; the rating is recomputed."""
    principal.require(Role.SERVICE, Role.OFFICE)
    known = await repo.enterprises_known(session, [str(raw["uscc"]).strip().upper()])
    checked = check_record(raw, known, provider=principal.org_id[:100])
    if not isinstance(checked, CheckedRecord):
        problems = [p.model_dump() for p in checked]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise Unprocessable(f"invalid record: {summary}", details=problems)
    record_id = await repo.insert_record_if_new(session, checked.values)
    if record_id is None:
        raise Conflict("this record is already stored (same source, date and reference or content)")
    await recompute_rating(session, outbox, checked.values["uscc"])
    if checked.values["source"] in SIGNAL_SOURCES:
        await publish_signals(session, outbox, checked.values["uscc"])
    record = await repo.get_record(session, record_id)
    if record is None:  # inserted in this transaction, so only a concurrent purge could hide it
        raise NotFound(f"record {record_id} vanished")
    return record
