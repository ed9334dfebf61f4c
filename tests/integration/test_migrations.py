"""Every service's migrations upgrade an empty database to head and downgrade it back to empty."""

from __future__ import annotations

import asyncio
import importlib

import asyncpg
import pytest

from smefin.migrations import downgrade, upgrade
from tests.support.infra import Infra
from tests.support.services import create_database

SERVICES = ["credit_info", "loan_matching", "guarantee_registry", "fairs"]


async def user_objects(url: str) -> dict[str, set[str]]:
    """Tables, types and sequences in the public schema, besides Alembic's own bookkeeping."""
    conn = await asyncpg.connect(url)
    try:
        tables = {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        types = {
            r[0]
            for r in await conn.fetch(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname='public' AND t.typtype IN ('e', 'd')"
            )
        }
        seqs = {
            r[0] for r in await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname='public'")
        }
    finally:
        await conn.close()
    return {"tables": tables - {"alembic_version"}, "types": types, "sequences": seqs}


@pytest.mark.parametrize("package", SERVICES)
async def test_migrations_upgrade_from_empty_and_downgrade_cleanly(package: str, infra: Infra) -> None:
    migrations = importlib.import_module(f"{package}.main").MIGRATIONS
    url = await create_database(infra, "mig")
    await asyncio.to_thread(upgrade, migrations, url)
    after_up = await user_objects(url)
    assert {"outbox", "processed_events"} <= after_up["tables"]
    await asyncio.to_thread(downgrade, migrations, url)
    assert await user_objects(url) == {"tables": set(), "types": set(), "sequences": set()}
    # And up again: a downgrade that left anything behind would break this.
    await asyncio.to_thread(upgrade, migrations, url)
    assert await user_objects(url) == after_up
