"""Idempotent event consumer with a dead-letter path.

Each event's effects and its `(consumer, event_id)` row commit in one transaction; the Kafka offset
is committed only afterwards, so a redelivered event is recognised and skipped. A fetched batch of
a partition is applied in one transaction (one commit, then one offset commit for the fetch);
if any of it fails, the batch rolls back and is applied record by record. An event that keeps
failing goes to the topic's `.dlq` twin with the error and original headers, and the partition
moves on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smefin.contracts.envelope import Envelope, EventPayload, Topic, UnknownEvent, decode
from smefin.db import Database, database_unreachable
from smefin.kafka import all_topics, ensure_topics, make_producer
from smefin.logging import get_logger, request_id_var

log = get_logger("smefin.consumer")

Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]


class PermanentError(Exception):
    """Raise from a handler when retrying cannot help (the event goes straight to the DLQ)."""


@dataclass
class ConsumerStats:
    """Counters a test or /metrics can read."""

    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    dead_lettered: int = 0
    retries: int = 0
    dead_letter_errors: list[str] = field(default_factory=list)


class EventConsumer:
    """Consumes topics in a consumer group and applies each event once, through `handlers`."""

    def __init__(
        self,
        *,
        name: str,
        db: Database,
        processed_table: Table,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        bootstrap: str,
        group_id: str,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
        security: Mapping[str, Any] | None = None,
        fetch_max_wait_ms: int = 5,
        commit_seconds: float = 0.2,
    ) -> None:
        self.name = name
        self.db = db
        self.processed = processed_table
        self.topics = list(topics)
        self.handlers = dict(handlers)
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        # Kafka authentication (smefin.kafka.security_options); empty for PLAINTEXT.
        self.security = dict(security or {})
        # How long the broker may hold a fetch that has nothing yet. Tansu holds it for the full
        # wait even when records arrive meanwhile, so this is a floor on delivery latency.
        self.fetch_max_wait_ms = fetch_max_wait_ms
        # Longest a busy stream goes between offset commits (a crash redelivers at most that much,
        # which the processed-events rows skip).
        self.commit_seconds = commit_seconds
        self.stats = ConsumerStats()
        self._stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq: AIOKafkaProducer | None = None

    async def run(self) -> None:
        """Consume until stopped, reconnecting with back-off while the broker is away."""
        delay = 0.5
        try:
            while not self._stopping.is_set():
                try:
                    await self._open()
                    delay = 0.5
                    await self._loop()
                except (KafkaError, OSError) as exc:
                    log.warning("consumer.broker_unavailable", consumer=self.name, error=repr(exc))
                    await self._close()
                    try:
                        await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                    except TimeoutError:
                        pass
                    delay = min(delay * 2, 10.0)
        finally:
            await self._close()

    async def stop(self) -> None:
        """Finish the current batch and leave the group."""
        self._stopping.set()

    async def _open(self) -> None:
        # Subscribing to a topic that does not exist yet would wait a metadata refresh for it.
        await ensure_topics(self.bootstrap, all_topics(self.topics), security=self.security)
        self._consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            group_id=self.group_id,
            client_id=f"{self.group_id}.{self.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=5000,
            **self.security,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )
        await self._consumer.start()
        self._dlq = make_producer(
            self.bootstrap, client_id=f"{self.group_id}.{self.name}.dlq", security=self.security
        )
        await self._dlq.start()

    async def _close(self) -> None:
        for client in (self._consumer, self._dlq):
            if client is not None:
                try:
                    await client.stop()
                except Exception:
                    pass
        self._consumer, self._dlq = None, None

    async def _loop(self) -> None:
        assert self._consumer is not None
        done: dict[TopicPartition, int] = {}
        committed_at = time.monotonic()
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=200, max_records=500)
                for tp, records in batches.items():
                    if len(records) == 1 or not await self.apply_batch(records):
                        for record in records:
                            await self.handle(record)
                    done[tp] = records[-1].offset + 1
                # Offsets go when the stream pauses or every commit_seconds, not once per batch: the
                # commit's round trip would otherwise sit between every two batches of a busy stream.
                if done and (not batches or time.monotonic() - committed_at >= self.commit_seconds):
                    await self._commit(done)
                    done, committed_at = {}, time.monotonic()
        finally:
            if done and self._stopping.is_set():
                with suppress(KafkaError, OSError):
                    await self._commit(done)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit a whole fetched batch in one request, after its effects are durable.

        A crash before this means redelivery of the batch, which the processed-events rows skip.
        """
        assert self._consumer is not None
        # Only partitions still ours: after a rebalance their new owner starts from the last commit.
        mine = self._consumer.assignment()
        await self._consumer.commit({tp: o for tp, o in offsets.items() if tp in mine})

    async def apply_batch(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> bool:
        """Apply a partition's fetched records in one transaction, each once; False if any failed.

        One commit for the batch instead of one per event. Each event still records its
        `(consumer, event_id)` row in that transaction, so a redelivery is skipped exactly as
        before. If anything fails (a record that does not decode, a handler error), the whole
        transaction rolls back and the caller takes the careful path, one record at a time, with
        its retries and dead-lettering.
        """
        try:
            decoded = [(r, decode(r.value or b"")) for r in records]
        except ValueError:
            return False
        handled = [(r, e) for r, e in decoded if e.type in self.handlers]
        ignored = len(decoded) - len(handled)
        applied = 0
        try:
            async with self.db.unit_of_work() as session:
                conn = await session.connection()
                payloads = [e.parsed() for _, e in handled]
                new: set[Any] = set()
                if handled:
                    # Every event's (consumer, event_id) row in one statement; the ids that come
                    # back are the events not seen before (a duplicate in the batch comes back once).
                    rows = list(
                        {
                            e.event_id: {"consumer": self.name, "event_id": e.event_id, "event_type": e.type}
                            for _, e in handled
                        }.values()
                    )
                    inserted = await conn.execute(
                        pg_insert(self.processed)
                        .values(rows)
                        .on_conflict_do_nothing()
                        .returning(self.processed.c.event_id)
                    )
                    new = {r[0] for r in inserted}
                for (record, envelope), payload in zip(handled, payloads, strict=True):
                    if envelope.event_id not in new:
                        continue
                    new.discard(envelope.event_id)  # a second copy in the same batch is a duplicate
                    headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
                    token = request_id_var.set(headers.get("request_id"))
                    try:
                        await self.handlers[envelope.type](session, envelope, payload)
                    finally:
                        request_id_var.reset(token)
                    applied += 1
        except Exception as exc:
            log.info("consumer.batch_fallback", consumer=self.name, records=len(records), error=repr(exc))
            return False
        self.stats.applied += applied
        self.stats.duplicates += len(handled) - applied
        self.stats.ignored += ignored
        return True

    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply one record once, or dead-letter it."""
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        token = request_id_var.set(headers.get("request_id"))
        try:
            try:
                envelope = decode(record.value or b"")
            except ValueError as exc:
                await self._dead_letter(record, exc, attempts=1)
                return
            handler = self.handlers.get(envelope.type)
            if handler is None:
                self.stats.ignored += 1
                return
            attempt = 0
            while attempt < self.max_attempts:
                attempt += 1
                try:
                    applied = await self._apply(envelope, handler)
                except (PermanentError, UnknownEvent, ValidationError) as exc:
                    await self._dead_letter(record, exc, attempts=attempt)
                    return
                except Exception as exc:
                    if database_unreachable(exc) and not self._stopping.is_set():
                        # Our database is away (restarting), not the event at fault: wait, never
                        # dead-letter it (found by the PostgreSQL fault test: events were lost so).
                        attempt -= 1
                        log.warning("consumer.database_unavailable", consumer=self.name, error=repr(exc))
                        await asyncio.sleep(1.0)
                        continue
                    if attempt == self.max_attempts:
                        await self._dead_letter(record, exc, attempts=attempt)
                        return
                    self.stats.retries += 1
                    log.warning(
                        "consumer.retry",
                        consumer=self.name,
                        event_type=envelope.type,
                        event_id=str(envelope.event_id),
                        attempt=attempt,
                        error=repr(exc),
                    )
                    await asyncio.sleep(self.retry_delay * attempt)
                    continue
                if applied:
                    self.stats.applied += 1
                else:
                    self.stats.duplicates += 1
                return
        finally:
            request_id_var.reset(token)

    async def _apply(self, envelope: Envelope, handler: Handler) -> bool:
        payload: EventPayload = envelope.parsed()
        async with self.db.unit_of_work() as session:
            conn = await session.connection()
            inserted = await conn.execute(
                pg_insert(self.processed)
                .values(consumer=self.name, event_id=envelope.event_id, event_type=envelope.type)
                .on_conflict_do_nothing()
                .returning(self.processed.c.event_id)
            )
            if inserted.first() is None:
                return False
            await handler(session, envelope, payload)
        return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, *, attempts: int
    ) -> None:
        assert self._dlq is not None
        error = f"{type(exc).__name__}: {exc}"[:4000]
        headers = [
            *list(record.headers or ()),
            ("dlq_error", error.encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
        ]
        await self._dlq.send_and_wait(
            Topic.dlq(record.topic), value=record.value, key=record.key, headers=headers
        )
        self.stats.dead_lettered += 1
        self.stats.dead_letter_errors.append(error)
        log.error(
            "consumer.dead_lettered",
            consumer=self.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=error,
        )
