"""The services as real processes, started the way `make run` starts them: one uvicorn per service,
each in its own process group on a free port, against the test session's PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from smefin_dev.devinfra import free_port
from smefin_dev.devrun import SERVICES, UVICORN_SPEED, ServiceProcess

from smefin.migrations import upgrade
from tests.support.infra import Infra
from tests.support.services import create_database


@dataclass
class ServiceUnderTest:
    """One running service process."""

    spec: ServiceProcess
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """SIGTERM the process group; SIGKILL what is left after 15 s."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def spawn_uvicorn(
    factory: str, port: int, env: dict[str, str], log: Path, *extra: str
) -> subprocess.Popen[bytes]:
    """`uvicorn --factory <factory>` on 127.0.0.1:port in its own process group, output to `log`."""
    cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*cmd, "--no-access-log", *UVICORN_SPEED, *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def service_spec(name: str) -> ServiceProcess:
    """The `make run` description of service `name`."""
    return next(s for s in SERVICES if s.name == name)


def service_env(spec: ServiceProcess, database_url: str, infra: Infra, topic_prefix: str) -> dict[str, str]:
    """The environment a service process runs with under test: its database, the broker, its topics."""
    p = spec.env_prefix
    return dict(os.environ) | {
        f"{p}DATABASE_URL": database_url,
        f"{p}KAFKA_BOOTSTRAP_SERVERS": infra.bootstrap,
        f"{p}TOPIC_PREFIX": topic_prefix,
        f"{p}ENVIRONMENT": "test",
        f"{p}LOG_JSON": "false",
    }


@contextmanager
def service_process(
    name: str, infra: Infra, log_dir: Path, *, topic_prefix: str, **env: str
) -> Iterator[ServiceUnderTest]:
    """Start service `name` on a fresh, migrated database; yield once /readyz answers 200."""
    spec = service_spec(name)
    url = asyncio.run(create_database(infra))
    upgrade(importlib.import_module(f"{spec.package}.main").MIGRATIONS, url)
    port = free_port()
    child_env = service_env(spec, url, infra, topic_prefix) | env
    log = log_dir / f"{name}.log"
    proc = spawn_uvicorn(f"{spec.package}.main:create_app", port, child_env, log)
    service = ServiceUnderTest(spec, port, proc, log)
    try:
        _wait_ready(service)
        yield service
    finally:
        service.stop()


def _wait_ready(service: ServiceUnderTest, timeout: float = 90, probe: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if service.proc.poll() is not None:
                raise RuntimeError(f"{service.spec.name} exited: {service.log.read_text()[-3000:]}")
            try:
                if client.get(f"{service.url}{probe}").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise TimeoutError(f"{service.spec.name} not ready after {timeout}s: {service.log.read_text()[-3000:]}")


@contextmanager
def gateway_process(
    infra: Infra, log_dir: Path, upstreams: dict[str, str], database_url: str, **env: str
) -> Iterator[ServiceUnderTest]:
    """Start the gateway as a real uvicorn process in front of `upstreams` (service name → URL) on a
    migrated identity database; yield once /healthz answers (services it does not front stay absent)."""
    port = free_port()
    child_env = dict(os.environ)
    child_env.update(
        {
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_ENVIRONMENT": "test",
            "GATEWAY_LOG_JSON": "false",
            **{f"GATEWAY_{name.upper().replace('-', '_')}_URL": url for name, url in upstreams.items()},
            **env,
        }
    )
    log = log_dir / "gateway.log"
    proc = spawn_uvicorn("gateway.main:create_app", port, child_env, log)
    spec = ServiceProcess("gateway", "gateway", "GATEWAY_", port)
    gateway = ServiceUnderTest(spec, port, proc, log)
    try:
        _wait_ready(gateway, probe="/healthz")
        yield gateway
    finally:
        gateway.stop()
