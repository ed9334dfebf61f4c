"""Bulk ingestion of credit records from data providers (CSV or JSON lines), idempotent on the batch id.

Files are read by `smefin.imports` like every upload; each row is then checked on its own, so one
bad row is reported and the rest are stored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.domain.credit_records import CheckedRecord, check_record
from credit_info.domain.operating_signals import SIGNAL_SOURCES, publish_signals
from credit_info.domain.ratings import recompute_rating
from credit_info.domain.records import FieldProblem
from smefin.auth import Principal, Role
from smefin.errors import Conflict, Forbidden, NotFound
from smefin.imports import Format, format_of, read_rows
from smefin.outbox import Outbox
from smefin.reference import normalize_uscc

CSV_FIXED = ("uscc", "source", "occurred_on", "ref")


def parse_rows(body: bytes, fmt: Format, max_rows: int = 1_000_000) -> list[dict[str, Any] | FieldProblem]:
    """Raw rows in file order (a CSV's extra columns are the payload); an unreadable row is a FieldProblem."""
    rows: list[dict[str, Any] | FieldProblem] = []
    for raw in read_rows(body, fmt, required=CSV_FIXED[:3], max_rows=max_rows):
        if raw.values is None:
            rows.append(FieldProblem(field="row", message=raw.problem or "unreadable"))
        elif fmt == "csv":
            fixed = {k: v for k, v in raw.values.items() if k in CSV_FIXED}
            rows.append(fixed | {"payload": {k: v for k, v in raw.values.items() if k not in CSV_FIXED}})
        else:
            rows.append(raw.values)
    return rows


def _report(
    batch_id: str, fmt: str, rows: int, accepted: list[dict[str, Any]], rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    rejected.sort(key=lambda r: int(r["row"]))
    return {
        "batch_id": batch_id,
        "format": fmt,
        "rows": rows,
        "accepted": len(accepted),
        "rejected": len(rejected),
        "accepted_rows": accepted,
        "rejected_rows": rejected,
    }


async def ingest_batch(
    *,
    session: AsyncSession,
    outbox: Outbox,
    principal: Principal,
    batch_id: str,
    content_type: str | None,
    body: bytes,
    max_rows: int,
) -> tuple[dict[str, Any], bool]:
    """Store every valid, new record of the batch and re-rate the enterprises it touched.

    Returns the report and whether it is a replay: a batch id seen before with the same content
    answers its first report; with other content, or from another provider, it is refused."""
    principal.require(Role.SERVICE, Role.OFFICE)
    fmt = format_of(content_type)
    provider = principal.org_id[:100]
    sha = hashlib.sha256(body).hexdigest()
    if not await repo.claim_batch(session, batch_id, provider, fmt, sha):
        existing = await repo.get_batch(session, batch_id)
        assert existing is not None  # the claim failed on its key
        if existing.provider != provider:
            raise Forbidden(f"batch {batch_id} belongs to another provider")
        if existing.content_sha256 != sha:
            raise Conflict(
                f"batch {batch_id} was already submitted with different content; use a new batch id"
            )
        return existing.report | {"replayed": True}, True
    rows = parse_rows(body, fmt, max_rows)
    usccs = {normalize_uscc(str(r.get("uscc", ""))) for r in rows if isinstance(r, dict)}
    known = await repo.enterprises_known(session, sorted(usccs))
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    checked: list[tuple[int, CheckedRecord]] = []
    for number, raw in enumerate(rows, start=1):
        result = (
            raw
            if isinstance(raw, FieldProblem)
            else check_record(raw, known, provider=provider, batch_id=batch_id)
        )
        if isinstance(result, CheckedRecord):
            checked.append((number, result))
        else:
            problems = [result] if isinstance(result, FieldProblem) else result
            rejected.append({"row": number, "errors": [p.model_dump() for p in problems]})
    stored = await repo.existing_dedupe_keys(session, [c.values["dedupe_key"] for _, c in checked])
    seen: dict[str, int] = {}
    touched: set[str] = set()
    signalled: set[str] = set()
    for number, rec in checked:
        key = rec.values["dedupe_key"]
        if key in stored or key in seen:
            where = "already stored" if key in stored else f"same as row {seen[key]} of this batch"
            rejected.append(
                {"row": number, "errors": [{"field": "row", "message": f"duplicate record: {where}"}]}
            )
            continue
        record_id = await repo.insert_record_if_new(session, rec.values)
        if record_id is None:  # a concurrent batch stored it first
            rejected.append({"row": number, "errors": [{"field": "row", "message": "duplicate record"}]})
            continue
        seen[key] = number
        touched.add(rec.values["uscc"])
        if rec.values["source"] in SIGNAL_SOURCES:
            signalled.add(rec.values["uscc"])
        accepted.append({"row": number, "record_id": str(record_id)})
    for uscc in sorted(touched):
        await recompute_rating(session, outbox, uscc)
    for uscc in sorted(signalled):
        await publish_signals(session, outbox, uscc)
    report = _report(batch_id, fmt, len(rows), accepted, rejected)
    await repo.record_batch_report(session, batch_id, report)
    return report, False


async def batch_report(*, session: AsyncSession, principal: Principal, batch_id: str) -> dict[str, Any]:
    """The report of an earlier batch (its provider or the office)."""
    principal.require(Role.SERVICE, Role.OFFICE)
    batch = await repo.get_batch(session, batch_id)
    if batch is None or (principal.role == Role.SERVICE and batch.provider != principal.org_id[:100]):
        raise NotFound(f"no batch {batch_id}")
    return batch.report
