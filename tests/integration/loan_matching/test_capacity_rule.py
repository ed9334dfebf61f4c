"""loan-matching applies guarantee-registry's capacity rule: the guarantor's liability (its share of the
loan), not the loan amount, must fit its room — read from capacity.changed's `loan_room`."""

from __future__ import annotations

import uuid
from decimal import Decimal

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.guarantees import CapacityChanged
from tests.integration.loan_matching.test_flow import publish
from tests.integration.loan_matching.test_paths import GUARANTOR, SME, _enterprise, _products
from tests.support.infra import Infra
from tests.support.services import eventually, run_service


def capacity(loan_room: str) -> CapacityChanged:
    # 680k of liability room at 80 %: an 850k loan fits, which the loan amount alone would have hidden.
    return CapacityChanged(
        company_id=GUARANTOR,
        net_assets=Decimal("6800000"),
        outstanding=Decimal("0"),
        capacity_limit=Decimal("68000000"),
        remaining=Decimal("680000"),
        single_client_limit=Decimal("680000"),
        loan_room=Decimal(loan_room),
    )


async def _rule(infra: Infra, prefix: str, loan_room: str) -> str:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=prefix) as svc:
        await _products(svc.client, "guaranteed")
        await _enterprise(infra, prefix)
        await publish(infra, prefix, (capacity(loan_room), str(GUARANTOR)))
        need = {"amount": "800000.00", "term_months": 12, "purpose": "流动资金", "accepts_guarantee": True}

        async def submitted() -> str | None:
            r = await svc.client.post("/api/v1/financing-requests", headers=SME, json=need)
            return str(r.json()["id"]) if r.status_code == 201 else None

        rid = await eventually(submitted)

        async def judged() -> str | None:
            r = (await svc.client.get(f"/api/v1/financing-requests/{rid}", headers=SME)).json()
            if r["status"] == "submitted":
                return None
            matches = (await svc.client.get(f"/api/v1/financing-requests/{rid}/matches", headers=SME)).json()
            rules = [x for m in matches for x in m["reasons"] if x["rule"] == "guarantee_capacity"]
            misses = [m for m in r["misses"] if "guarantee_capacity" in m["failed_rules"]]
            return "met" if rules and not misses else "not met" if misses else None

        return str(await eventually(judged))


async def test_a_loan_whose_liability_fits_is_matched(infra: Infra) -> None:
    # 800k at 80 % is 640k of liability, within the guarantor's 680k room.
    assert await _rule(infra, f"t{uuid.uuid4().hex[:10]}.", "850000.00") == "met"


async def test_a_loan_whose_liability_does_not_fit_is_a_miss(infra: Infra) -> None:
    assert await _rule(infra, f"t{uuid.uuid4().hex[:10]}.", "700000.00") == "not met"
