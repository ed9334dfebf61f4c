"""smefin.lease: two replicas' sweeps never hold the same lease at once, and a finished unit of
work hands it on."""

from __future__ import annotations

from smefin.db import Database
from smefin.lease import try_lease
from tests.support.infra import Infra
from tests.support.services import create_database


async def test_a_lease_is_held_by_one_transaction_until_it_ends(infra: Infra) -> None:
    url = await create_database(infra, "lease")
    replica_a, replica_b = Database(url), Database(url)
    try:
        async with replica_a.unit_of_work() as a:
            assert await try_lease(a, "credit-info.rerate")
            async with replica_b.unit_of_work() as b:
                assert not await try_lease(b, "credit-info.rerate")
                # Another lease's name is another lock.
                assert await try_lease(b, "loan-matching.expiry")
        # A committed unit of work released it.
        async with replica_b.unit_of_work() as b:
            assert await try_lease(b, "credit-info.rerate")
        # So does one that failed.
        try:
            async with replica_a.unit_of_work() as a:
                assert await try_lease(a, "credit-info.rerate")
                raise RuntimeError("sweep failed")
        except RuntimeError:
            pass
        async with replica_b.unit_of_work() as b:
            assert await try_lease(b, "credit-info.rerate")
    finally:
        await replica_a.dispose()
        await replica_b.dispose()
