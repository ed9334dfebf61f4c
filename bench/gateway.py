"""Benchmark: one authenticated read through the gateway (API key, rate limits and all) next to the same
read straight at the service (internal token), in the same run, at 64 concurrent connections.

Real processes: an embedded PostgreSQL and broker, loan-matching and the gateway under uvicorn. The load
comes from this process (httpx, asyncio), which shares the machine's cores with both servers, so the
figures are comparable with each other, not absolute. The gateway's rate limits are raised for the run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres, create_databases, free_port

from gateway.bootstrap import bootstrap_office
from smefin.auth import Principal, Role, issue_internal_token
from smefin.migrations import upgrade
from smefin.settings import DEV_SECRET

CONNECTIONS = 64
SECONDS = 8.0
WARM_UP = 2.0
PATH = "/api/v1/products"
OFFICE = ("office@bench.smefin", "bench-office-password")


def _spawn(factory: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - kept for the child's lifetime
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port), "--no-access-log"]
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout}s")


async def _load(base: str, headers: dict[str, str], connections: int = CONNECTIONS) -> dict[str, Any]:
    """Requests per second and latency percentiles of GET PATH with `connections` workers."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        stop_warm = time.perf_counter() + WARM_UP
        stop = stop_warm + SECONDS

        async def worker() -> None:
            nonlocal errors
            while (now := time.perf_counter()) < stop:
                r = await client.get(PATH)
                took = time.perf_counter() - now
                if r.status_code != 200:
                    errors += 1
                elif now >= stop_warm:
                    latencies.append(took)

        await asyncio.gather(*(worker() for _ in range(connections)))
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else 0.0
        )

    return {
        "requests_per_second": round(len(latencies) / SECONDS),
        "load_average": round(os.getloadavg()[0], 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": errors,
    }


async def _prepare(gateway: str) -> str:
    """A bank organisation, its admin, an API key with lending:read, and one product to read."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as c:
        login = await c.post("/api/v1/auth/login", json={"email": OFFICE[0], "password": OFFICE[1]})
        office = {"Authorization": f"Bearer {login.json()['access_token']}"}
        org = await c.post(
            "/api/v1/organisations",
            json={
                "kind": "bank",
                "name": "bench bank",
                "org_id": "bank-bench",
                "admin_email": "a@bench.example",
                "admin_name": "a",
            },
            headers=office,
        )
        token = org.json()["admin"]["invitation_token"]
        await c.post(
            "/api/v1/invitations/accept", json={"invitation_token": token, "password": "bench-admin-password"}
        )
        login = await c.post(
            "/api/v1/auth/login", json={"email": "a@bench.example", "password": "bench-admin-password"}
        )
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        key = await c.post(
            "/api/v1/api-keys", json={"name": "bench", "scopes": ["lending:write"]}, headers=admin
        )
        value: str = key.json()["key"]
        product = {
            "name": "bench credit loan",
            "kind": "credit_only",
            "min_amount": "50000.00",
            "max_amount": "3000000.00",
            "min_term_months": 3,
            "max_term_months": 36,
            "base_rate": "3.4500",
            "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9"},
        }
        created = await c.post(PATH, json=product, headers={"Authorization": f"Bearer {value}"})
        if created.status_code != 201:
            raise RuntimeError(f"bench product: {created.status_code} {created.text[:200]}")
    return value


def run() -> dict[str, Any]:
    """Start the processes, measure both paths, stop everything."""
    tmp = tempfile.TemporaryDirectory(prefix="smefin-bench-gw-")
    root = Path(tmp.name)
    pg = EmbeddedPostgres(root / "pg").start()
    broker = EmbeddedBroker(log_path=root / "broker.log").start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        from gateway.main import MIGRATIONS as GATEWAY_MIGRATIONS
        from loan_matching.main import MIGRATIONS as MATCHING_MIGRATIONS

        create_databases(pg.url, ["bench_matching", "bench_gateway"])
        upgrade(MATCHING_MIGRATIONS, f"{pg.url}/bench_matching")
        upgrade(GATEWAY_MIGRATIONS, f"{pg.url}/bench_gateway")
        asyncio.run(bootstrap_office(f"{pg.url}/bench_gateway", email=OFFICE[0], password=OFFICE[1]))
        svc_port, gw_port = free_port(), free_port()
        env = dict(os.environ)
        env |= {
            "LOAN_MATCHING_DATABASE_URL": f"{pg.url}/bench_matching",
            "LOAN_MATCHING_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "LOAN_MATCHING_LOG_LEVEL": "WARNING",
            "GATEWAY_DATABASE_URL": f"{pg.url}/bench_gateway",
            "GATEWAY_LOAN_MATCHING_URL": f"http://127.0.0.1:{svc_port}",
            "GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "10000000/minute",
            "GATEWAY_RATE_LIMIT_PER_ADDRESS": "10000000/minute",
        }
        procs.append(_spawn("loan_matching.main:create_app", svc_port, env, root / "service.log"))
        procs.append(_spawn("gateway.main:create_app", gw_port, env, root / "gateway.log"))
        _wait(f"http://127.0.0.1:{svc_port}/readyz")
        _wait(f"http://127.0.0.1:{gw_port}/healthz")
        gateway = f"http://127.0.0.1:{gw_port}"
        key = asyncio.run(_prepare(gateway))
        internal = issue_internal_token(
            Principal(subject="bench", role=Role.BANK, org_id="bank-bench"), DEV_SECRET
        )
        one_direct = asyncio.run(
            _load(f"http://127.0.0.1:{svc_port}", {"Authorization": f"Bearer {internal}"}, 1)
        )
        one_gateway = asyncio.run(_load(gateway, {"Authorization": f"Bearer {key}"}, 1))
        print(f"one connection: straight {one_direct}, through the gateway {one_gateway}")
        print(f"reading {PATH} at {CONNECTIONS} connections for {SECONDS:.0f} s each way")
        direct = asyncio.run(_load(f"http://127.0.0.1:{svc_port}", {"Authorization": f"Bearer {internal}"}))
        print(f"  straight at loan-matching: {direct}")
        through = asyncio.run(_load(gateway, {"Authorization": f"Bearer {key}"}))
        print(f"  through the gateway (API key): {through}")
        share = through["requests_per_second"] / max(1, direct["requests_per_second"])
        return {
            "one_connection": {"direct": one_direct, "gateway": one_gateway},
            "connections": CONNECTIONS,
            "direct": direct,
            "gateway": through,
            "gateway_share_of_direct": round(share, 2),
            "goal": "gateway >= 0.5 of direct, p99 <= 25 ms",
            "goal_met": share >= 0.5 and through["p99_ms"] <= 25,
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        broker.stop()
        pg.stop()
        tmp.cleanup()
