"""Periodic work: pending requests of fairs whose request window closed expire (or are auto-accepted)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from fairs.db import fairs as repo
from fairs.domain import meeting_requests
from smefin.db import utcnow


async def expire_requests(*, session: AsyncSession) -> int:
    """Sweep every announced fair whose window has closed; how many requests were settled."""
    now = utcnow()
    n = 0
    for fair_id in await repo.with_open_requests_due(session, now):
        fair = await repo.get_by_id(session, fair_id, lock=True)
        if fair is not None:
            n += await meeting_requests.expire_due(session=session, fair=fair, now=now)
    return n
