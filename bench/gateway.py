"""Benchmark: the HTTP fast paths beside their ceilings, measured in one run, at 64 connections.

- `GET /api/v1/products/{id}` straight at loan-matching (bank token) next to a bare FastAPI + asyncpg app
  (`bench.bare_app`) running the same `SELECT` on the same database;
- `POST /api/v1/financing-requests` (SME token) next to the bare app's insert-with-outbox transaction;
- the same read through the gateway (API key, rate limits raised for the run) next to the direct read,
  and its p99.

Real processes: an embedded PostgreSQL and broker, loan-matching, the gateway and the bare app, each one
uvicorn process started the way `make run` starts them (uvloop, httptools), logging at INFO as in
production. loan-matching's relay and consumer are off for the run: publishing is `bench.outbox_relay`'s
subject, and matching each submitted request would measure the matcher, not the HTTP path.

The load comes from `wrk` (C, one thread) when it is installed (`make bench` installs it where it can),
else from this process with httpx, which takes CPU from the servers on two cores: the output says which.
Each path is measured twice, interleaved with the others, and its better round is kept.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres, create_databases, free_port
from smefin_dev.devrun import UVICORN_SPEED

from gateway.bootstrap import bootstrap_office
from smefin.auth import Principal, Role, issue_internal_token
from smefin.migrations import upgrade
from smefin.settings import DEV_SECRET

CONNECTIONS = 64
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "8"))
WARM_UP = 2.0
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "2"))
PRODUCTS = "/api/v1/products"
REQUESTS = "/api/v1/financing-requests"
OFFICE = ("office@bench.smefin", "bench-office-password")
BANK = "bank-bench"
USCC = "91150100MA0BENCH01"
NEED = {
    "amount": "800000.00",
    "term_months": 12,
    "purpose": "working capital for the wool season",
    "collateral_available": False,
    "accepts_guarantee": True,
}
WRK_SCRIPT = """
wrk.method = "{method}"
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "\\nBENCH_JSON {{\\"requests\\": %d, \\"duration_us\\": %d, \\"non2xx\\": %d, \\"socket_errors\\": %d, "
    .. "\\"p50_us\\": %d, \\"p99_us\\": %d}}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def generator() -> str:
    """`wrk` when installed, else the Python client."""
    return "wrk" if shutil.which("wrk") else "python (httpx)"


def _spawn(factory: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - kept for the child's lifetime
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port), "--no-access-log"]
    return subprocess.Popen(
        [*cmd, *UVICORN_SPEED], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout}s")


def _wrk(
    url: str,
    method: str,
    headers: dict[str, str],
    body: bytes | None,
    connections: int,
    seconds: float,
    tmp: Path,
) -> dict[str, Any]:
    script = tmp / "wrk.lua"
    lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    script.write_text(
        WRK_SCRIPT.format(method=method, body=json.dumps(body.decode()) if body else "nil", headers=lines)
    )
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    found = json.loads(out.split("BENCH_JSON", 1)[1])
    good = found["requests"] - found["non2xx"]
    return {
        "requests_per_second": round(good / (found["duration_us"] / 1e6)),
        "p50_ms": round(found["p50_us"] / 1000, 1),
        "p99_ms": round(found["p99_us"] / 1000, 1),
        "errors": found["non2xx"] + found["socket_errors"],
    }


async def _httpx(
    url: str, method: str, headers: dict[str, str], body: bytes | None, connections: int, seconds: float
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while (now := time.perf_counter()) < stop:
                r = await client.request(method, url, content=body)
                if r.status_code >= 300:
                    errors += 1
                else:
                    latencies.append(time.perf_counter() - now)

        await asyncio.gather(*(worker() for _ in range(connections)))
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else 0.0
        )

    return {
        "requests_per_second": round(len(latencies) / seconds),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "errors": errors,
    }


def measure(
    url: str,
    headers: dict[str, str],
    *,
    method: str = "GET",
    body: dict[str, Any] | None = None,
    connections: int = CONNECTIONS,
    tmp: Path,
) -> dict[str, Any]:
    """Requests per second and latency percentiles after a warm-up, with wrk or httpx."""
    raw = json.dumps(body).encode() if body is not None else None
    if body is not None:
        headers = headers | {"Content-Type": "application/json"}
    for seconds, kept in ((WARM_UP, False), (SECONDS, True)):
        if shutil.which("wrk"):
            figures = _wrk(url, method, headers, raw, connections, seconds, tmp)
        else:
            figures = asyncio.run(_httpx(url, method, headers, raw, connections, seconds))
        if kept:
            figures["load_average"] = round(os.getloadavg()[0], 1)
            return figures
    raise AssertionError("unreachable")


