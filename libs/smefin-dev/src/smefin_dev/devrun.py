"""`make run`: the whole platform on one machine.

Starts an embedded PostgreSQL and an embedded Kafka-protocol broker unless DATABASE_URL /
KAFKA_BOOTSTRAP_SERVERS point at real ones, creates one database per service, migrates them, creates
the topics, starts the four services and the gateway, waits until all are ready, and prints the
address. Ctrl-C stops everything. Data lives in SMEFIN_DATA_DIR (default `.data/`); `make reset`
wipes it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from smefin.kafka import all_topics, ensure_topics
from smefin.migrations import upgrade
from smefin_dev import demo
from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres, create_databases

# uvicorn's fast event loop and HTTP parser (pinned in requirements.txt); the k8s commands name them too.
UVICORN_SPEED = ["--loop", "uvloop", "--http", "httptools"]


@dataclass(frozen=True)
class ServiceProcess:
    """How to start one service."""

    name: str
    package: str
    env_prefix: str
    port: int

    @property
    def database(self) -> str:
        return f"smefin_{self.package}"


SERVICES = [
    ServiceProcess("credit-info", "credit_info", "CREDIT_INFO_", 8001),
    ServiceProcess("loan-matching", "loan_matching", "LOAN_MATCHING_", 8002),
    ServiceProcess("guarantee-registry", "guarantee_registry", "GUARANTEE_REGISTRY_", 8003),
    ServiceProcess("events", "fairs", "FAIRS_", 8004),
]
GATEWAY_PORT = 8000
GATEWAY_DATABASE = "smefin_gateway"


def say(message: str) -> None:
    """Progress for the person at the terminal."""
    print(f"[make run] {message}", flush=True)


def server_url(database_url: str) -> str:
    """Strip the database name and driver from a URL."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme.split("+")[0], parts.netloc, "", "", ""))


