"""Small helpers for the fairs tests: a fair body, the events service, reading published events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from fairs.main import MIGRATIONS, create_app
from fairs.settings import Settings
from smefin.contracts import Topic
from tests.support.infra import Infra
from tests.support.services import RunningService, run_service


def day(days_ahead: int = 10) -> datetime:
    """Midnight UTC some days ahead (the fair's day)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days_ahead)


def fair_body(**extra: Any) -> dict[str, Any]:
    """A fair in Ordos two sessions of one hour with 20-minute slots: six slots."""
    d = day()
    sessions = [
        {"starts_at": (d + timedelta(hours=1)).isoformat(), "ends_at": (d + timedelta(hours=2)).isoformat()},
        {"starts_at": (d + timedelta(hours=5)).isoformat(), "ends_at": (d + timedelta(hours=6)).isoformat()},
    ]
    return {
        "name": "鄂尔多斯市银企对接会",
        "league_codes": ["150600"],
        "industries": ["C"],
        "venue": "Ordos convention centre, hall B",
        "sessions": sessions,
        "slot_minutes": 20,
        "tables": 10,
    } | extra


@asynccontextmanager
async def events_service(infra: Infra, topic_prefix: str, **overrides: Any) -> AsyncIterator[RunningService]:
    """The events service on a fresh database."""
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, **overrides
    ) as svc:
        yield svc


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (the body is shown when it does not)."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json()


async def fair_events(
    infra: Infra, topic_prefix: str, want: int, timeout_ms: int = 20000
) -> list[dict[str, Any]]:
    """The first `want` envelopes published on the fairs topic (as dicts)."""
    consumer = AIOKafkaConsumer(
        topic_prefix + Topic.FAIRS,
        bootstrap_servers=infra.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    out: list[dict[str, Any]] = []
    try:
        deadline = datetime.now(UTC) + timedelta(milliseconds=timeout_ms)
        while len(out) < want and datetime.now(UTC) < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                out.extend(json.loads(r.value) for r in records if r.value is not None)
    finally:
        await consumer.stop()
    return out