async def _prepare(gateway: str) -> tuple[str, str]:
    """A bank organisation, its admin, an API key with lending:write, and one product to read."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as c:
        login = await c.post("/api/v1/auth/login", json={"email": OFFICE[0], "password": OFFICE[1]})
        office = {"Authorization": f"Bearer {login.json()['access_token']}"}
        org = await c.post(
            "/api/v1/organisations",
            json={
                "kind": "bank",
                "name": "bench bank",
                "org_id": BANK,
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
        created = await c.post(PRODUCTS, json=product, headers={"Authorization": f"Bearer {value}"})
        if created.status_code != 201:
            raise RuntimeError(f"bench product: {created.status_code} {created.text[:200]}")
    return value, str(created.json()["id"])


async def _enterprise(url: str) -> None:
    """The SME in loan-matching's projection (as `enterprise.registered` would leave it)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO enterprise (uscc, name, league_code, industry, employees, revenue, assets, size_class,"
            " growth_programme, updated_at) VALUES ($1, 'bench SME', '150100', 'C', 40, 5000000, 3000000,"
            " 'small', false, now())",
            USCC,
        )
    finally:
        await conn.close()


def rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The four table rows from one run's figures."""
    read, bare_read = figures["service_read"], figures["bare_read"]
    write, bare_write = figures["service_write"], figures["bare_write"]
    through = figures["gateway_read"]
    return [
        {
            "path": "GET /products/{id} at loan-matching vs bare FastAPI+asyncpg",
            "ours": read["requests_per_second"],
            "ceiling": bare_read["requests_per_second"],
            "unit": "req/s",
            "goal": ">= 90 % of the bare app",
            "met": read["requests_per_second"] >= 0.9 * bare_read["requests_per_second"],
        },
        {
            "path": "POST /financing-requests vs bare insert+outbox",
            "ours": write["requests_per_second"],
            "ceiling": bare_write["requests_per_second"],
            "unit": "req/s",
            "goal": ">= 90 % of the bare app",
            "met": write["requests_per_second"] >= 0.9 * bare_write["requests_per_second"],
        },
        {
            "path": "the same read through the gateway (API key) vs direct",
            "ours": through["requests_per_second"],
            "ceiling": read["requests_per_second"],
            "unit": "req/s",
            "goal": ">= 50 % of direct",
            "met": through["requests_per_second"] >= 0.5 * read["requests_per_second"],
        },
        {
            "path": f"gateway read p99 at {CONNECTIONS} connections (ceiling: direct p99)",
            "ours": through["p99_ms"],
            "ceiling": read["p99_ms"],
            "unit": "ms",
            "lower_is_better": True,
            "goal": "p99 <= 25 ms",
            "met": through["p99_ms"] <= 25,
        },
    ]