class Platform:
    """Everything `make run` starts, so it can all be stopped again."""

    def __init__(self, data_dir: Path, host: str) -> None:
        self.data_dir = data_dir
        self.host = host
        self.pg: EmbeddedPostgres | None = None
        self.broker: EmbeddedBroker | None = None
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start_infrastructure(self) -> tuple[str, str]:
        """(PostgreSQL server URL, Kafka bootstrap), embedded where nothing is configured."""
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        if url := os.environ.get("DATABASE_URL"):
            pg_url = server_url(url)
            say(f"PostgreSQL: using DATABASE_URL ({urlsplit(pg_url).hostname})")
        else:
            self.pg = EmbeddedPostgres(
                self.data_dir / "postgres", port=int(os.environ.get("SMEFIN_PG_PORT", 54320))
            )
            self.pg.start()
            pg_url = self.pg.url
            say(f"PostgreSQL: embedded on 127.0.0.1:{self.pg.port}, data in {self.data_dir / 'postgres'}")
        if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            say(f"Kafka: using KAFKA_BOOTSTRAP_SERVERS ({bootstrap})")
        else:
            self.broker = EmbeddedBroker(
                port=int(os.environ.get("SMEFIN_KAFKA_PORT", 19092)),
                log_path=self.data_dir / "logs" / "broker.log",
            )
            self.broker.start()
            bootstrap = self.broker.bootstrap
            say(
                f"Kafka: embedded Tansu broker on {bootstrap} (memory only; the outbox replays after restarts)"
            )
        return pg_url, bootstrap

    def prepare(self, pg_url: str, bootstrap: str) -> None:
        """Databases, migrations, topics."""
        create_databases(pg_url, [s.database for s in SERVICES] + [GATEWAY_DATABASE])
        for s in SERVICES:
            migrations = importlib.import_module(f"{s.package}.main").MIGRATIONS
            upgrade(migrations, f"{pg_url}/{s.database}")
            say(f"{s.name}: database {s.database} migrated")
        # The gateway's identity database, with the office's first admin (the demo office login).
        upgrade(importlib.import_module("gateway.main").MIGRATIONS, f"{pg_url}/{GATEWAY_DATABASE}")
        gateway_bootstrap = importlib.import_module("gateway.bootstrap")
        asyncio.run(
            gateway_bootstrap.bootstrap_office(
                f"{pg_url}/{GATEWAY_DATABASE}",
                email=demo.DEMO_OFFICE_EMAIL,
                password=demo.DEMO_OFFICE_PASSWORD,
            )
        )
        say(f"gateway: database {GATEWAY_DATABASE} migrated, office login ready")
        created = asyncio.run(ensure_topics(bootstrap, all_topics()))
        say(f"topics ready ({len(created)} created)")

    def start_services(self, pg_url: str, bootstrap: str) -> None:
        """Start the four services and the gateway as child processes."""
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        base_env = dict(os.environ)
        gateway_env = dict(base_env)
        gateway_env["GATEWAY_DATABASE_URL"] = f"{pg_url}/{GATEWAY_DATABASE}"
        # The demo loader acts as many principals with operator tokens (it holds the dev secret).
        gateway_env.setdefault("GATEWAY_ACCEPT_OPERATOR_TOKENS", "true")
        for s in SERVICES:
            env = dict(base_env)
            env[f"{s.env_prefix}DATABASE_URL"] = f"{pg_url}/{s.database}"
            env[f"{s.env_prefix}KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
            self._spawn(s.name, f"{s.package}.main:create_app", s.port, env, logs)
            gateway_env[f"GATEWAY_{s.package.upper() if s.package != 'fairs' else 'EVENTS'}_URL"] = (
                f"http://127.0.0.1:{s.port}"
            )
        self._spawn("gateway", "gateway.main:create_app", GATEWAY_PORT, gateway_env, logs, host=self.host)

    def _spawn(
        self, name: str, factory: str, port: int, env: dict[str, str], logs: Path, host: str = "127.0.0.1"
    ) -> None:
        out = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - open for the child's lifetime
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            host,
            "--port",
            str(port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
            *UVICORN_SPEED,
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.children.append((name, proc))

    def wait_ready(self, timeout: float = 120) -> None:
        """Poll every /readyz, then the gateway's, which reports them all."""
        deadline = time.monotonic() + timeout
        targets = [(s.name, s.port) for s in SERVICES] + [("gateway", GATEWAY_PORT)]
        with httpx.Client(timeout=5) as client:
            for name, port in targets:
                while True:
                    for child, proc in self.children:
                        if proc.poll() is not None:
                            raise RuntimeError(
                                f"{child} exited with {proc.returncode}; see {self.data_dir}/logs/{child}.log"
                            )
                    try:
                        if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                            say(f"{name}: ready on 127.0.0.1:{port}")
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"{name} not ready after {timeout}s; see {self.data_dir}/logs/{name}.log"
                        )
                    time.sleep(0.2)

    def stop(self) -> None:
        """Stop the children, then the broker and PostgreSQL; leave nothing behind."""
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                proc.terminate()
        for name, proc in reversed(self.children):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in time; killing it")
                proc.kill()
                proc.wait()
        self.children.clear()
        if self.broker is not None:
            self.broker.stop()
        if self.pg is not None:
            self.pg.stop()


def show_where_to_look(gateway: str, logins: demo.DemoLogins) -> None:
    """How to log in as the demo office, bank (with an API key), SME, guarantor and organizer."""
    months = demo.report_months(date.today())
    login = f"curl -s {gateway}/api/v1/auth/login -H 'content-type: application/json'"
    token = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
    say(f"demo logins (API document: {gateway}/docs):")
    say(f"  office (金融办): {logins.office_email} / {logins.office_password}")
    say(
        f'    export TOKEN=$({login} -d \'{{"email": "{logins.office_email}", "password": "{logins.office_password}"}}\' | {token})'
    )
    say(f'    curl -H "Authorization: Bearer $TOKEN" {gateway}/api/v1/coverage/page > coverage.html')
    say(
        f'    curl -H "Authorization: Bearer $TOKEN" "{gateway}/api/v1/lending-reports/growth?from_month={months[0]}&to_month={months[-1]}"'
    )
    say(
        f"  bank ({logins.bank_org_id}): admin {logins.bank_email} / {logins.bank_password}; API key (shown once):"
    )
    say(f"    export BANK_KEY={logins.bank_api_key}")
    say(f'    curl -H "Authorization: Bearer $BANK_KEY" {gateway}/api/v1/matches')
    say(f"  SME ({logins.sme_uscc}): {logins.sme_email} / {logins.sme_password}")
    say(
        f'    export SME=$({login} -d \'{{"email": "{logins.sme_email}", "password": "{logins.sme_password}"}}\' | {token})'
    )
    say(f'    curl -H "Authorization: Bearer $SME" {gateway}/api/v1/enterprises/{logins.sme_uscc}')
    say(
        f"  guarantee company ({logins.guarantor_org_id}): {logins.guarantor_email} / {logins.guarantor_password}"
    )
    say(
        f"  fair organizer ({logins.organizer_org_id}): {logins.organizer_email} / {logins.organizer_password}"
    )
    say(f"  the site: {gateway}/login (each login opens its own desk)")


def _load_demo(gateway: str, enterprises: int) -> None:
    if asyncio.run(demo.load(gateway, enterprises=enterprises)) == 0:
        try:
            logins = asyncio.run(demo.demo_logins(gateway, enterprises=enterprises))
        except Exception as exc:
            say(f"demo logins could not be prepared: {exc}")
            return
        try:
            for line in asyncio.run(demo.demo_story(gateway, logins)):
                say(f"demo story: {line}")
        except Exception as exc:  # the platform stays usable without the story
            say(f"demo story could not be prepared: {exc}")
        show_where_to_look(gateway, logins)
    else:
        say("demo data could not be loaded (see above); the platform stays up without it")


def run(data_dir: Path, host: str, load_demo: bool = True) -> int:
    """Bring the platform up, load the demo data once, and keep it up until Ctrl-C."""
    started = time.monotonic()
    platform = Platform(data_dir, host)

    def request_stop(signum: int, _: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)  # also when started with SIGINT ignored (background job)
    try:
        pg_url, bootstrap = platform.start_infrastructure()
        platform.prepare(pg_url, bootstrap)
        platform.start_services(pg_url, bootstrap)
        platform.wait_ready()
        say(f"ready in {time.monotonic() - started:.1f}s")
        gateway = f"http://127.0.0.1:{GATEWAY_PORT}"
        if load_demo:
            # In the background: the platform is usable at once while the demo data streams in.
            enterprises = int(os.environ.get("SMEFIN_DEMO_ENTERPRISES", "2000"))
            say(
                f"loading demo data in the background ({enterprises} SMEs; SMEFIN_DEMO_ENTERPRISES changes it)…"
            )
            threading.Thread(target=_load_demo, args=(gateway, enterprises), daemon=True).start()
        else:
            say(
                "demo data: skipped (SMEFIN_DEMO=0 / --no-demo); load it later with python -m smefin_dev.demo"
            )
        say(
            f"the platform answers on http://127.0.0.1:{GATEWAY_PORT}  (API map: /api/v1, one API document: /docs)"
        )
        say(f"logs in {data_dir / 'logs'}; press Ctrl-C to stop")
        while True:
            for name, proc in platform.children:
                if proc.poll() is not None:
                    say(f"{name} exited with {proc.returncode}; stopping everything (see its log)")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("stopping…")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abandon children
        platform.stop()
        say("stopped")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m smefin_dev.devrun")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--data-dir", default=os.environ.get("SMEFIN_DATA_DIR", ".data"))
    parser.add_argument("--host", default=os.environ.get("SMEFIN_HOST", "127.0.0.1"))
    parser.add_argument(
        "--no-demo",
        action="store_true",
        default=os.environ.get("SMEFIN_DEMO", "1") == "0",
        help="do not load the demo data (also SMEFIN_DEMO=0)",
    )
    args = parser.parse_args()
    sys.exit(run(Path(args.data_dir).resolve(), args.host, load_demo=not args.no_demo))


if __name__ == "__main__":
    main()
