"""Benchmark: a mixed load through the gateway with Locust (headless), on the real platform.

The platform is the one the tests start (`tests/support/platform.py`: four services and the gateway as
uvicorn processes on an embedded PostgreSQL and broker). The accounts are made through the public API:
the office logs in, a bank gets an API key and publishes a credit-only product and six months of lending
reports, SMEs sign up, register and grant the bank a consent. Then Locust (`bench/locustfile.py`) runs
USERS users for SECONDS: journeys (request → matches → offer → accept → credit look-up → loan), the
bank's reads and the office's coverage and lending-growth reports. Figures: throughput, per-route
p50/p95/p99 and errors (goal: none), written to bench/results/load*.csv and the bench report.

`tests/faults/test_load_soak.py` runs the same load for minutes (`make soak`) while `Sampler` records
each process's RSS and PostgreSQL's connection count.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.e2e.journey import enterprise_body
from tests.support.accounts import PASSWORD, Account, log_in, make_accounts

RESULTS = Path(__file__).parent / "results"
LOCUSTFILE = Path(__file__).parent / "locustfile.py"
USERS = int(os.environ.get("SMEFIN_LOAD_USERS", "12"))
SECONDS = int(os.environ.get("SMEFIN_LOAD_SECONDS", "40"))
P95_GOAL_MS = 1000.0
COUNTY = "150602"  # Ordos, Dongsheng


def _months(n: int) -> list[str]:
    """The last `n` whole months, oldest first (YYYY-MM)."""
    first = date.today().replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first.strftime("%Y-%m"))
    return out[::-1]


def _ok(r: httpx.Response, status: int = 200) -> Any:
    if r.status_code != status:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")
    return r.json()


def prepare(gateway_url: str, smes: int, tag: str, out: Path) -> Path:
    """Accounts and data for the load, made through the public API; their credentials in `out` (JSON)."""
    accounts = make_accounts(gateway_url, tag)
    bank = accounts[Role.BANK]
    assert bank.api_key is not None
    months = _months(6)
    with httpx.Client(base_url=gateway_url, timeout=60) as c:
        product = {
            "name": "load credit loan",
            "kind": "credit_only",
            "min_amount": "50000.00",
            "max_amount": "3000000.00",
            "min_term_months": 3,
            "max_term_months": 36,
            "industries": ["C"],
            "size_classes": ["micro", "small", "medium"],
            "base_rate": "3.4500",
            "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9", "BBB": "1.4", "BB": "2.0", "B": "2.8"},
        }
        made = _ok(c.post("/api/v1/products", json=product, headers=bank.key_headers), 201)
        _ok(c.post(f"/api/v1/products/{made['id']}/publish", headers=bank.key_headers))
        for n, month in enumerate(months):
            report = {
                "month": month,
                "sme_loan_balance": f"{1_000_000_000 + n * 30_000_000}.00",
                "total_loan_balance": f"{9_000_000_000 + n * 50_000_000}.00",
            }
            _ok(c.post("/api/v1/lending-reports", json=report, headers=bank.key_headers), 201)
        people = [_sme(c, tag, n, bank) for n in range(smes)]
        for sme in people:  # loan-matching has heard of each enterprise (over the broker) before the load
            _known_to_matching(c, sme)
    body = {
        "office": accounts[Role.OFFICE].token,
        "bank_key": bank.api_key,
        "bank_org": bank.org_id,
        "months": months,
        "smes": [{"uscc": s.uscc, "token": s.token} for s in people],
    }
    out.write_text(json.dumps(body))
    return out


def _sme(c: httpx.Client, tag: str, n: int, bank: Account) -> Account:
    """An SME signs up, logs in, registers its enterprise and lets the bank read its credit report."""
    uscc = make_uscc(COUNTY, f"L{zlib.crc32(f'{tag}-{n}'.encode()) % 10**8:08d}")
    email = f"owner{n}@load-{tag}.example.cn"
    signup = {
        "uscc": uscc,
        "enterprise_name": f"负载企业{n}",
        "email": email,
        "display_name": "财务",
        "password": PASSWORD,
    }
    _ok(c.post("/api/v1/signup", json=signup), 201)
    token = log_in(c, email, PASSWORD)
    who = {"Authorization": f"Bearer {token}"}
    _ok(c.post("/api/v1/enterprises", json=enterprise_body(uscc, f"负载企业{n}", COUNTY), headers=who), 201)
    until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    consent = {"bank_org_id": bank.org_id, "purpose": "loan_application", "valid_until": until}
    _ok(c.post("/api/v1/consents", json=consent, headers=who), 201)
    return Account(Role.SME, uscc, email, token, uscc=uscc)


def _known_to_matching(c: httpx.Client, sme: Account, timeout: float = 60) -> None:
    """Submit (and withdraw) one request: 409 until loan-matching has the enterprise's event."""
    deadline = time.monotonic() + timeout
    need = {"amount": "100000.00", "term_months": 6, "purpose": "预热", "accepts_guarantee": False}
    while True:
        r = c.post("/api/v1/financing-requests", json=need, headers=sme.headers)
        if r.status_code == 201:
            _ok(c.post(f"/api/v1/financing-requests/{r.json()['id']}/withdraw", headers=sme.headers))
            return
        if r.status_code != 409 or time.monotonic() > deadline:
            raise RuntimeError(f"{sme.uscc} never reached loan-matching: {r.status_code} {r.text[:300]}")
        time.sleep(0.3)


