"""The shared core's promises, proven against the real PostgreSQL and the real broker.

- an event written in a transaction that rolls back is never published;
- with the broker stopped, events committed meanwhile are all published, once each, after it returns;
- two relay replicas running at once publish each event once;
- a consumer that dies after its effects but before the offset commit applies the redelivery once;
- a message that always fails lands in the dead-letter topic with its error, and the rest go on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from smefin_dev.devinfra import EmbeddedBroker
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from smefin.consumer import EventConsumer
from smefin.contracts import Envelope, EventPayload, event
from smefin.db import Database
from smefin.logging import request_id_var
from smefin.outbox import MessagingTables, Outbox, OutboxRelay
from tests.support.infra import Infra
from tests.support.services import create_database, eventually

TEST_TOPIC = "smefin.coretest"


@event("coretest.pinged", topic=TEST_TOPIC)
class Pinged(EventPayload):
    """A test event carrying a counter key."""

    key: str


@event("coretest.poisoned", topic=TEST_TOPIC)
class Poisoned(EventPayload):
    """A test event whose handler always fails."""

    note: str


metadata = MetaData()
tables = MessagingTables.attach(metadata)
effects = Table(
    "effects",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("count", Integer, nullable=False),
)


@dataclass
class Core:
    db: Database
    outbox: Outbox
    prefix: str

    @property
    def topic(self) -> str:
        return self.prefix + TEST_TOPIC


@asynccontextmanager
async def core_db(infra: Infra, prefix: str) -> AsyncIterator[Core]:
    db = Database(await create_database(infra, "core"))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield Core(db=db, outbox=Outbox(tables.outbox, source="coretest"), prefix=prefix)
    finally:
        await db.dispose()


def relay_for(core: Core, bootstrap: str, **kw: Any) -> OutboxRelay:
    return OutboxRelay(
        core.db,
        tables.outbox,
        bootstrap=bootstrap,
        client_id="coretest.relay",
        poll_seconds=0.05,
        topic_prefix=core.prefix,
        partitions=3,
        **kw,
    )


async def commit_events(core: Core, n: int, *, per_tx: int = 100, tag: str = "k") -> set[str]:
    ids: set[str] = set()
    for start in range(0, n, per_tx):
        async with core.db.unit_of_work() as session:
            for i in range(start, min(n, start + per_tx)):
                env = await core.outbox.add(session, Pinged(key=f"{tag}{i}"), subject=f"{tag}{i % 7}")
                ids.add(str(env.event_id))
    return ids


async def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 30) -> list[Any]:
    """Every record on `topic` from the beginning, once at least `expect` have arrived (then a grace read)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(records) < expect:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records += recs
        # A short grace period so duplicates, if any, would show.
        batch = await consumer.getmany(timeout_ms=800)
        for recs in batch.values():
            records += recs
    finally:
        await consumer.stop()
    return records


def event_ids(records: list[Any]) -> list[str]:
    return [json.loads(r.value)["event_id"] for r in records]


@asynccontextmanager
async def running(*workers: OutboxRelay | EventConsumer) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        yield
    finally:
        for w in workers:
            await w.stop()
        for t in tasks:
            t.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await t


