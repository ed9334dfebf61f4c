"""Order per aggregate holds with several relay replicas (issue 18 item 5).

Three relays publish one outbox while six writers commit events on eight overlapping subjects. Each
writer locks its subject's row first, as a domain write locks its aggregate, so a subject's commit order
is its sequence number. On the topic every subject's events must come in that order, none missing and
none twice; through the idempotent consumer each is applied once and in order.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update

from smefin.consumer import EventConsumer, PermanentError
from smefin.contracts import Envelope
from tests.integration.test_shared_core import (
    Core,
    Pinged,
    bump,
    core_db,
    read_topic,
    relay_for,
    running,
    tables,
)
from tests.support.infra import Infra
from tests.support.services import eventually

SUBJECTS = [f"agg{i}" for i in range(8)]
WRITERS, EVENTS_PER_WRITER = 6, 40

order_metadata = MetaData()
# The writers' aggregates: the sequence number of each subject's last event.
aggregates = Table(
    "ordertest_aggregate",
    order_metadata,
    Column("subject", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
)
# The consumer's view: the last sequence number it applied per subject.
applied = Table(
    "ordertest_applied",
    order_metadata,
    Column("subject", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
)


def _parse(key: str) -> tuple[str, int]:
    subject, seq = key.split("/")
    return subject, int(seq)


async def write(core: Core, writer: int) -> None:
    """Commit events one transaction at a time, on random subjects, each after locking its subject."""
    rng = random.Random(writer)
    for _ in range(EVENTS_PER_WRITER):
        subject = rng.choice(SUBJECTS)
        async with core.db.unit_of_work() as session:
            conn = await session.connection()
            seq = (
                await conn.execute(
                    update(aggregates)
                    .where(aggregates.c.subject == subject)
                    .values(seq=aggregates.c.seq + 1)
                    .returning(aggregates.c.seq)
                )
            ).scalar_one()
            await core.outbox.add(session, Pinged(key=f"{subject}/{seq}"), subject=subject)
            if rng.random() < 0.3:
                await asyncio.sleep(0.005)  # hold the lock a little: writers queue on the subject
        await asyncio.sleep(rng.random() * 0.004)


async def apply_in_order(session: Any, envelope: Envelope, payload: Pinged) -> None:
    """The consumer's effect: refuses (to the DLQ) any event that is not the subject's next one."""
    subject, seq = _parse(payload.key)
    conn = await session.connection()
    last = (
        await conn.execute(select(applied.c.seq).where(applied.c.subject == subject).with_for_update())
    ).scalar_one()
    if seq != last + 1:
        raise PermanentError(f"{subject}: event {seq} arrived after {last}")
    await conn.execute(update(applied).where(applied.c.subject == subject).values(seq=seq))
    await bump(session, envelope, payload)


async def test_three_relays_keep_each_subjects_commit_order(infra: Infra, topic_prefix: str) -> None:
    async with core_db(infra, topic_prefix) as core:
        async with core.db.engine.begin() as conn:
            await conn.run_sync(order_metadata.create_all)
            for t in (aggregates, applied):
                await conn.execute(t.insert(), [{"subject": s, "seq": 0} for s in SUBJECTS])
        # Small batches, so the three relays claim in turns and interleave as much as they can.
        relays = [relay_for(core, infra.bootstrap, batch_size=4) for _ in range(3)]
        consumer = EventConsumer(
            name="ordertest",
            db=core.db,
            processed_table=tables.processed_events,
            topics=[core.topic],
            handlers={"coretest.pinged": apply_in_order},
            bootstrap=infra.bootstrap,
            group_id=f"{topic_prefix}group",
            max_attempts=1,
        )
        total = WRITERS * EVENTS_PER_WRITER
        async with running(*relays, consumer):
            await asyncio.gather(*(write(core, w) for w in range(WRITERS)))
            await eventually(
                lambda: consumer.stats.applied + consumer.stats.dead_lettered >= total, timeout=60
            )
            records = await read_topic(infra.bootstrap, core.topic, expect=total)
        assert all(r.published > 0 for r in relays), [r.published for r in relays]
        assert sum(r.published for r in relays) == total
        async with core.db.engine.connect() as conn:
            final = dict((await conn.execute(select(aggregates.c.subject, aggregates.c.seq))).all())
            seen = dict((await conn.execute(select(applied.c.subject, applied.c.seq))).all())
        # Per subject, in the order the topic holds them (one subject, one partition).
        on_topic: dict[str, list[int]] = defaultdict(list)
        for r in records:
            subject, seq = _parse(json.loads(r.value)["payload"]["key"])
            assert r.key.decode() == subject
            on_topic[subject].append(seq)
        assert {s: on_topic[s] for s in SUBJECTS} == {s: list(range(1, final[s] + 1)) for s in SUBJECTS}
        assert consumer.stats.dead_letter_errors == []
        assert consumer.stats.applied == total
        assert seen == final