@dataclass
class LoadResult:
    """Locust's figures: per route and in total."""

    users: int
    seconds: int
    routes: list[dict[str, Any]]
    total: dict[str, Any]
    failures: list[dict[str, str]]
    returncode: int

    @property
    def errors(self) -> int:
        return int(self.total["failures"])


def _row(r: dict[str, str]) -> dict[str, Any]:
    def ms(key: str) -> float | None:
        value = r.get(key, "N/A")
        return None if value in ("N/A", "") else float(value)

    return {
        "route": r["Name"],
        "requests": int(r["Request Count"]),
        "failures": int(r["Failure Count"]),
        "rps": round(float(r["Requests/s"]), 2),
        "p50_ms": ms("50%"),
        "p95_ms": ms("95%"),
        "p99_ms": ms("99%"),
        "max_ms": ms("Max Response Time"),
    }


def locust(gateway_url: str, accounts: Path, users: int, seconds: int, prefix: Path) -> LoadResult:
    """Run the locustfile headless against the gateway; parse its CSV figures."""
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--host",
        gateway_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "SMEFIN_LOAD_ACCOUNTS": str(accounts)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 180)
    stats = list(csv.DictReader(prefix.with_name(prefix.name + "_stats.csv").open()))
    failures_file = prefix.with_name(prefix.name + "_failures.csv")
    failures = list(csv.DictReader(failures_file.open())) if failures_file.exists() else []
    routes = [_row(r) for r in stats if r["Name"] != "Aggregated"]
    total = next(_row(r) for r in stats if r["Name"] == "Aggregated")
    if not routes:
        raise RuntimeError(f"locust ran no request: {done.stdout[-2000:]} {done.stderr[-3000:]}")
    return LoadResult(users, seconds, routes, total, failures[:20], done.returncode)


# -- sampling what the processes hold --------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident memory of one process and its children (uvicorn runs in-process: usually just one)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            continue
    return total


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    kids = [int(k) for k in found]
    return kids + [g for k in kids for g in _children(k)]


@dataclass
class Sampler:
    """Every `every` seconds: each process's RSS and the platform databases' connection count."""

    pids: dict[str, int]
    pg_server_url: str
    databases: list[str]
    every: float = 5.0
    samples: list[dict[str, Any]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    async def _connections(self) -> int:
        conn = await asyncpg.connect(f"{self.pg_server_url}/postgres")
        try:
            n = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[])", self.databases
            )
            return int(n)
        finally:
            await conn.close()

    def _loop(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            sample: dict[str, Any] = {"t": round(time.monotonic() - started, 1)}
            sample |= {f"rss_mib.{name}": round(rss_bytes(pid) / 2**20, 1) for name, pid in self.pids.items()}
            try:
                sample["pg_connections"] = asyncio.run(self._connections())
            except (OSError, asyncpg.PostgresError) as exc:
                sample["pg_connections"] = None
                sample["pg_error"] = repr(exc)
            self.samples.append(sample)
            self._stop.wait(self.every)

    @contextmanager
    def running(self) -> Iterator[Sampler]:
        thread = threading.Thread(target=self._loop, name="sampler", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=30)


def _rows(result: LoadResult) -> list[dict[str, Any]]:
    slowest = max(result.routes, key=lambda r: r["p95_ms"] or 0)
    label = f"{result.users} users, {result.seconds} s"
    return [
        {
            "path": f"load via gateway ({label}): requests/s, errors",
            "ours": result.total["rps"],
            "ceiling": None,
            "unit": "req/s",
            "goal": "0 errors",
            "met": result.errors == 0,
            "errors": result.errors,
        },
        {
            "path": f"load via gateway ({label}): slowest route p95 ({slowest['route']})",
            "ours": slowest["p95_ms"],
            "ceiling": None,
            "unit": "ms",
            "goal": f"p95 <= {P95_GOAL_MS:g} ms on every route",
            "met": (slowest["p95_ms"] or 0) <= P95_GOAL_MS,
            "lower_is_better": True,
        },
    ]


def print_table(result: LoadResult) -> None:
    """Per-route figures as the README quotes them."""
    print("| route | requests | errors | p50 ms | p95 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in [*sorted(result.routes, key=lambda r: str(r["route"])), result.total]:
        print(
            f"| {r['route']} | {r['requests']} | {r['failures']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
        )
    print(f"throughput {result.total['rps']} req/s, {result.errors} errors", flush=True)


def run() -> dict[str, Any]:
    """Start the platform, prepare the accounts, run the short load, stop everything."""
    from tests.support.infra import start_infra
    from tests.support.platform import running_platform

    RESULTS.mkdir(exist_ok=True)
    infra_gen = start_infra()
    infra = next(infra_gen)
    try:
        with tempfile.TemporaryDirectory(prefix="smefin-load-") as tmp:
            env = {"GATEWAY_RATE_LIMIT_LOGIN": "1000/minute"}
            with running_platform(infra, Path(tmp), env=env) as platform:
                accounts = prepare(
                    platform.gateway.url, USERS, f"b{os.getpid()}", Path(tmp) / "accounts.json"
                )
                result = locust(platform.gateway.url, accounts, USERS, SECONDS, RESULTS / "load")
    finally:
        for _ in infra_gen:  # stops the embedded servers
            pass
    print_table(result)
    if result.failures:
        print("failures:", json.dumps(result.failures, ensure_ascii=False)[:2000])
    return {
        "load_average": round(os.getloadavg()[0], 1),  # the machine is shared: read figures beside it
        "users": result.users,
        "seconds": result.seconds,
        "total": result.total,
        "routes": result.routes,
        "failures": result.failures,
        "rows": _rows(result),
    }
