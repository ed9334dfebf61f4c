"""Credit reports (信用报告): an enterprise's file as one document."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from credit_info.db import repositories as repo
from credit_info.db.tables import CreditRecord, Enterprise
from credit_info.domain.enterprises import profile
from credit_info.domain.ratings import rating_dict
from credit_info.domain.records import REPORT_SECTIONS, CreditSource
from smefin.db import utcnow
from smefin.reference import county, league


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
