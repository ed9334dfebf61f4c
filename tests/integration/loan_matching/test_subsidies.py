"""Interest subsidies (贴息) over HTTP and the broker, one step per test in order: an SME applies on its
loan, the office pays from the programme's yearly fund, a subsidy beyond the fund is refused until the
office adds an appropriation, and every refusal on the way."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts import Topic
from tests.integration.loan_matching.test_paths import SME, Market, _enterprise, _products, _request
from tests.support.infra import Infra
from tests.support.services import RunningService, bearer, eventually, run_service

OFFICE = bearer("office", "office")
OTHER_SME = bearer("sme", "ent-z", "911501020000000Z9X")
FUND = Decimal("30000")  # small enough that the second subsidy does not fit
TECH = "/api/v1/interest-subsidies/funds/tech_progress"


@dataclass
class Programme:
    """One running loan-matching with a small technology-progress fund, and what earlier steps learnt."""

    infra: Infra
    prefix: str
    svc: RunningService
    products: dict[str, Any]
    s: dict[str, Any] = field(default_factory=dict)

    async def loan(self) -> dict[str, Any]:
        """A fresh request of the SME, offered by the proposed bank, accepted and disbursed."""
        m: Market = await _request(self.infra, self.prefix, self.svc.client, self.products)
        first = await m.proposed()
        bank = bearer("bank", first["bank_org_id"])
        offer = (await m.client.post(f"/api/v1/matches/{first['id']}/offer", headers=bank, json={})).json()
        assert (await m.client.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME)).status_code == 200
        loan = await m.client.post("/api/v1/loans", headers=bank, json={"offer_id": offer["id"]})
        assert loan.status_code == 201, loan.text
        return dict(loan.json())

    async def apply(self, loan: dict[str, Any], programme: str = "tech_progress", who: Any = SME) -> Any:
        return await self.svc.client.post(
            "/api/v1/interest-subsidies", headers=who, json={"loan_id": loan["id"], "programme": programme}
        )

    async def decide(self, subsidy_id: str, approve: bool, who: Any = OFFICE) -> Any:
        return await self.svc.client.post(
            f"/api/v1/interest-subsidies/{subsidy_id}/decision", headers=who, json={"approve": approve}
        )

    async def balance(self) -> Decimal:
        funds = (await self.svc.client.get("/api/v1/interest-subsidies/funds", headers=OFFICE)).json()
        return Decimal(next(f for f in funds if f["programme"] == "tech_progress")["balance"])


@pytest.fixture(scope="module")
async def programme(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Programme]:
    async with run_service(
        create_app,
        Settings,
        MIGRATIONS,
        infra,
        topic_prefix=module_topic_prefix,
        proposal_width=1,
        tech_subsidy_fund_per_year=FUND,
    ) as svc:
        products = await _products(svc.client, "credit_only")
        await _enterprise(infra, module_topic_prefix)
        yield Programme(infra, module_topic_prefix, svc, products)


def expected(loan: dict[str, Any]) -> Decimal:
    """Half the interest for 12 months, computed here independently of the service."""
    interest = Decimal(loan["amount"]) * Decimal(loan["rate"]) / 100
    return (interest / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def test_the_sme_applies_and_the_amount_is_half_a_year_of_interest(programme: Programme) -> None:
    loan = programme.s["loan1"] = await programme.loan()
    r = await programme.apply(loan)
    assert r.status_code == 201, r.text
    subsidy = programme.s["first"] = r.json()
    assert (subsidy["status"], subsidy["months"]) == ("applied", 12)
    assert Decimal(subsidy["amount"]) == expected(loan)


async def test_an_application_is_refused_twice_to_others_and_outside_its_programme(
    programme: Programme,
) -> None:
    loan = programme.s["loan1"]
    assert (await programme.apply(loan)).status_code == 409
    assert (await programme.apply(loan, who=OTHER_SME)).status_code == 404
    assert (await programme.apply(loan, who=bearer("bank", loan["bank_org_id"]))).status_code == 403
    startup = await programme.apply(loan, programme="startup")
    assert startup.status_code == 422
    assert "start-up micro guaranteed loans" in startup.json()["detail"]
    unknown = await programme.apply(loan, programme="lottery")
    assert unknown.status_code == 422


async def test_the_lending_bank_sees_the_application_and_another_bank_does_not(programme: Programme) -> None:
    c, first, bank = programme.svc.client, programme.s["first"], programme.s["loan1"]["bank_org_id"]
    mine = (await c.get("/api/v1/interest-subsidies", headers=bearer("bank", bank))).json()
    assert [x["id"] for x in mine] == [first["id"]]
    other = bearer("bank", "bank-zz")
    assert (await c.get("/api/v1/interest-subsidies", headers=other)).json() == []
    assert (await c.get(f"/api/v1/interest-subsidies/{first['id']}", headers=other)).status_code == 404


async def test_only_the_office_pays_and_the_fund_goes_down_by_the_subsidy(programme: Programme) -> None:
    first = programme.s["first"]
    bank = bearer("bank", programme.s["loan1"]["bank_org_id"])
    assert (await programme.decide(first["id"], True, who=bank)).status_code == 403
    r = await programme.decide(first["id"], True)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["fund_year"]) == ("paid", date.today().year)
    assert await programme.balance() == FUND - Decimal(first["amount"])
    assert (await programme.decide(first["id"], True)).status_code == 409, "paid once"


async def test_a_subsidy_beyond_the_fund_is_refused_and_waits(programme: Programme) -> None:
    loan = programme.s["loan2"] = await programme.loan()
    second = programme.s["second"] = (await programme.apply(loan)).json()
    before = await programme.balance()
    r = await programme.decide(second["id"], True)
    assert r.status_code == 409
    assert "add an appropriation" in r.json()["detail"]
    assert await programme.balance() == before, "nothing paid in part"
    again = (await programme.svc.client.get(f"/api/v1/interest-subsidies/{second['id']}", headers=SME)).json()
    assert again["status"] == "applied"


async def test_after_an_appropriation_the_waiting_subsidy_is_paid(programme: Programme) -> None:
    c = programme.svc.client
    top_up = {"amount": "20000.00", "year": date.today().year, "note": "追加预算"}
    assert (await c.post(f"{TECH}/appropriations", headers=SME, json=top_up)).status_code == 403
    negative = top_up | {"amount": "-1.00"}
    assert (await c.post(f"{TECH}/appropriations", headers=OFFICE, json=negative)).status_code == 422
    r = await c.post(f"{TECH}/appropriations", headers=OFFICE, json=top_up)
    assert r.status_code == 201, r.text
    assert (await programme.decide(programme.s["second"]["id"], True)).json()["status"] == "paid"
    paid = Decimal(programme.s["first"]["amount"]) + Decimal(programme.s["second"]["amount"])
    assert await programme.balance() == FUND + Decimal("20000") - paid
    ledger = (await c.get(f"{TECH}/entries", headers=OFFICE)).json()
    assert sorted(e["kind"] for e in ledger) == ["appropriation", "payout", "payout"]


async def test_a_rejected_application_stays_rejected(programme: Programme) -> None:
    loan = await programme.loan()
    third = (await programme.apply(loan)).json()
    rejected = await programme.decide(third["id"], False)
    assert rejected.json()["status"] == "rejected"
    assert (await programme.decide(third["id"], True)).status_code == 409


async def test_each_payment_is_announced_on_the_broker(programme: Programme) -> None:
    consumer = AIOKafkaConsumer(
        programme.prefix + Topic.FINANCING,
        bootstrap_servers=programme.infra.bootstrap,
        auto_offset_reset="earliest",
        group_id=f"obs-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    paid: dict[str, str] = {}
    try:

        async def both() -> bool:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                for r in records:
                    e = json.loads(r.value or b"{}")
                    if e["type"] == "interest_subsidy.paid":
                        paid[e["payload"]["subsidy_id"]] = e["payload"]["amount"]
            return len(paid) == 2

        await eventually(both)
    finally:
        await consumer.stop()
    assert paid == {
        programme.s["first"]["id"]: programme.s["first"]["amount"],
        programme.s["second"]["id"]: programme.s["second"]["amount"],
    }
