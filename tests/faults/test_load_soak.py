"""The long load (`make soak`): bench/load.py's mixed Locust load through the gateway for minutes, while
every process's resident memory and PostgreSQL's connection count are sampled every few seconds.

Held: zero errors on every route; no process's RSS in the last third of the run above 1.3 x its median in
the first third (after a warm-up) plus 32 MiB; PostgreSQL connections never above what the pools allow
and the last third's peak within 5 of the first third's. SMEFIN_LOAD_SOAK_SECONDS (default 600) and
SMEFIN_LOAD_USERS (default 12) set the run; the samples go to bench/results/load_soak.jsonl, Locust's
figures to bench/results/load_soak_*.csv.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.load import RESULTS, USERS, Sampler, locust, prepare, print_table
from smefin.db import utcnow
from tests.support.infra import Infra
from tests.support.platform import running_platform

SECONDS = int(os.environ.get("SMEFIN_LOAD_SOAK_SECONDS", "600"))
SAMPLE_EVERY = 5.0
WARM_UP_SECONDS = 60.0
RSS_FACTOR, RSS_SLACK_MIB = 1.3, 32.0
CONNECTION_SLACK = 5
# Each of five processes: pool_size 10 + max_overflow 10 (smefin.settings), plus its relay's LISTEN.
CONNECTION_CEILING = 5 * (10 + 10 + 1)


def _thirds(samples: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    warm = [s for s in samples if s["t"] >= WARM_UP_SECONDS] or samples
    third = max(1, len(warm) // 3)
    return warm[:third], warm[-third:]


@pytest.mark.timeout(SECONDS + 900)
def test_a_long_mixed_load_holds_without_growth(infra: Infra, tmp_path: Path) -> None:
    env = {"GATEWAY_RATE_LIMIT_LOGIN": "1000/minute"}
    with running_platform(infra, tmp_path, env=env) as platform:
        accounts = prepare(platform.gateway.url, USERS, f"s{os.getpid()}", tmp_path / "accounts.json")
        pids = {name: p.proc.pid for name, p in platform.processes.items() if p.proc is not None}
        databases = [urlsplit(p.database_url).path.lstrip("/") for p in platform.processes.values()]
        sampler = Sampler(pids, infra.pg_server_url, databases, every=SAMPLE_EVERY)
        with sampler.running():
            result = locust(platform.gateway.url, accounts, USERS, SECONDS, RESULTS / "load_soak")
        assert platform.all_ready()
    print_table(result)
    samples = sampler.samples
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "load_soak.jsonl").open("w") as f:
        for s in samples:
            f.write(json.dumps(s) + "\n")
    first, last = _thirds(samples)
    summary: dict[str, Any] = {
        "at": utcnow().isoformat(),
        "seconds": SECONDS,
        "users": USERS,
        "samples": len(samples),
    }
    grown = []
    for name in pids:
        key = f"rss_mib.{name}"
        base = statistics.median(s[key] for s in first)
        peak = max(s[key] for s in last)
        bound = base * RSS_FACTOR + RSS_SLACK_MIB
        summary[key] = {"first_third_median": base, "last_third_max": peak, "bound": round(bound, 1)}
        if peak > bound:
            grown.append(f"{name}: {base} MiB -> {peak} MiB (bound {bound:.0f})")
    connections = [s["pg_connections"] for s in samples if s.get("pg_connections") is not None]
    assert connections, "no connection count was sampled"
    first_peak = max(s["pg_connections"] for s in first if s.get("pg_connections") is not None)
    last_peak = max(s["pg_connections"] for s in last if s.get("pg_connections") is not None)
    summary["pg_connections"] = {
        "max": max(connections),
        "first_third_max": first_peak,
        "last_third_max": last_peak,
    }
    summary["throughput_rps"] = result.total["rps"]
    summary["errors"] = result.errors
    (RESULTS / "load_soak_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    assert result.errors == 0, result.failures
    assert result.total["requests"] > 0
    assert not grown, f"resident memory grew: {grown}"
    assert max(connections) <= CONNECTION_CEILING, summary["pg_connections"]
    assert last_peak <= first_peak + CONNECTION_SLACK, summary["pg_connections"]
