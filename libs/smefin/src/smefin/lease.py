"""A lease for work that must not run twice at once across replicas (periodic sweeps).

A PostgreSQL transaction-scoped advisory lock: the holder keeps it until its unit of work commits
or rolls back, and a replica that crashes releases it with its connection. No table, no expiry to
tune, and nothing to clean up.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession


async def try_lease(session: AsyncSession, name: str) -> bool:
    """Take the lease called `name` for this session's transaction; False if another holds it."""
    result = await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": name})
    return bool(result.scalar())
