"""The gateway's identity migrations upgrade an empty database and downgrade it back to empty."""

from __future__ import annotations

import asyncio

from gateway.main import MIGRATIONS
from smefin.migrations import downgrade, upgrade
from tests.integration.test_migrations import user_objects
from tests.support.infra import Infra
from tests.support.services import create_database


async def test_gateway_migrations_upgrade_and_downgrade_cleanly(infra: Infra) -> None:
    url = await create_database(infra, "mig")
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    after_up = await user_objects(url)
    assert {
        "organisations",
        "users",
        "login_sessions",
        "api_keys",
        "audit_events",
        "idempotency_records",
    } <= (after_up["tables"])
    await asyncio.to_thread(downgrade, MIGRATIONS, url)
    assert await user_objects(url) == {"tables": set(), "types": set(), "sequences": set()}
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    assert await user_objects(url) == after_up
