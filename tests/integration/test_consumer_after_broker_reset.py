"""A consumer keeps applying events after the broker restarts empty (its memory and offsets gone)."""

from __future__ import annotations

from datetime import timedelta

from smefin_dev.devinfra import EmbeddedBroker

from tests.integration.test_shared_core import (
    commit_events,
    consumer_for,
    core_db,
    count_effects,
    relay_for,
    running,
)
from tests.support.infra import Infra
from tests.support.services import eventually


async def test_consumer_applies_new_events_after_an_empty_broker_restart(
    infra: Infra, topic_prefix: str
) -> None:
    broker = EmbeddedBroker().start()  # our own broker: this test restarts it
    try:
        async with core_db(infra, topic_prefix) as core:
            # No replay window: what the consumer sees after the restart starts again at offset 0,
            # below the positions it had reached (a relay that never noticed the reset does the same).
            relay = relay_for(core, broker.bootstrap, retention=timedelta(0))
            consumer = consumer_for(core, broker.bootstrap, f"{topic_prefix}group")
            async with running(relay, consumer):
                await commit_events(core, 60, tag="before")
                await eventually(lambda: consumer.stats.applied >= 60, timeout=60)
                broker.stop()
                broker.start()  # same port, empty memory
                await commit_events(core, 5, tag="after")

                async def all_applied() -> bool:
                    effects = await count_effects(core)
                    return all(effects.get(f"after{i}") == 1 for i in range(5))

                await eventually(all_applied, timeout=90)
            effects = await count_effects(core)
            assert set(effects.values()) == {1}, "an event was applied twice"
            assert {k for k in effects if k.startswith("after")} == {f"after{i}" for i in range(5)}
    finally:
        broker.stop()