async def test_rolled_back_event_is_never_published(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        with pytest.raises(RuntimeError):
            async with core.db.unit_of_work() as session:
                await core.outbox.add(session, Pinged(key="ghost"), subject="s")
                raise RuntimeError("business rule failed after the event was written")
        token = request_id_var.set("req-42")  # as if inside an HTTP request
        try:
            committed = await commit_events(core, 1, tag="real")
        finally:
            request_id_var.reset(token)
        relay = relay_for(core, infra.bootstrap)
        async with running(relay):
            await eventually(lambda: relay.published >= 1)
            records = await read_topic(infra.bootstrap, core.topic, expect=1)
        assert set(event_ids(records)) == committed
        assert [json.loads(r.value)["payload"]["key"] for r in records] == ["real0"]
        # The request id travels in the event headers, so logs join across services.
        assert dict(records[0].headers)["request_id"] == b"req-42"
        assert records[0].key == b"real0"


async def test_events_committed_while_broker_is_down_are_published_once(
    infra: Infra, topic_prefix: str
) -> None:
    broker = EmbeddedBroker().start()  # our own broker: this test stops it
    try:
        async with core_db(infra, topic_prefix) as core:
            relay = relay_for(core, broker.bootstrap)
            async with running(relay):
                before = await commit_events(core, 10, tag="before")
                await eventually(lambda: relay.published >= 10)
                broker.stop()
                during = await commit_events(core, 1000, tag="during")
                await eventually(lambda: _attempted(core), timeout=30)
                assert await relay.pending() == 1000
                broker.start()  # same port, empty memory: the relay must also replay `before`
                await eventually(lambda: _all_sent(core), timeout=90)
                records = await read_topic(broker.bootstrap, core.topic, expect=1010, timeout=60)
            ids = event_ids(records)
            assert len(ids) == len(set(ids)), "an event was published twice"
            assert set(ids) == before | during
    finally:
        broker.stop()


async def _attempted(core: Core) -> bool:
    async with core.db.engine.connect() as conn:
        n = await conn.scalar(select(func.count()).where(tables.outbox.c.attempts > 0))
    return bool(n)


async def _all_sent(core: Core) -> bool:
    async with core.db.engine.connect() as conn:
        n = await conn.scalar(select(func.count()).where(tables.outbox.c.sent_at.is_(None)))
    return n == 0


async def test_two_relay_replicas_publish_each_event_once(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        committed = await commit_events(core, 600, per_tx=50)
        a = relay_for(core, infra.bootstrap, batch_size=25)
        b = relay_for(core, infra.bootstrap, batch_size=25)
        async with running(a, b):
            await eventually(lambda: _all_sent(core), timeout=60)
            records = await read_topic(infra.bootstrap, core.topic, expect=600)
        ids = event_ids(records)
        assert a.published + b.published == 600
        assert len(ids) == 600
        assert set(ids) == committed


async def count_effects(core: Core) -> dict[str, int]:
    async with core.db.engine.connect() as conn:
        rows = await conn.execute(select(effects.c.key, effects.c.count))
        return {r[0]: r[1] for r in rows}


async def bump(session: Any, envelope: Envelope, payload: Pinged) -> None:
    await session.execute(
        pg_insert(effects)
        .values(key=payload.key, count=1)
        .on_conflict_do_update(index_elements=["key"], set_={"count": effects.c.count + 1})
    )


async def always_fails(session: Any, envelope: Envelope, payload: Poisoned) -> None:
    await session.execute(text("SELECT 1"))
    raise ValueError(f"cannot apply {payload.note}")


def consumer_for(core: Core, bootstrap: str, group: str) -> EventConsumer:
    return EventConsumer(
        name="coretest",
        db=core.db,
        processed_table=tables.processed_events,
        topics=[core.topic],
        handlers={"coretest.pinged": bump, "coretest.poisoned": always_fails},
        bootstrap=bootstrap,
        group_id=group,
        max_attempts=3,
        retry_delay=0.05,
    )


class Crash(Exception):
    """Stands for the process dying between the database commit and the offset commit."""


class CrashBeforeOffsetCommit(EventConsumer):
    async def _commit(self, offsets: Any) -> None:
        raise Crash


async def test_redelivered_event_after_crash_is_applied_once(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        await commit_events(core, 1, tag="once")
        relay = relay_for(core, infra.bootstrap)
        group = f"{topic_prefix}group"
        async with running(relay):
            await eventually(lambda: relay.published == 1)
            first = CrashBeforeOffsetCommit(**_kwargs(consumer_for(core, infra.bootstrap, group)))
            await first._open()
            with pytest.raises(Crash):
                await first._loop()
            await first._close()
            assert first.stats.applied == 1
            assert await count_effects(core) == {"once0": 1}

            second = consumer_for(core, infra.bootstrap, group)
            async with running(second):
                await eventually(lambda: second.stats.duplicates == 1, timeout=30)
            assert second.stats.applied == 0
            assert await count_effects(core) == {"once0": 1}


def _kwargs(c: EventConsumer) -> dict[str, Any]:
    return dict(
        name=c.name,
        db=c.db,
        processed_table=c.processed,
        topics=c.topics,
        handlers=c.handlers,
        bootstrap=c.bootstrap,
        group_id=c.group_id,
        max_attempts=c.max_attempts,
        retry_delay=c.retry_delay,
    )


async def test_poison_message_goes_to_dead_letter_topic_and_the_rest_go_on(
    infra: Infra, topic_prefix: str
) -> None:
    async with core_db(infra, topic_prefix) as core:
        async with core.db.unit_of_work() as session:
            # Same subject, so all land on one partition: the good ones queue behind the poison.
            await core.outbox.add(session, Poisoned(note="bad-1"), subject="agg")
            for i in range(5):
                await core.outbox.add(session, Pinged(key=f"good{i}"), subject="agg")
        # A message that is not even an envelope must dead-letter too.
        relay = relay_for(core, infra.bootstrap)
        consumer = consumer_for(core, infra.bootstrap, f"{topic_prefix}group")
        async with running(relay, consumer):
            await eventually(lambda: consumer.stats.applied == 5, timeout=40)
            dlq = await read_topic(infra.bootstrap, core.topic + ".dlq", expect=1)
        assert await count_effects(core) == {f"good{i}": 1 for i in range(5)}
        assert consumer.stats.dead_lettered == 1
        assert consumer.stats.retries == 2  # three attempts in all, then the DLQ
        assert len(dlq) == 1
        headers = {k: v.decode() for k, v in dlq[0].headers}
        assert "ValueError: cannot apply bad-1" in headers["dlq_error"]
        assert headers["dlq_original_topic"] == core.topic
        assert headers["event_type"] == "coretest.poisoned"  # original headers kept
        assert json.loads(dlq[0].value)["payload"]["note"] == "bad-1"
        # The failed attempts left no half-applied effect and no processed marker.
        async with core.db.engine.connect() as conn:
            marked = await conn.scalar(select(func.count()).select_from(tables.processed_events))
        assert marked == 5


async def test_malformed_message_is_dead_lettered(infra: Infra, topic_prefix: str) -> None:
    from aiokafka import AIOKafkaProducer

    async with core_db(infra, topic_prefix) as core:
        consumer = consumer_for(core, infra.bootstrap, f"{topic_prefix}group")
        async with running(consumer):
            producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
            await producer.start()
            try:
                await eventually(lambda: consumer._consumer is not None)
                await producer.send_and_wait(core.topic, b"{not json", key=b"x")
                good = Envelope(type="coretest.pinged", source="t", subject="x", payload={"key": "after"})
                await producer.send_and_wait(core.topic, good.model_dump_json().encode(), key=b"x")
            finally:
                await producer.stop()
            await eventually(lambda: consumer.stats.applied == 1, timeout=30)
        assert consumer.stats.dead_lettered == 1
        assert "malformed event envelope" in consumer.stats.dead_letter_errors[0]
        assert await count_effects(core) == {"after": 1}


async def test_relay_wakes_on_the_commit_not_on_its_poll(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        # A poll this slow cannot explain a publish within a second: the NOTIFY from the insert does.
        relay = relay_for(core, infra.bootstrap)
        relay.poll_seconds = 30.0
        async with running(relay):
            await eventually(lambda: relay._listener_raw is not None)
            await asyncio.sleep(0.3)  # the relay has found nothing and gone to sleep
            with pytest.raises(RuntimeError):
                async with core.db.unit_of_work() as session:
                    await core.outbox.add(session, Pinged(key="ghost"), subject="s")
                    raise RuntimeError("rolled back: no notification, nothing to publish")
            loop = asyncio.get_running_loop()
            started = loop.time()
            committed = await commit_events(core, 3, per_tx=3, tag="woken")
            await eventually(lambda: relay.published >= 3, timeout=5)
            assert loop.time() - started < 2.0
            records = await read_topic(infra.bootstrap, core.topic, expect=3)
        assert set(event_ids(records)) == committed


async def test_relay_falls_back_to_polling_and_listens_again(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        relay = relay_for(core, infra.bootstrap)
        relay.poll_seconds = 0.3
        async with running(relay):
            await eventually(lambda: relay._listener_raw is not None)
            lost = relay._listener_raw
            pid = lost.get_server_pid()
            async with core.db.engine.connect() as conn:
                await conn.execute(text(f"SELECT pg_terminate_backend({int(pid)})"))
            committed = await commit_events(core, 5, tag="polled")
            await eventually(lambda: relay.published >= 5, timeout=10)
            # And it listens again on a new connection.
            await eventually(lambda: relay._listener_raw is not None and relay._listener_raw is not lost)
            records = await read_topic(infra.bootstrap, core.topic, expect=5)
        assert set(event_ids(records)) == committed