@contextmanager
def platform() -> Iterator[dict[str, tuple[str, dict[str, str], str, dict[str, Any] | None]]]:
    """The processes started and prepared; yields each path's (url, headers, method, body)."""
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
        asyncio.run(_enterprise(f"{pg.url}/bench_matching"))
        svc_port, gw_port, bare_port = free_port(), free_port(), free_port()
        env = dict(os.environ)
        env |= {
            "LOAN_MATCHING_DATABASE_URL": f"{pg.url}/bench_matching",
            "LOAN_MATCHING_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "LOAN_MATCHING_RELAY_ENABLED": "false",
            "LOAN_MATCHING_CONSUMERS_ENABLED": "false",
            "GATEWAY_DATABASE_URL": f"{pg.url}/bench_gateway",
            "GATEWAY_LOAN_MATCHING_URL": f"http://127.0.0.1:{svc_port}",
            "GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "10000000/minute",
            "GATEWAY_RATE_LIMIT_PER_ADDRESS": "10000000/minute",
            "BENCH_BARE_DSN": f"{pg.url}/bench_matching",
            "BENCH_BARE_BANK": BANK,
            "BENCH_BARE_USCC": USCC,
        }
        procs.append(_spawn("loan_matching.main:create_app", svc_port, env, root / "service.log"))
        procs.append(_spawn("gateway.main:create_app", gw_port, env, root / "gateway.log"))
        procs.append(_spawn("bench.bare_app:create_app", bare_port, env, root / "bare.log"))
        _wait(f"http://127.0.0.1:{svc_port}/readyz")
        _wait(f"http://127.0.0.1:{gw_port}/healthz")
        _wait(f"http://127.0.0.1:{bare_port}/healthz")
        gateway, service, bare = (f"http://127.0.0.1:{p}" for p in (gw_port, svc_port, bare_port))
        key, product_id = asyncio.run(_prepare(gateway))
        bank_token = issue_internal_token(
            Principal(subject="bench", role=Role.BANK, org_id=BANK), DEV_SECRET, ttl=timedelta(hours=1)
        )
        sme_token = issue_internal_token(
            Principal(subject="bench-sme", role=Role.SME, org_id=f"sme-{USCC}", uscc=USCC),
            DEV_SECRET,
            ttl=timedelta(hours=1),
        )
        bank, sme = {"Authorization": f"Bearer {bank_token}"}, {"Authorization": f"Bearer {sme_token}"}
        read = f"{PRODUCTS}/{product_id}"
        paths: dict[str, tuple[str, dict[str, str], str, dict[str, Any] | None]] = {
            "bare_read": (bare + read, {}, "GET", None),
            "service_read": (service + read, bank, "GET", None),
            "gateway_read": (gateway + read, {"Authorization": f"Bearer {key}"}, "GET", None),
            "bare_write": (bare + REQUESTS, {}, "POST", NEED),
            "service_write": (service + REQUESTS, sme, "POST", NEED),
        }
        for name, (url, headers, method, body) in paths.items():
            with httpx.Client(headers=headers, timeout=10) as c:
                r = c.request(method, url, json=body)
                if r.status_code >= 300:
                    raise RuntimeError(f"{name}: {method} {url} -> {r.status_code} {r.text[:200]}")
        os.environ["BENCH_HTTP_PIDS"] = " ".join(str(p.pid) for p in procs)
        yield paths
    except Exception:
        for log in sorted(root.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {log.name} (last lines)\n" + "\n".join(lines))
        raise
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


def run() -> dict[str, Any]:
    """Start the processes, measure every path `ROUNDS` times (interleaved), stop everything."""
    with platform() as paths, tempfile.TemporaryDirectory(prefix="smefin-bench-wrk-") as scratch:
        tmp = Path(scratch)
        load = generator()
        note = "" if load == "wrk" else " (install wrk: this client takes CPU from the servers)"
        print(f"load generator: {load}{note}")
        print(
            f"{CONNECTIONS} connections, {SECONDS:g} s per run after {WARM_UP:g} s warm-up, best of {ROUNDS}"
        )
        direct_url, bank, _, _ = paths["service_read"]
        gateway_url, key, _, _ = paths["gateway_read"]
        one = {
            "direct": measure(direct_url, bank, connections=1, tmp=tmp),
            "gateway": measure(gateway_url, key, connections=1, tmp=tmp),
        }
        print(f"  one connection: {one}", flush=True)
        best: dict[str, dict[str, Any]] = {}
        for n in range(ROUNDS):
            for name, (url, headers, method, body) in paths.items():
                got = measure(url, headers, method=method, body=body, tmp=tmp)
                print(f"  round {n + 1} {name}: {got}", flush=True)
                if name not in best or got["requests_per_second"] > best[name]["requests_per_second"]:
                    best[name] = got
        figures: dict[str, Any] = {
            "generator": load,
            "connections": CONNECTIONS,
            "one_connection": one,
            **best,
        }
        figures["rows"] = rows(figures)
        return figures


if __name__ == "__main__":
    # Keep the processes up for profiling by hand: prints each path, waits for Ctrl-C or SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with platform() as paths:
        print(json.dumps(paths, indent=1), f"\npids {os.environ['BENCH_HTTP_PIDS']}", flush=True)
        with suppress(KeyboardInterrupt):
            time.sleep(3600)
