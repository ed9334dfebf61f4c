"""smefin.periodic: a sweep runs in its own unit of work, survives a failing round, and with a lease
runs on one replica at a time."""

from __future__ import annotations

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.outbox import Outbox
from smefin.periodic import Periodic
from tests.support.infra import Infra
from tests.support.services import eventually, run_service


async def test_a_leased_sweep_runs_once_at_a_time_and_a_failed_round_is_retried(
    infra: Infra, topic_prefix: str
) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        started: list[int] = []

        async def slow(session: AsyncSession, outbox: Outbox) -> int:
            started.append(1)
            await asyncio.sleep(0.5)
            return 1

        a, b = Periodic("a", 3600, slow, lease="t.sweep"), Periodic("b", 3600, slow, lease="t.sweep")
        # Two replicas at once: one holds the lease, the other skips its round.
        assert sorted(await asyncio.gather(a.run_once(svc.app), b.run_once(svc.app))) == [0, 1]
        assert started == [1]

        rounds: list[str] = []

        async def flaky(session: AsyncSession, outbox: Outbox) -> int:
            rounds.append("ran")
            if len(rounds) == 1:
                raise RuntimeError("the first round fails")
            return 1

        loop = Periodic("flaky", 0.01, flaky)
        loop.start(svc.app)
        try:
            await eventually(lambda: len(rounds) >= 3)
        finally:
            await loop.stop()
        n = len(rounds)
        await asyncio.sleep(0.05)
        assert len(rounds) == n  # stopped means stopped
