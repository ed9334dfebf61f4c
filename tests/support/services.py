"""Run a service in-process against a fresh database and an isolated set of topics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from smefin.auth import Principal, Role, issue_internal_token
from smefin.migrations import upgrade
from smefin.settings import DEV_SECRET
from tests.support.infra import Infra


async def create_database(infra: Infra, prefix: str = "t") -> str:
    """A new empty database on the test server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(infra.database_url("postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return infra.database_url(name)


async def migrate(migrations: Path, url: str) -> None:
    """Upgrade a service database to head (Alembic runs its own loop, so off this one)."""
    await asyncio.to_thread(upgrade, migrations, url)


def bearer(role: Role | str, org_id: str = "org-1", uscc: str | None = None) -> dict[str, str]:
    """Headers carrying the gateway's signed internal token for a principal."""
    principal = Principal(subject=f"user-{org_id}", role=Role(role), org_id=org_id, uscc=uscc)
    # Made at import time by many modules: valid for the whole session, not the gateway's 5 minutes.
    token = issue_internal_token(principal, DEV_SECRET, ttl=timedelta(hours=3))
    return {"Authorization": f"Bearer {token}"}


@dataclass
class RunningService:
    """A service app under test with an HTTP client bound to it."""

    app: FastAPI
    client: httpx.AsyncClient
    database_url: str
    topic_prefix: str


@asynccontextmanager
async def run_service(
    create_app: Callable[..., FastAPI],
    settings_cls: type[Any],
    migrations: Path,
    infra: Infra,
    *,
    topic_prefix: str,
    database_url: str | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningService]:
    """Start a service (migrated database, relay, consumers) and yield a client for it.

    Services that should talk over the broker in one test share a `topic_prefix`.
    """
    url = database_url or await create_database(infra)
    if database_url is None:
        await migrate(migrations, url)
    settings = settings_cls(
        environment="test",
        database_url=url,
        kafka_bootstrap_servers=infra.bootstrap,
        topic_prefix=topic_prefix,
        outbox_poll_seconds=0.05,
        log_json=False,
        **overrides,
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield RunningService(app=app, client=client, database_url=url, topic_prefix=topic_prefix)


async def eventually(check: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll an (async or sync) check until it returns a truthy value; fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
