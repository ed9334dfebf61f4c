"""Session-wide PostgreSQL and Kafka-protocol broker: external when TEST_* variables say so,
embedded otherwise (started by the tests themselves, never assumed to be installed)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres


@dataclass
class Infra:
    """Where the tests' servers are."""

    pg_server_url: str  # postgresql://user@host:port (no database)
    bootstrap: str
    broker: EmbeddedBroker | None = None
    pg: EmbeddedPostgres | None = None  # embedded only: a fault test may restart it

    def database_url(self, name: str) -> str:
        """URL of database `name` on the test server."""
        return f"{self.pg_server_url}/{name}"


def _server_part(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.replace("+asyncpg", ""), parts.netloc, "", "", ""))


def start_infra() -> Iterator[Infra]:
    """Yield the servers for a test session and stop the embedded ones afterwards."""
    pg: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    tmp = tempfile.TemporaryDirectory(prefix="smefin-test-")
    try:
        if url := os.environ.get("TEST_DATABASE_URL"):
            pg_url = _server_part(url)
        else:
            pg = EmbeddedPostgres(Path(tmp.name) / "pg").start()
            pg_url = pg.url
        if bootstrap := os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS"):
            pass
        else:
            broker = EmbeddedBroker(log_path=Path(tmp.name) / "broker.log").start()
            bootstrap = broker.bootstrap
        yield Infra(pg_server_url=pg_url, bootstrap=bootstrap, broker=broker, pg=pg)
    finally:
        if broker is not None:
            broker.stop()
        if pg is not None:
            pg.stop()
        tmp.cleanup()
