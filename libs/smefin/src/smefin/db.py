"""Async engine, per-service table registry and the session unit of work.

Services never commit: the request dependency (or the event consumer) commits once, or rolls back.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import MetaData, event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

# Stable constraint names so migrations can drop what they created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_registry() -> registry:
    """A fresh SQLModel registry so each service's metadata holds only its own tables."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """Timezone-aware now in UTC: the only clock the platform uses."""
    return datetime.now(UTC)


def asyncpg_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and point them at the asyncpg driver."""
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgres://")
    return url


PING_IDLE_SECONDS = 1.0


def _note_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
    idle_since = record.info.get("checked_in")
    if idle_since is not None and time.monotonic() - idle_since < PING_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        # The pool drops this connection and checks out another (SQLAlchemy's pessimistic recipe).
        raise DisconnectionError(f"pooled connection failed its ping: {exc!r}") from exc


class ReadOnlySession(Session):
    """The sync half of a read session: a write through it is a programming error, not a commit."""

    def flush(self, objects: Any = None) -> None:
        """Refuse to write anything; a flush with nothing pending is harmless."""
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("a read session cannot write; take SessionDep for an endpoint that writes")
        super().flush(objects)


class Database:
    """One engine and session factory per service process."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = asyncpg_url(url)
        # 20 connections kept open (none in overflow, which SQLAlchemy closes on return: see settings).
        engine_kwargs.setdefault("pool_size", 20)
        engine_kwargs.setdefault("max_overflow", 0)
        # A connection idle for a while is pinged before use (a restarted server cut it); one back in
        # the pool within the last `PING_IDLE_SECONDS` is not: pool_pre_ping cost a round trip per request.
        ping_idle = engine_kwargs.pop("pool_pre_ping", True)
        self.engine: AsyncEngine = create_async_engine(self.url, **engine_kwargs)
        if ping_idle:
            event.listen(self.engine.sync_engine, "checkin", _note_checkin)
            event.listen(self.engine.sync_engine, "checkout", _ping_if_idle)
        self.sessionmaker = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # Reads on the same pool without BEGIN / COMMIT: each statement is its own READ COMMITTED
        # snapshot, which is what statements inside a READ COMMITTED transaction get anyway.
        self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.read_sessionmaker = async_sessionmaker(
            self.read_engine, class_=AsyncSession, sync_session_class=ReadOnlySession, expire_on_commit=False
        )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits at the end of the block, or rolls back on error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: no transaction to open or commit (one round trip per query)."""
        async with self.read_sessionmaker() as session:
            yield session

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


# Connection refused or cut, "the database system is starting up", "terminating connection due to
# administrator command" (a fast shutdown), "connection was closed in the middle of operation".
DATABASE_GONE = (
    ConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
)


def database_unreachable(exc: BaseException) -> bool:
    """The database cannot be reached right now (restarting, connection refused or cut): retryable."""
    seen: BaseException | None = exc
    for _ in range(5):  # SQLAlchemy wraps the driver's error, which may wrap the socket's
        if seen is None:
            return False
        if isinstance(seen, DATABASE_GONE):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False
