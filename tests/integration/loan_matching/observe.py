"""Read what a service published: the events of one topic, as a test observer in its own group."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from smefin.contracts import Topic
from tests.support.infra import Infra
from tests.support.services import eventually


async def published(
    infra: Infra,
    prefix: str,
    want: Callable[[list[dict[str, Any]]], bool],
    *,
    topic: str = Topic.FINANCING,
    timeout: float = 20.0,
) -> list[dict[str, Any]]:
    """Every envelope on `topic` (from the start) once `want(envelopes)` holds; fails after `timeout`."""
    # No consumer group: assigned partitions read from the start at once, without a group join.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    seen: list[dict[str, Any]] = []
    try:
        name = prefix + topic
        partitions = await eventually(lambda: consumer.partitions_for_topic(name))
        consumer.assign([TopicPartition(name, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()

        async def enough() -> bool:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                seen.extend(json.loads(r.value) for r in records)
            return want(seen)

        await eventually(enough, timeout=timeout)
    finally:
        await consumer.stop()
    return seen


def of_type(envelopes: list[dict[str, Any]], kind: str, **payload: Any) -> list[dict[str, Any]]:
    """The payloads of `kind` whose fields equal `payload`'s."""
    return [
        e["payload"]
        for e in envelopes
        if e["type"] == kind and all(str(e["payload"].get(k)) == str(v) for k, v in payload.items())
    ]
