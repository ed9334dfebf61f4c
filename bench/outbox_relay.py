"""Benchmark: how many events a second the outbox relay publishes — one relay, then two relays on
one outbox (claims by FOR UPDATE SKIP LOCKED) — against a ceiling measured in the same run: the
same messages sent by a bare producer with the same settings, no database. Embedded PostgreSQL and
broker (or TEST_DATABASE_URL / TEST_KAFKA_BOOTSTRAP_SERVERS). deploy/k8s/README sizes from it."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres, create_databases
from sqlalchemy import delete, insert

from fairs.db.tables import messaging
from fairs.main import MIGRATIONS
from smefin.contracts.envelope import Topic
from smefin.db import Database
from smefin.kafka import all_topics, ensure_topics, make_producer
from smefin.migrations import upgrade
from smefin.outbox import OutboxRelay

# About the size of a real envelope (a match.proposed with reasons is 0.5-1 KB).
BODY = {"reasons": ["amount within 10万-500万 yuan", "league 150100 served", "grade A meets A-"] * 6}


def rows(n: int) -> list[dict[str, Any]]:
    """`n` outbox rows over 500 aggregates, as services write them."""
    return [
        {
            "event_id": uuid.uuid4(),
            "topic": Topic.FINANCING,
            "key": f"request-{i % 500}",
            "event_type": "match.proposed",
            "body": {"event_id": str(uuid.uuid4()), "subject": f"request-{i % 500}", "payload": BODY},
            "headers": {"type": "match.proposed"},
        }
        for i in range(n)
    ]


async def fill(db: Database, n: int) -> None:
    """An outbox of `n` unsent rows and nothing sent before (so no relay sees a replay window)."""
    async with db.engine.begin() as conn:
        await conn.execute(delete(messaging.outbox))
        await conn.execute(insert(messaging.outbox), rows(n))


async def drain(relay: OutboxRelay) -> int:
    sent = 0
    while (batch := await relay.publish_batch()) > 0:
        sent += batch
    return sent


async def measure(db_url: str, bootstrap: str, n: int) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    await ensure_topics(bootstrap, [prefix + t for t in all_topics()], partitions=12)
    db = Database(db_url)
    figures: dict[str, Any] = {"events": n, "batch_size": 200, "partitions": 12}
    try:
        # Ceiling: the same messages through a bare producer (acks=all, as the relay), no database.
        producer = make_producer(bootstrap, client_id="bench.ceiling")
        await producer.start()
        try:
            payloads = [(r["key"].encode(), json.dumps(r["body"]).encode()) for r in rows(n)]
            started = time.perf_counter()
            for s in range(0, n, 200):
                futures = [
                    await producer.send(prefix + Topic.FINANCING, value=v, key=k)
                    for k, v in payloads[s : s + 200]
                ]
                await asyncio.gather(*futures)
            ceiling = time.perf_counter() - started
        finally:
            await producer.stop()
        figures["producer_ceiling_events_per_second"] = round(n / ceiling)

        for relays in (1, 2):
            await fill(db, n)
            fleet = [
                OutboxRelay(
                    db,
                    messaging.outbox,
                    bootstrap=bootstrap,
                    client_id=f"bench.relay{i}",
                    topic_prefix=prefix,
                )
                for i in range(relays)
            ]
            for relay in fleet:
                await relay._connect()  # connect outside the timing, as a running relay already is
            started = time.perf_counter()
            sent = await asyncio.gather(*(drain(r) for r in fleet))
            seconds = time.perf_counter() - started
            for relay in fleet:
                await relay.stop()
            assert sum(sent) == n, f"{relays} relays sent {sum(sent)} of {n}"
            figures[f"relays_{relays}"] = {
                "seconds": round(seconds, 2),
                "events_per_second": round(n / seconds),
                "sent_per_relay": sent,
                "of_ceiling": round(ceiling / seconds, 3),
            }
    finally:
        await db.dispose()
    return figures


def run(n: int = 10_000) -> dict[str, Any]:
    """Start (or use) PostgreSQL and a broker, migrate an outbox, and time the relays."""
    with tempfile.TemporaryDirectory(prefix="smefin-bench-") as tmp:
        pg = broker = None
        try:
            if url := os.environ.get("TEST_DATABASE_URL"):
                server = url.rsplit("/", 1)[0]
            else:
                pg = EmbeddedPostgres(Path(tmp) / "pg").start()
                server = pg.url
            if not (bootstrap := os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS", "")):
                broker = EmbeddedBroker(log_path=Path(tmp) / "broker.log").start()
                bootstrap = broker.bootstrap
            name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
            create_databases(server, [name])
            upgrade(MIGRATIONS, f"{server}/{name}")
            print(f"relaying {n:,} events: bare producer, then one relay, then two")
            figures = asyncio.run(measure(f"{server}/{name}", bootstrap, n))
            figures["broker"] = "external" if broker is None else "embedded Tansu (memory)"
            return figures
        finally:
            if broker is not None:
                broker.stop()
            if pg is not None:
                pg.stop()
