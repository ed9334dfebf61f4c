"""Helpers for credit-info integration tests: a running service and a broker listener."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiokafka import AIOKafkaConsumer

from credit_info.main import MIGRATIONS, create_app
from credit_info.settings import Settings
from smefin.kafka import ensure_topics
from tests.support.infra import Infra
from tests.support.services import RunningService, run_service


@asynccontextmanager
async def credit_info(infra: Infra, topic_prefix: str, **overrides: Any) -> AsyncIterator[RunningService]:
    """credit-info on a fresh database with its own topics."""
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, **overrides
    ) as svc:
        yield svc


@asynccontextmanager
async def listen(infra: Infra, topic: str) -> AsyncIterator[list[dict[str, Any]]]:
    """Collect every envelope published on `topic` from the beginning."""
    await ensure_topics(infra.bootstrap, [topic])
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=infra.bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    seen: list[dict[str, Any]] = []

    async def collect() -> None:
        async for record in consumer:
            seen.append(json.loads(record.value or b"{}"))

    task = asyncio.create_task(collect())
    try:
        yield seen
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
