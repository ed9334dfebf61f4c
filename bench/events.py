"""Benchmark: commit -> effect latency of an event between two services, at 500 events/s.

Service A (this process) commits a state row and its event through the outbox, one transaction per
event, from a paced loop; its relay publishes. Service B (a child process, as in production) runs the
idempotent consumer, whose handler records the effect with its time. Latency = effect time - commit
time, both from the same host clock. The ceiling, in the same run: bare aiokafka, a producer sending
at the same rate and a consumer in the same process timing the delivery (no database, no outbox).

Embedded PostgreSQL and broker are started here unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS say
otherwise, so `make bench` needs nothing running.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from smefin_dev.devinfra import EmbeddedBroker, EmbeddedPostgres, create_databases
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Uuid, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from smefin.consumer import EventConsumer
from smefin.contracts import Envelope, EventPayload, event
from smefin.db import Database
from smefin.kafka import ensure_topics
from smefin.outbox import MessagingTables, Outbox, OutboxRelay

TOPIC = "smefin.bench"
RATE, SECONDS = 500, 10

metadata = MetaData()
tables = MessagingTables.attach(metadata)
orders = Table("bench_order", metadata, Column("id", Integer, primary_key=True), Column("note", String(40)))
effects = Table(
    "bench_effect",
    metadata,
    Column("event_id", Uuid, nullable=False),
    Column("effect_at", Float, nullable=False),
)


@event("bench.order_placed", topic=TOPIC)
class OrderPlaced(EventPayload):
    """The benchmark's event."""

    order_id: int


def _server(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.split("+")[0], parts.netloc, "", "", ""))


