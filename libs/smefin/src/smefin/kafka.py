"""Thin helpers over aiokafka: producers with all-replica acks, and topic creation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from smefin.contracts.envelope import Topic

if TYPE_CHECKING:
    from smefin.settings import ServiceSettings


def security_options(settings: ServiceSettings) -> dict[str, Any]:
    """aiokafka keyword arguments for the configured protocol (empty for PLAINTEXT)."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol.startswith("SASL_"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password
    return options


def make_producer(
    bootstrap: str, *, client_id: str, security: Mapping[str, Any] | None = None, linger_ms: int = 5
) -> AIOKafkaProducer:
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
        **(security or {}),
    )


def all_topics(families: Iterable[str] = Topic.ALL) -> list[str]:
    """Every topic with its dead-letter twin."""
    out: list[str] = []
    for t in families:
        out += [t, Topic.dlq(t)]
    return out


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    replication: int = 1,
    security: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000, **(security or {}))
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
