"""The whole platform as real processes, the way `make run` starts it: four services and the gateway,
one uvicorn each, each in its own process group on a free port, against the test session's PostgreSQL
and broker, so a test can kill, pause and restart any one of them (or the broker, or PostgreSQL).

The gateway accepts operator tokens here (as under `make run`), so a test acts as any principal with
`bearer(...)`; password logins and API keys work as well (the office admin is bootstrapped).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from smefin_dev.devinfra import free_port
from smefin_dev.devrun import SERVICES, ServiceProcess

from smefin.kafka import all_topics, ensure_topics
from smefin.migrations import upgrade
from tests.support.infra import Infra
from tests.support.processes import service_env, spawn_uvicorn
from tests.support.services import create_database

OFFICE_EMAIL = "office@platform.test"
OFFICE_PASSWORD = "office-password-long"
GATEWAY_URL_VARIABLE = {
    "credit-info": "GATEWAY_CREDIT_INFO_URL",
    "loan-matching": "GATEWAY_LOAN_MATCHING_URL",
    "guarantee-registry": "GATEWAY_GUARANTEE_REGISTRY_URL",
    "events": "GATEWAY_EVENTS_URL",
}


@dataclass
class Process:
    """One uvicorn process that can be killed, paused and started again on the same port and data."""

    name: str
    factory: str
    port: int
    env: dict[str, str]
    log: Path
    database_url: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Spawn the process in a new process group (so signals reach uvicorn and nothing else)."""
        self.proc = spawn_uvicorn(
            self.factory, self.port, self.env, self.log, "--timeout-graceful-shutdown", "5"
        )

    def signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the process group."""
        assert self.proc is not None, f"{self.name} was never started"
        assert self.proc.poll() is None, f"{self.name} is not running"
        os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, in-flight requests and relay batches are cut off."""
        self.signal(signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait()

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group; SIGKILL what is left after `timeout`."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGCONT)  # a paused process cannot stop
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def restart(self) -> float:
        """Start again after a stop or kill; seconds until /readyz answers 200."""
        started = time.monotonic()
        self.start()
        self.wait_ready()
        return time.monotonic() - started

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            if self.ready():
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s: {self.log.read_text()[-3000:]}")


@dataclass
class PlatformUnderTest:
    """The running platform: processes by name ('gateway', 'credit-info', …) and the shared topics."""

    infra: Infra
    topic_prefix: str
    processes: dict[str, Process] = field(default_factory=dict)

    @property
    def gateway(self) -> Process:
        return self.processes["gateway"]

    def __getitem__(self, name: str) -> Process:
        return self.processes[name]

    def all_ready(self) -> bool:
        """Every process answers /readyz with 200 (the gateway's own checks its upstreams)."""
        return all(p.ready() for p in self.processes.values())

    def wait_all_ready(self, timeout: float = 120) -> float:
        """Seconds until every process is ready again, measured from now."""
        started = time.monotonic()
        deadline = started + timeout
        while not self.all_ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"platform not ready after {timeout}s")
            time.sleep(0.2)
        return time.monotonic() - started


def _new_database(infra: Infra, prefix: str) -> str:
    return asyncio.run(create_database(infra, prefix))


def _service(
    spec: ServiceProcess, infra: Infra, log_dir: Path, topic_prefix: str, env: dict[str, str]
) -> Process:
    url = _new_database(infra, spec.package[:6])
    upgrade(importlib.import_module(f"{spec.package}.main").MIGRATIONS, url)
    child_env = service_env(spec, url, infra, topic_prefix) | {f"{spec.env_prefix}OUTBOX_POLL_SECONDS": "0.1"}
    child_env.update(env)
    return Process(
        spec.name,
        f"{spec.package}.main:create_app",
        free_port(),
        child_env,
        log_dir / f"{spec.name}.log",
        url,
    )


def _gateway(infra: Infra, log_dir: Path, services: dict[str, Process], env: dict[str, str]) -> Process:
    url = _new_database(infra, "gw")
    upgrade(importlib.import_module("gateway.main").MIGRATIONS, url)
    bootstrap = importlib.import_module("gateway.bootstrap")
    asyncio.run(bootstrap.bootstrap_office(url, email=OFFICE_EMAIL, password=OFFICE_PASSWORD))
    child_env = dict(os.environ) | {
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_ENVIRONMENT": "test",
        "GATEWAY_LOG_JSON": "false",
        "GATEWAY_ACCEPT_OPERATOR_TOKENS": "true",
        # Every test client calls from 127.0.0.1: the per-address limit would throttle the load itself.
        "GATEWAY_RATE_LIMIT_PER_ADDRESS": "100000/minute",
        "GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "100000/minute",
    }
    child_env |= {GATEWAY_URL_VARIABLE[name]: svc.url for name, svc in services.items()}
    child_env.update(env)
    return Process("gateway", "gateway.main:create_app", free_port(), child_env, log_dir / "gateway.log", url)


@contextmanager
def running_platform(
    infra: Infra,
    log_dir: Path,
    *,
    services: tuple[str, ...] = ("credit-info", "loan-matching", "guarantee-registry", "events"),
    topic_prefix: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[PlatformUnderTest]:
    """Migrate fresh databases, create the topics, start `services` and the gateway; stop all after."""
    prefix = topic_prefix or f"p{uuid.uuid4().hex[:8]}."
    extra = env or {}
    platform = PlatformUnderTest(infra, prefix)
    asyncio.run(ensure_topics(infra.bootstrap, [prefix + t for t in all_topics()]))
    with ExitStack() as stack:
        # Each process starts as soon as its database is migrated: its boot overlaps the next migration.
        for spec in SERVICES:
            if spec.name in services:
                svc = _service(spec, infra, log_dir, prefix, extra)
                platform.processes[spec.name] = svc
                stack.callback(svc.stop)
                svc.start()
        gateway = _gateway(infra, log_dir, dict(platform.processes), extra)
        platform.processes["gateway"] = gateway
        stack.callback(gateway.stop)
        gateway.start()
        for process in platform.processes.values():
            process.wait_ready()
        yield platform


def signal_name(sig: int) -> str:
    """For messages: 'SIGKILL' rather than 9."""
    return signal.Signals(sig).name
