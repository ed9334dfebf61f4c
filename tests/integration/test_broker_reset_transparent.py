"""After the broker restarts empty while every client is connected, events flow again without a hand.

Found by the whole-platform fault test (tests/faults, broker restarted empty). The relay's producer
reconnects on its own, so the relay's wiped-broker check (run on connect) never ran and nothing was
replayed. Worse, the first metadata request for a missing topic makes the embedded broker create it
(aiokafka asks with allow_auto_topic_creation), and records acknowledged in the moments after that were
gone: no consumer, old or new, ever read them. The relay now notices acknowledged offsets going back
and replays those topics' window, which is what brings the lost events to the consumers.
"""

from __future__ import annotations

import asyncio

from smefin_dev.devinfra import EmbeddedBroker

from tests.integration.test_shared_core import (
    commit_events,
    consumer_for,
    core_db,
    count_effects,
    event_ids,
    read_topic,
    relay_for,
    running,
)
from tests.support.infra import Infra
from tests.support.services import eventually


async def test_events_flow_again_after_the_broker_restarts_empty_under_connected_clients(
    infra: Infra, topic_prefix: str
) -> None:
    broker = EmbeddedBroker().start()  # our own broker: this test restarts it
    try:
        async with core_db(infra, topic_prefix) as core:
            relay = relay_for(core, broker.bootstrap)
            consumer = consumer_for(core, broker.bootstrap, f"{topic_prefix}group")
            async with running(relay, consumer):
                before = await commit_events(core, 30, tag="before")
                await eventually(lambda: consumer.stats.applied >= 30, timeout=60)
                broker.stop()
                # Long enough for the clients to notice, short enough that nothing fails for good.
                await asyncio.sleep(2)
                broker.start()  # same port, empty memory
                after = await commit_events(core, 5, tag="after")

                async def all_applied() -> bool:
                    effects = await count_effects(core)
                    return all(effects.get(f"after{i}") == 1 for i in range(5))

                await eventually(all_applied, timeout=30)
                # The relay noticed the lost log and replayed its window: everything is on the new broker.
                records = await read_topic(broker.bootstrap, core.topic, expect=35, timeout=30)
            # Every event, the 30 from before the restart too, is on the new broker (some twice: replayed).
            assert set(event_ids(records)) == before | after
            effects = await count_effects(core)
            assert set(effects.values()) == {1}, "an event was applied twice"
            assert set(effects) == {f"before{i}" for i in range(30)} | {f"after{i}" for i in range(5)}
    finally:
        broker.stop()
