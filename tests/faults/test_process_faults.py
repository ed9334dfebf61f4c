"""Faults on the real processes under a steady stream of journeys: every journey finishes, every side
holds the same counts, nothing is applied twice, no dead letters, every process ready without a hand.

Short versions run in `make test`; SMEFIN_FAULT_SECONDS (and `make soak`) holds the faults longer.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import pytest

from tests.faults.faultlib import journeys_across
from tests.support.infra import Infra
from tests.support.platform import PlatformUnderTest, running_platform

OUTAGE = float(os.environ.get("SMEFIN_FAULT_SECONDS", "3"))
STREAM = float(os.environ.get("SMEFIN_FAULT_STREAM_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("SMEFIN_FAULT_CONCURRENCY", "3"))


@pytest.fixture(scope="module")
def platform(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformUnderTest]:
    with running_platform(infra, tmp_path_factory.mktemp("faults")) as p:
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
