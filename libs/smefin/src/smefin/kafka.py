"""Thin helpers over aiokafka: producers with all-replica acks, and topic creation."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from smefin.contracts.envelope import Topic


def make_producer(bootstrap: str, *, client_id: str, linger_ms: int = 5) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas and gives up on a send within seconds."""
    # Idempotent producers need InitProducerId, which the embedded broker refuses; exactly-once
    # comes from the outbox plus idempotent consumers instead.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=linger_ms,
        request_timeout_ms=5000,
        retry_backoff_ms=200,
    )


def all_topics(families: Iterable[str] = Topic.ALL) -> list[str]:
    """Every topic with its dead-letter twin."""
    out: list[str] = []
    for t in families:
        out += [t, Topic.dlq(t)]
    return out


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = 3, replication: int = 1
) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topics if t not in existing]
        if wanted:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=replication) for t in wanted]
                )
            except TopicAlreadyExistsError:
                pass  # another replica won the race
        return wanted
    finally:
        await admin.close()