@contextmanager
def infrastructure() -> Iterator[tuple[str, str]]:
    """(PostgreSQL server URL, bootstrap): configured ones, or embedded ones started here."""
    with tempfile.TemporaryDirectory(prefix="smefin-bench-") as tmp:
        pg = broker = None
        try:
            if url := os.environ.get("DATABASE_URL"):
                server = _server(url)
            else:
                pg = EmbeddedPostgres(Path(tmp) / "pg").start()
                server = pg.url
            if not (bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")):
                broker = EmbeddedBroker(log_path=Path(tmp) / "broker.log").start()
                bootstrap = broker.bootstrap
            yield server, bootstrap
        finally:
            if broker is not None:
                broker.stop()
            if pg is not None:
                pg.stop()


async def _effect(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    conn = await session.connection()
    await conn.execute(insert(effects).values(event_id=envelope.event_id, effect_at=time.time()))


async def consumer_main(db_url: str, bootstrap: str, prefix: str) -> None:
    """Service B: the idempotent consumer until stdin closes."""
    db = Database(db_url)
    consumer = EventConsumer(
        name="bench.effects",
        db=db,
        processed_table=tables.processed_events,
        topics=[prefix + TOPIC],
        handlers={"bench.order_placed": _effect},
        bootstrap=bootstrap,
        group_id=f"{prefix}bench",
    )
    task = asyncio.create_task(consumer.run())
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await consumer.stop()
    with suppress(Exception):
        await asyncio.wait_for(task, 10)
    await db.dispose()


async def _paced(rate: float, seconds: float, send: Any, workers: int = 4) -> None:
    """Call `send(i)` at `rate` per second for `seconds`, from a few concurrent tasks."""
    t0, n = time.perf_counter(), int(rate * seconds)

    async def worker(w: int) -> None:
        for i in range(w, n, workers):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await send(i)

    await asyncio.gather(*(worker(w) for w in range(workers)))


def _percentiles(ms: np.ndarray) -> dict[str, float]:
    if len(ms) == 0:
        return {}
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
    }


async def outbox_path(
    server: str, bootstrap: str, prefix: str, rate: float, seconds: float
) -> dict[str, Any]:
    """Service A commits, its relay publishes, service B applies: the measured path."""
    name_a, name_b = f"{prefix}a".replace(".", "_"), f"{prefix}b".replace(".", "_")
    await asyncio.to_thread(create_databases, server, [name_a, name_b])
    db_a, db_b = Database(f"{server}/{name_a}"), Database(f"{server}/{name_b}")
    for db in (db_a, db_b):
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    await ensure_topics(bootstrap, [prefix + TOPIC, prefix + TOPIC + ".dlq"])
    child = subprocess.Popen(  # noqa: ASYNC220 - started once, before timing
        [sys.executable, "-m", "bench.events", "consumer", f"{server}/{name_b}", bootstrap, prefix],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    await asyncio.to_thread(child.stdout.readline)
    outbox = Outbox(tables.outbox, source="bench")
    relay = OutboxRelay(
        db_a, tables.outbox, bootstrap=bootstrap, client_id="bench.relay", topic_prefix=prefix
    )
    relay_task = asyncio.create_task(relay.run())
    committed: dict[uuid.UUID, float] = {}
    try:
        # Warm up: the consumer joins its group and both sides connect before timing starts.
        async def place(i: int) -> None:
            async with db_a.unit_of_work() as session:
                conn = await session.connection()
                await conn.execute(insert(orders).values(id=i, note="bench"))
                env = await outbox.add(session, OrderPlaced(order_id=i), subject=str(i % 64))
            committed[env.event_id] = time.time()

        for i in range(20):
            await place(1_000_000 + i)
        await _wait_effects(db_b, 20, timeout=60)
        committed.clear()
        started = time.perf_counter()
        await _paced(rate, seconds, place)
        produce_seconds = time.perf_counter() - started
        await _wait_effects(db_b, 20 + len(committed), timeout=30)
        await asyncio.sleep(1.0)  # a grace period, so duplicates would show
    finally:
        child.stdin.close()
        await asyncio.to_thread(child.wait, 20)
        await relay.stop()
        relay_task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await relay_task
    async with db_b.engine.connect() as conn:
        rows = (await conn.execute(select(effects.c.event_id, effects.c.effect_at))).all()
    async with db_a.engine.connect() as conn:
        # sent_at is now() of the relay's claiming transaction: when the relay picked the row up.
        claimed = {
            eid: float(at)
            for eid, at in (
                await conn.execute(
                    text("SELECT event_id, extract(epoch FROM sent_at) FROM outbox WHERE sent_at IS NOT NULL")
                )
            ).all()
        }
    await db_a.dispose()
    await db_b.dispose()
    seen: dict[uuid.UUID, int] = {}
    lat = []
    for eid, at in rows:
        seen[eid] = seen.get(eid, 0) + 1
        if eid in committed and seen[eid] == 1:
            lat.append((at - committed[eid]) * 1000)
    pickup = np.array([(claimed[e] - t) * 1000 for e, t in committed.items() if e in claimed])
    return {
        "events": len(committed),
        "commit_to_relay_pickup": _percentiles(pickup),
        "offered_rate": rate,
        "achieved_rate": round(len(committed) / produce_seconds, 1),
        **_percentiles(np.array(lat)),
        "lost": sum(1 for e in committed if e not in seen),
        "applied_twice": sum(1 for n in seen.values() if n > 1),
    }


async def _wait_effects(db: Database, n: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        async with db.engine.connect() as conn:
            have = (
                await conn.execute(text("SELECT count(DISTINCT event_id) FROM bench_effect"))
            ).scalar_one()
        if have >= n:
            return
        await asyncio.sleep(0.2)


async def bare_kafka(bootstrap: str, prefix: str, rate: float, seconds: float) -> dict[str, Any]:
    """The ceiling: produce and consume through the same broker, no database in between."""
    topic = prefix + "bare"
    await ensure_topics(bootstrap, [topic])
    # The same client settings as the relay and the consumer use.
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=0, enable_idempotence=False
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}bare",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=5,
    )
    await producer.start()
    await consumer.start()
    lat: list[float] = []
    expected = int(rate * seconds)

    async def receive() -> None:
        while len(lat) < expected:
            for recs in (await consumer.getmany(timeout_ms=200)).values():
                now = time.time()
                lat.extend(
                    (now - json.loads(r.value)["t"]) * 1000 for r in recs if json.loads(r.value)["t"] > 0
                )

    try:
        await producer.send_and_wait(topic, json.dumps({"t": 0}).encode())  # warm up
        rx = asyncio.create_task(receive())
        await asyncio.sleep(2.0)  # group join

        async def send(i: int) -> None:
            await producer.send(topic, json.dumps({"t": time.time()}).encode(), key=str(i % 64).encode())

        await _paced(rate, seconds, send)
        with suppress(TimeoutError):
            await asyncio.wait_for(rx, 20)
    finally:
        await producer.stop()
        await consumer.stop()
    return {"events": len(lat), **_percentiles(np.array(lat))}


def run(rate: float = RATE, seconds: float = SECONDS) -> dict[str, Any]:
    """Both paths in one run, then the rows."""
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    with infrastructure() as (server, bootstrap):
        print(f"  bare broker at {rate:.0f} events/s for {seconds:.0f} s (the ceiling) ...", flush=True)
        ceiling = asyncio.run(bare_kafka(bootstrap, prefix, rate, seconds))
        print(f"    {ceiling}", flush=True)
        print(f"  outbox -> relay -> broker -> idempotent consumer at {rate:.0f} events/s ...", flush=True)
        ours = asyncio.run(outbox_path(server, bootstrap, prefix, rate, seconds))
        print(f"    {ours}", flush=True)
    rows = [
        {
            "path": "commit -> consumer effect, p50",
            "ours": ours.get("p50_ms"),
            "ceiling": ceiling.get("p50_ms"),
            "unit": "ms",
            "lower_is_better": True,
            "goal": "p50 <= 20 ms",
            "met": ours.get("p50_ms", 1e9) <= 20,
        },
        {
            "path": "commit -> consumer effect, p99",
            "ours": ours.get("p99_ms"),
            "ceiling": ceiling.get("p99_ms"),
            "unit": "ms",
            "lower_is_better": True,
            "goal": "p99 <= 100 ms, 0 lost, 0 applied twice",
            "met": ours.get("p99_ms", 1e9) <= 100 and ours["lost"] == 0 and ours["applied_twice"] == 0,
        },
    ]
    return {"outbox_path": ours, "bare_broker": ceiling, "rows": rows}


if __name__ == "__main__":
    if sys.argv[1:2] == ["consumer"]:
        asyncio.run(consumer_main(*sys.argv[2:5]))
    else:
        print(json.dumps(run(*map(float, sys.argv[1:3])), indent=2))
