"""Faults on the real processes under a steady stream of journeys: every journey finishes, every side
holds the same counts, nothing is applied twice, no dead letters, every process ready without a hand.

Short versions run in `make test`; SMEFIN_FAULT_SECONDS (and `make soak`) holds the faults longer.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.faultlib import FaultRun, journeys_across
from tests.support.infra import Infra
from tests.support.journeys import (
    consumers_caught_up,
    dead_letters,
    replay_every_event_reversed,
    table_counts,
)
from tests.support.platform import PlatformUnderTest, running_platform

OUTAGE = float(os.environ.get("SMEFIN_FAULT_SECONDS", "3"))
STREAM = float(os.environ.get("SMEFIN_FAULT_STREAM_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("SMEFIN_FAULT_CONCURRENCY", "3"))


@pytest.fixture(scope="module")
def platform(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformUnderTest]:
    # SMEFIN_PLATFORM_LOGS keeps the processes' logs where a person can read them after a failure.
    logs = Path(os.environ.get("SMEFIN_PLATFORM_LOGS") or tmp_path_factory.mktemp("faults"))
    logs.mkdir(parents=True, exist_ok=True)
    with running_platform(infra, logs) as p:
        yield p


@pytest.mark.timeout(600)
async def test_loan_matching_killed_mid_flow_and_restarted(platform: PlatformUnderTest) -> None:
    async def kill_and_restart() -> float:
        matching = platform["loan-matching"]
        await asyncio.to_thread(matching.kill)
        killed = time.monotonic()
        await asyncio.sleep(OUTAGE / 3)
        await asyncio.to_thread(matching.restart)
        await asyncio.to_thread(platform.wait_all_ready)
        return time.monotonic() - killed

    run = await journeys_across(
        platform, "loan-matching SIGKILL", kill_and_restart, seconds=STREAM, concurrency=CONCURRENCY
    )
    print(run)


@pytest.mark.timeout(600)
async def test_guarantee_registry_stopped_while_offers_are_accepted(platform: PlatformUnderTest) -> None:
    async def stop_and_start() -> float:
        registry = platform["guarantee-registry"]
        await asyncio.to_thread(registry.stop)
        await asyncio.sleep(OUTAGE)
        back = time.monotonic()
        await asyncio.to_thread(registry.restart)
        await asyncio.to_thread(platform.wait_all_ready)
        return time.monotonic() - back

    run = await journeys_across(
        platform,
        "guarantee-registry stopped",
        stop_and_start,
        seconds=STREAM + OUTAGE,
        concurrency=CONCURRENCY,
    )
    print(run)


@pytest.mark.timeout(600)
async def test_broker_paused_with_sigstop(platform: PlatformUnderTest, infra: Infra) -> None:
    if infra.broker is None:
        pytest.skip("the broker is external (TEST_KAFKA_BOOTSTRAP_SERVERS): it cannot be paused from here")
    broker = infra.broker

    async def pause_and_resume() -> float:
        broker.pause()
        try:
            await asyncio.sleep(OUTAGE)
        finally:
            broker.resume()
        back = time.monotonic()
        await asyncio.to_thread(platform.wait_all_ready)
        return time.monotonic() - back

    run = await journeys_across(
        platform, "broker SIGSTOP", pause_and_resume, seconds=STREAM + OUTAGE, concurrency=CONCURRENCY
    )
    print(run)


@pytest.mark.timeout(600)
async def test_postgres_fast_restart_under_load(platform: PlatformUnderTest, infra: Infra) -> None:
    if infra.pg is None:
        pytest.skip("PostgreSQL is external (TEST_DATABASE_URL): it cannot be restarted from here")
    pg = infra.pg

    async def restart() -> float:
        await asyncio.to_thread(pg.stop)  # SIGINT: fast shutdown, every connection cut
        await asyncio.sleep(OUTAGE / 3)
        back = time.monotonic()
        await asyncio.to_thread(pg.start)
        await asyncio.to_thread(platform.wait_all_ready)
        return time.monotonic() - back

    run = await journeys_across(
        platform, "PostgreSQL fast restart", restart, seconds=STREAM + OUTAGE, concurrency=CONCURRENCY
    )
    print(run)


@pytest.mark.timeout(600)
async def test_every_event_again_and_out_of_order_changes_nothing(platform: PlatformUnderTest) -> None:
    await consumers_caught_up(platform)
    before = await table_counts(platform)
    replayed = await replay_every_event_reversed(platform)
    assert replayed > 0
    started = time.monotonic()
    await consumers_caught_up(platform)
    caught_up = time.monotonic() - started
    assert await table_counts(platform) == before
    assert await dead_letters(platform) == {}
    FaultRun(
        "every event duplicated, newest first",
        0,
        0,
        0,
        0,
        round(caught_up, 2),
        {"events replayed": replayed},
        {k: 0 for k in before},
    ).record()
    print(f"replayed {replayed} events; consumed in {caught_up:.1f}s; counts unchanged")


# Last: when it fails it leaves the platform without working consumers.
@pytest.mark.timeout(600)
async def test_broker_restarted_empty_and_the_outbox_replays(
    platform: PlatformUnderTest, infra: Infra
) -> None:
    if infra.broker is None:
        pytest.skip("the broker is external (TEST_KAFKA_BOOTSTRAP_SERVERS): it cannot be restarted from here")
    broker = infra.broker

    async def restart_empty() -> float:
        await asyncio.to_thread(broker.stop)  # memory only: every topic and committed offset is gone
        await asyncio.sleep(OUTAGE / 3)
        back = time.monotonic()
        await asyncio.to_thread(broker.start)
        await asyncio.to_thread(platform.wait_all_ready)
        return time.monotonic() - back

    run = await journeys_across(
        platform, "broker restarted empty", restart_empty, seconds=STREAM + OUTAGE, concurrency=CONCURRENCY
    )
    print(run)
