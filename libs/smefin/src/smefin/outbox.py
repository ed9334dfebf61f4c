"""Transactional outbox: events are rows written with the state change, published by a relay.

Nothing is published that did not commit (the row is in the same transaction), and nothing that
committed is lost (the relay retries with back-off until the broker acknowledges).

Order per aggregate (the row's `key`, its subject) holds with any number of relay replicas: a relay
claims whole subjects, not rows. It takes a transaction-scoped advisory lock per subject (skipping
subjects another relay holds), starts each subject at its oldest unsent row (a subject whose oldest row
waits out a back-off is not taken at all, so nothing overtakes it), and sends that subject's rows in id
order on one producer, which keeps one request in flight per partition. A writer that changes an
aggregate locks it first (as every domain write does), so a subject's ids follow its commit order.

The insert also sends a PostgreSQL NOTIFY (delivered when, and only if, the transaction commits), so
the relay wakes within milliseconds of a commit instead of on its next poll; polling stays as the
fallback for rows that wait out a back-off and for notifications missed while the relay's listening
connection was down.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Select,
    String,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from smefin.contracts.envelope import Envelope, EventPayload, Topic, make_envelope
from smefin.db import Database, utcnow
from smefin.kafka import all_topics, ensure_topics, make_producer
from smefin.logging import current_request_id, get_logger

log = get_logger("smefin.outbox")


@dataclass(frozen=True)
class MessagingTables:
    """The outbox and processed-event tables, attached to one service's metadata."""

    outbox: Table
    processed_events: Table

    @classmethod
    def attach(cls, metadata: MetaData) -> MessagingTables:
        """Define both tables in `metadata` (so the service's migrations create them)."""
        outbox = Table(
            "outbox",
            metadata,
            Column("id", BigInteger, primary_key=True, autoincrement=True),
            Column("event_id", Uuid, nullable=False, unique=True),
            Column("topic", String(200), nullable=False),
            Column("key", String(200), nullable=False),
            Column("event_type", String(200), nullable=False),
            Column("body", JSONB, nullable=False),
            Column("headers", JSONB, nullable=False, server_default="{}"),
            Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            Column("available_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            Column("attempts", Integer, nullable=False, server_default="0"),
            Column("last_error", Text),
            Column("sent_at", DateTime(timezone=True), index=True),
            Column("kafka_partition", Integer),
            Column("kafka_offset", BigInteger),
        )
        processed = Table(
            "processed_events",
            metadata,
            Column("consumer", String(200), nullable=False),
            Column("event_id", Uuid, nullable=False),
            Column("event_type", String(200), nullable=False),
            Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
            PrimaryKeyConstraint("consumer", "event_id"),
        )
        return cls(outbox=outbox, processed_events=processed)


def notify_channel(table: Table) -> str:
    """The NOTIFY channel an outbox insert signals on (one per outbox table, per database)."""
    return f"{table.name}_insert"


class Outbox:
    """Writes events into the service's outbox inside the caller's transaction."""

    def __init__(self, table: Table, *, source: str) -> None:
        self.table = table
        self.source = source

    async def add(self, session: AsyncSession, payload: EventPayload, *, subject: str) -> Envelope:
        """Record `payload` for publication when (and only if) the session commits."""
        envelope = make_envelope(payload, subject=subject, source=self.source)
        headers = {"event_type": envelope.type, "source": self.source}
        if (rid := current_request_id()) is not None:
            headers["request_id"] = rid
        # On the session's connection: same transaction, without SQLModel's execute() warning.
        conn = await session.connection()
        row = (
            insert(self.table)
            .values(
                event_id=envelope.event_id,
                topic=payload.topic,
                key=subject,
                event_type=envelope.type,
                body=envelope.model_dump(mode="json"),
                headers=headers,
            )
            .returning(self.table.c.id)
            .cte("outbox_row")
        )
        # One round trip: the insert and the NOTIFY the relay listens for (sent at commit only).
        await conn.execute(select(func.pg_notify(notify_channel(self.table), "")).select_from(row))
        return envelope


# The first key of the relays' two-key advisory locks (a key space apart from smefin.lease's one-key locks).
SUBJECT_LOCKS = 0x6F7478  # "otx"


def backoff(attempts: int) -> timedelta:
    """Exponential back-off between publish attempts, capped at 15 s so recovery is prompt."""
    return timedelta(seconds=min(15.0, 0.5 * 2 ** min(attempts, 5)))


class OutboxRelay:
    """Publishes committed outbox rows to Kafka, in id order, retrying while the broker is away."""

    def __init__(
        self,
        db: Database,
        table: Table,
        *,
        bootstrap: str,
        client_id: str,
        batch_size: int = 200,
        poll_seconds: float = 0.2,
        retention: timedelta = timedelta(days=7),
        partitions: int = 3,
        topic_prefix: str = "",
        security: Mapping[str, Any] | None = None,
    ) -> None:
        self.db = db
        self.table = table
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retention = retention
        self.partitions = partitions
        # Physical topic = prefix + logical topic: isolates tests and shared-cluster environments.
        self.topic_prefix = topic_prefix
        # Kafka authentication (smefin.kafka.security_options); empty for PLAINTEXT.
        self.security = dict(security or {})
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._listener: AsyncConnection | None = None
        self._listener_raw: Any = None  # the asyncpg connection under it
        self._listen_retry_at = 0.0
        self._connect_failures = 0
        self._replayed = 0
        self._went_back: set[str] = set()  # topics whose acknowledged offsets went back
        self._reconnect = False  # set when the broker's log went back; the loop reconnects after the batch
        # The highest offset acknowledged per (topic, partition) since connecting: one lower means a reset.
        self._acked: dict[tuple[str, int], int] = {}
        self.published = 0

    async def _connect(self) -> AIOKafkaProducer:
        if self._producer is None:
            # No linger: the relay hands over a whole claimed batch at once, then waits for the acks.
            producer = make_producer(
                self.bootstrap, client_id=self.client_id, security=self.security, linger_ms=0
            )
            try:
                await producer.start()
                topics = await self._topics()
                await ensure_topics(
                    self.bootstrap, all_topics(topics), partitions=self.partitions, security=self.security
                )
                self._producer = producer
                self._replayed = await self._replay_if_broker_was_reset(topics)
            except BaseException:
                await producer.stop()
                raise
            if self._connect_failures:
                log.info("outbox.broker_back", after_failures=self._connect_failures)
            self._connect_failures = 0
        return self._producer

    async def _disconnect(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await producer.stop()
            except Exception:
                pass

    async def _topics(self) -> list[str]:
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(self.table.c.topic).distinct())
            logical = sorted({r[0] for r in rows} | set(Topic.ALL))
        return [self.topic_prefix + t for t in logical]

    async def _replay_if_broker_was_reset(self, topics: list[str]) -> int:
        """A memory-only broker that restarted lost what it had: republish the retention window.

        Returns how many rows were put back to be sent (0 when the broker kept its logs).
        """
        self._acked = {}
        if not topics:
            return 0
        t = self.table
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(
                select(t.c.topic, t.c.kafka_partition, func.max(t.c.kafka_offset))
                .where(t.c.sent_at.is_not(None), t.c.kafka_offset.is_not(None))
                .group_by(t.c.topic, t.c.kafka_partition)
            )
            acked = {(self.topic_prefix + r[0], r[1]): r[2] for r in rows}
        if not acked:
            return 0
        tps = [TopicPartition(topic, part) for topic, part in acked]
        lost = await self._missing(tps, {tp: acked[(tp.topic, tp.partition)] for tp in tps})
        reset_topics = {tp.topic.removeprefix(self.topic_prefix) for tp in lost} | self._went_back
        self._went_back = set()
        self._acked = {
            (tp.topic, tp.partition): acked[(tp.topic, tp.partition)]
            for tp in tps
            if tp.topic.removeprefix(self.topic_prefix) not in reset_topics
        }
        if not reset_topics:
            return 0
        since = utcnow() - self.retention
        async with self.db.engine.begin() as conn:
            result = await conn.execute(
                update(t)
                .where(t.c.topic.in_(reset_topics), t.c.created_at >= since, t.c.sent_at.is_not(None))
                .values(sent_at=None, kafka_partition=None, kafka_offset=None, attempts=0)
            )
            # Older rows stay sent, but their offsets belong to the lost log: forget them, or the next
            # reconnect would take the new, shorter log for another reset.
            await conn.execute(
                update(t)
                .where(t.c.topic.in_(reset_topics), t.c.created_at < since, t.c.kafka_offset.is_not(None))
                .values(kafka_partition=None, kafka_offset=None)
            )
        log.warning("outbox.broker_reset_replay", topics=sorted(reset_topics), rows=result.rowcount)
        return int(result.rowcount or 0)

    async def _missing(
        self, tps: list[TopicPartition], last: dict[TopicPartition, int]
    ) -> set[TopicPartition]:
        """The partitions whose last acknowledged record the broker no longer has.

        Read back, not asked for the end offset: the embedded broker's ListOffsets answers the base
        offset of the last batch, which looked like a lost log whenever a batch held several records.
        """
        probe = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50, **self.security
        )
        await probe.start()
        try:
            known = {tp for tp in tps if tp.partition in (probe.partitions_for_topic(tp.topic) or set())}
            missing = set(tps) - known
            probe.assign(sorted(known))
            for tp in known:
                probe.seek(tp, last[tp])
            waiting = set(known)
            deadline = time.monotonic() + 2.0
            while waiting and time.monotonic() < deadline:
                for tp, records in (await probe.getmany(*waiting, timeout_ms=200)).items():
                    if any(r.offset == last[tp] for r in records):
                        waiting.discard(tp)
                    elif records:
                        missing.add(tp)  # a different record now sits where ours was
                        waiting.discard(tp)
            return missing | waiting
        finally:
            await probe.stop()

    def _log_went_back(self, acks: list[tuple[str, int, int]]) -> set[str]:
        """True if the broker acknowledged an offset at or below one it acknowledged before.

        A broker that lost its logs and came back under the same address does not break the
        producer's connection; this is how the relay notices it without asking the broker.
        """
        went_back: set[str] = set()
        for topic, partition, offset in acks:
            last = self._acked.get((topic, partition))
            if last is not None and offset <= last:
                went_back.add(topic.removeprefix(self.topic_prefix))
            self._acked[(topic, partition)] = offset if last is None else max(last, offset)
        return went_back

    def _claim(self, window: int | None) -> Select[Any]:
        """One statement: lock whole subjects from their oldest unsent row, and claim their rows.

        Each subject's head is its oldest unsent row; only subjects whose head is due are candidates
        (a head in back-off holds its subject back). A candidate is ours if its advisory lock is free;
        the lock lasts until this transaction ends, after the rows are marked sent. Rows are locked
        FOR UPDATE (not SKIP LOCKED) and rechecked on their newest version, so one another relay sent
        after this statement's snapshot drops out instead of going out twice.
        """
        t = self.table
        unsent = t.c.sent_at.is_(None)
        # The oldest `window` unsent rows hold the true head of every subject in them (an older unsent
        # row of the subject would be among them), and sorting them is cheap behind a backlog.
        scope = select(t.c.key, t.c.id, t.c.available_at).where(unsent)
        if window is not None:
            scope = scope.order_by(t.c.id).limit(window)
        rows = scope.subquery("scope")
        heads = (
            select(rows.c.key, rows.c.id, rows.c.available_at)
            .ext(distinct_on(rows.c.key))
            .order_by(rows.c.key, rows.c.id)
            .subquery("heads")
        )
        # MATERIALIZED: a fence, so the lock call below runs on the sorted heads as the LIMIT pulls them
        # (planned inline, it ran on every head and locked every subject).
        due = (
            select(heads.c.key, heads.c.id)
            .where(heads.c.available_at <= func.now())
            .order_by(heads.c.id)
            .cte("due")
            .prefix_with("MATERIALIZED")
        )
        # Oldest subjects first, skipping those another relay holds, until a batch's worth is locked.
        # A CTE with a volatile function is evaluated once, never inlined into the outer query.
        ours = (
            select(due.c.key)
            .where(func.pg_try_advisory_xact_lock(SUBJECT_LOCKS, func.hashtext(due.c.key)))
            .limit(self.batch_size)
            .cte("ours")
        )
        return (
            select(t.c.id, t.c.topic, t.c.key, t.c.body, t.c.headers, t.c.attempts)
            .where(unsent, t.c.key.in_(select(ours.c.key)))
            .order_by(t.c.id)
            .limit(self.batch_size)
            .with_for_update(of=t)
        )

    async def publish_batch(self) -> int:
        """Claim and publish one batch; returns how many rows were sent."""
        t = self.table
        async with self.db.engine.begin() as conn:
            rows = (await conn.execute(self._claim(window=4 * self.batch_size))).all()
            if not rows:
                # Every subject at the front is held by another relay or waits out a back-off: look at all.
                rows = (await conn.execute(self._claim(window=None))).all()
            if not rows:
                return 0
            try:
                producer = await self._connect()
                if self._replayed:
                    # Rows older than this claim are unsent again: claim afresh from the subjects' heads.
                    self._replayed = 0
                    self._wake.set()
                    return 0
                futures = [
                    await producer.send(
                        self.topic_prefix + r.topic,
                        value=json.dumps(r.body, separators=(",", ":")).encode(),
                        key=r.key.encode(),
                        headers=[(k, str(v).encode()) for k, v in r.headers.items()],
                    )
                    for r in rows
                ]
                results: list[Any] = await asyncio.gather(*futures, return_exceptions=True)
            except (TimeoutError, KafkaError, OSError) as exc:
                results = [exc] * len(rows)
            ok = next((i for i, r in enumerate(results) if isinstance(r, BaseException)), len(rows))
            if ok:
                # One statement for the whole acknowledged prefix (executemany), not one per row.
                await conn.execute(
                    update(t)
                    .where(t.c.id == bindparam("row_id"))
                    .values(
                        sent_at=func.now(), kafka_partition=bindparam("part"), kafka_offset=bindparam("off")
                    )
                    .execution_options(synchronize_session=False),
                    [
                        {"row_id": row.id, "part": res.partition, "off": res.offset}
                        for row, res in zip(rows[:ok], results[:ok], strict=True)
                    ],
                )
                if went_back := self._log_went_back([(r.topic, r.partition, r.offset) for r in results[:ok]]):
                    # The broker restarted empty while the producer reconnected on its own: reconnect
                    # (topics are created, those topics' window is replayed) after this batch.
                    log.warning("outbox.broker_log_went_back", topics=sorted(went_back))
                    self._went_back |= went_back
                    self._reconnect = True
            if ok < len(rows):
                # Stop at the first failure so later events of an aggregate wait behind it.
                res, row = results[ok], rows[ok]
                failed_ids = [r.id for r in rows[ok:]]
                await conn.execute(
                    update(t)
                    .where(t.c.id.in_(failed_ids))
                    .values(
                        attempts=t.c.attempts + 1,
                        last_error=f"{type(res).__name__}: {res}"[:2000],
                        available_at=func.now() + backoff(row.attempts),
                    )
                )
                self._connect_failures += 1
                if self._connect_failures == 1 or self._connect_failures % 20 == 0:
                    log.warning(
                        "outbox.publish_failed",
                        error=f"{type(res).__name__}: {res}",
                        waiting=len(failed_ids),
                    )
                await self._disconnect()
            sent = ok
        self.published += sent
        return sent

    async def purge_sent(self) -> int:
        """Drop sent rows older than the retention window."""
        t = self.table
        async with self.db.engine.begin() as conn:
            result = await conn.execute(
                delete(t).where(and_(t.c.sent_at.is_not(None), t.c.created_at < utcnow() - self.retention))
            )
            return int(result.rowcount or 0)

    async def _listen(self) -> None:
        """Keep a connection LISTENing on the outbox channel; on failure, retry every few seconds."""
        if self._listener_raw is not None and not self._listener_raw.is_closed():
            return
        if time.monotonic() < self._listen_retry_at:
            return
        await self._unlisten()
        try:
            conn = await self.db.engine.connect()
            self._listener = conn
            raw: Any = (await conn.get_raw_connection()).driver_connection
            await raw.add_listener(notify_channel(self.table), self._notified)
            self._listener_raw = raw
        except Exception as exc:
            self._listen_retry_at = time.monotonic() + 5.0
            log.warning("outbox.listen_failed", error=repr(exc))
            await self._unlisten()

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _unlisten(self) -> None:
        self._listener_raw = None
        if self._listener is not None:
            conn, self._listener = self._listener, None
            try:
                await conn.invalidate()
            except Exception:
                pass

    async def run(self) -> None:
        """Publish until stopped; between batches, sleep until a NOTIFY or the next poll."""
        last_purge = utcnow()
        while not self._stopping.is_set():
            await self._listen()
            self._wake.clear()
            try:
                sent = await self.publish_batch()
                if self._reconnect:
                    # After the batch's commit: the replay updates rows that transaction held.
                    self._reconnect = False
                    await self._disconnect()
                    await self._connect()
                    # Nothing claimed yet overtakes the replayed rows, so there is nothing to abort.
                    sent, self._replayed = sent or self._replayed, 0
            except Exception as exc:
                log.warning("outbox.relay_error", error=repr(exc))
                sent = 0
                await self._disconnect()
            if sent == 0:
                await self._sleep()
            if utcnow() - last_purge > timedelta(hours=1):
                last_purge = utcnow()
                await self.purge_sent()
        await self._unlisten()

    async def _sleep(self) -> None:
        stop = asyncio.ensure_future(self._stopping.wait())
        wake = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stop, wake}, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            wake.cancel()

    async def stop(self) -> None:
        """Ask the loop to finish and close the producer."""
        self._stopping.set()
        await self._disconnect()
        await self._unlisten()

    async def pending(self) -> int:
        """Rows not yet published (for readiness and tests)."""
        t = self.table
        async with self.db.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).where(t.c.sent_at.is_(None)))).scalar_one())
