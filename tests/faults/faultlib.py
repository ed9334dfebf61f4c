"""Run a journey stream across a fault and check every side's counts afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.journeys import Journeys, dead_letters, expected_counts, settled_counts, table_counts
from tests.support.platform import PlatformUnderTest

RESULTS = Path(os.environ.get("SMEFIN_FAULT_RESULTS", "bench/results/faults.jsonl"))


@dataclass
class FaultRun:
    """What one fault run measured (written to bench/results/faults.jsonl for the report)."""

    fault: str
    concurrency: int
    stream_seconds: float
    journeys_finished: int
    journeys_failed: int
    recovery_seconds: float
    retries: dict[str, int]
    counts: dict[str, int]

    def record(self) -> None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a") as out:
            out.write(json.dumps(self.__dict__ | {"at": time.time()}) + "\n")


async def journeys_across(
    platform: PlatformUnderTest,
    fault: str,
    inject: Callable[[], Awaitable[float]],
    *,
    seconds: float,
    concurrency: int,
    before: float = 3,
) -> FaultRun:
    """Keep journeys flowing for `seconds`; `before` s in, `inject` the fault (it returns the measured
    recovery time). Then every journey must have finished and every side must hold the same counts."""
    baseline = await table_counts(platform)
    tag = int(time.time() * 10) % 1000
    journeys = Journeys(platform, tag)
    try:
        await journeys.setup()

        async def fault_later() -> float:
            await asyncio.sleep(before)
            return await inject()

        stream, recovery = await asyncio.gather(
            journeys.run(seconds=seconds, concurrency=concurrency), fault_later()
        )
    finally:
        await journeys.aclose()
    assert not stream.failed, stream.failed[:5]
    assert not stream.server_errors, stream.server_errors[:5]
    assert stream.finished, "no journey finished"
    done = len(stream.finished)
    expected = {k: baseline[k] + v for k, v in expected_counts(done, done).items()}
    counts = await settled_counts(platform, expected)
    assert counts == expected, {k: (counts[k], expected[k]) for k in expected if counts[k] != expected[k]}
    assert await dead_letters(platform) == {}
    platform.wait_all_ready(timeout=60)
    run = FaultRun(
        fault,
        concurrency,
        seconds,
        done,
        len(stream.failed),
        round(recovery, 2),
        dict(stream.retried),
        {k: v - baseline[k] for k, v in counts.items()},
    )
    run.record()
    return run
