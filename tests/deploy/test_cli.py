"""The commands the cluster's Jobs run, against the real PostgreSQL and broker: `python -m smefin.cli
migrate <service>` reads the service's own DATABASE_URL; `topics` creates every topic and its twin."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from smefin import cli
from smefin.kafka import all_topics
from tests.support.infra import Infra
from tests.support.services import create_database

pytestmark = pytest.mark.integration


async def alembic_head(url: str) -> str | None:
    conn = await asyncpg.connect(url)
    try:
        if not await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL"):
            return None
        return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await conn.close()


async def test_migrate_reads_the_services_own_database_url_and_is_repeatable(
    infra: Infra, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await create_database(infra, "cli")
    monkeypatch.setenv("GUARANTEE_REGISTRY_DATABASE_URL", url)
    assert await alembic_head(url) is None
    said = await asyncio.to_thread(cli.migrate, "guarantee-registry")
    assert said == "guarantee-registry: database migrated to head"
    head = await alembic_head(url)
    assert head is not None
    # The next rollout's Job runs it again: nothing changes, nothing fails.
    await asyncio.to_thread(cli.migrate, "guarantee-registry")
    assert await alembic_head(url) == head


def test_migrate_of_a_service_without_migrations_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "no_tables_yet"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text('"""A service without a database."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.SERVICE_PACKAGES, "no-tables-yet", "no_tables_yet")
    assert cli.migrate("no-tables-yet") == "no-tables-yet: no migrations defined; nothing to do"


def test_an_unknown_service_is_refused_with_the_choices() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smefin.cli", "migrate", "credit_inf"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 2
    assert "invalid choice: 'credit_inf'" in result.stderr
    assert "credit-info" in result.stderr


async def test_topics_creates_every_topic_and_its_twin_once(
    infra: Infra, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMEFIN_KAFKA_BOOTSTRAP_SERVERS", infra.bootstrap)
    monkeypatch.setenv("SMEFIN_TOPIC_PREFIX", topic_prefix)
    created = await asyncio.to_thread(cli.topics, partitions=2, replication=1)
    wanted = sorted(topic_prefix + t for t in all_topics())
    assert sorted(created) == wanted
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.bootstrap)
    await admin.start()
    try:
        assert set(wanted) <= set(await admin.list_topics())
    finally:
        await admin.close()
    assert await asyncio.to_thread(cli.topics, partitions=2, replication=1) == []


def test_topics_refuses_out_of_range_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["topics", "--partitions", "0"])
    assert exit_.value.code == 2
    assert "--partitions must be 1..1000" in capsys.readouterr().err
