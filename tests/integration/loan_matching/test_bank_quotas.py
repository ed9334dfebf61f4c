"""Dedicated credit quotas per bank (专门信贷指标): a bank's count and amount per period across all its
products, enforced when offers are made and respected by the assignment round, over HTTP and Kafka."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.enterprises import RatingChanged
from tests.integration.loan_matching.observe import of_type, published
from tests.integration.loan_matching.test_flow import PRODUCT, SME_A, SME_B, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

BANK1, BANK2, OFFICE = bearer("bank", "bank-1"), bearer("bank", "bank-2"), bearer("office", "office")
SMES = {SME_A: bearer("sme", "ent-a", SME_A), SME_B: bearer("sme", "ent-b", SME_B)}


async def _product(c: httpx.AsyncClient, bank: str, **terms: Any) -> str:
    body = {**PRODUCT, "name": f"贷款 {bank}", "kind": "credit_only", **terms}
    p = await c.post("/api/v1/products", headers=bearer("bank", bank), json=body)
    assert p.status_code == 201, p.text
    assert (
        await c.post(f"/api/v1/products/{p.json()['id']}/publish", headers=bearer("bank", bank))
    ).status_code == 200
    return str(p.json()["id"])


async def _request(c: httpx.AsyncClient, uscc: str, amount: str, banks: int) -> dict[str, str]:
    """A matched request; bank -> its proposed match id."""
    body = {"amount": amount, "term_months": 12, "purpose": "流动资金"}

    async def submitted() -> Any:
        r = await c.post("/api/v1/financing-requests", headers=SMES[uscc], json=body)
        return r.json()["id"] if r.status_code == 201 else None

    rid = await eventually(submitted)

    async def proposed() -> Any:
        ms = (await c.get(f"/api/v1/financing-requests/{rid}/matches", headers=SMES[uscc])).json()
        live = {m["bank_org_id"]: m["id"] for m in ms if m["status"] == "proposed"}
        return live if len(live) == banks else None

    return dict(await eventually(proposed))


async def test_a_bank_quota_caps_offers_and_the_assignment_round(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        await _product(c, "bank-1", name="流动资金贷")
        await _product(c, "bank-1", name="信用贷", base_rate="3.5000")
        await _product(c, "bank-2", min_amount="500000.00")
        ratings = [
            (
                RatingChanged(
                    uscc=u, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
                ),
                u,
            )
            for u in SMES
        ]
        await publish(
            infra,
            topic_prefix,
            (enterprise(SME_A, "150100"), SME_A),
            (enterprise(SME_B, "150200"), SME_B),
            *ratings,
        )
        a1 = await _request(c, SME_A, "800000.00", banks=2)
        b1 = await _request(c, SME_B, "800000.00", banks=2)

        # The bank sets its quota: two offers and 1,000,000 yuan this month across both products.
        r = await c.put(
            "/api/v1/bank-quotas",
            headers=BANK1,
            json={"period": "month", "quota_count": 2, "quota_amount": "1000000.00"},
        )
        assert r.status_code == 200, r.text
        quota = r.json()
        assert (quota["left_count"], quota["left_amount"]) == (2, "1000000.00")

        assert (
            await c.post(f"/api/v1/matches/{a1['bank-1']}/offer", headers=BANK1, json={})
        ).status_code == 201
        over = await c.post(f"/api/v1/matches/{b1['bank-1']}/offer", headers=BANK1, json={})
        assert over.status_code == 409
        assert "200000.00 of 1000000.00" in over.json()["detail"]
        # What is left still lends: a counter-offer within the room.
        fits = await c.post(
            f"/api/v1/matches/{b1['bank-1']}/offer", headers=BANK1, json={"amount": "200000.00"}
        )
        assert fits.status_code == 201, fits.text
        room = (await c.get(f"/api/v1/bank-quotas/{quota['id']}", headers=BANK1)).json()
        assert (room["used_count"], room["left_count"], room["left_amount"]) == (2, 0, "0.00")
        # Another bank is not limited by it.
        assert (
            await c.post(f"/api/v1/matches/{a1['bank-2']}/offer", headers=BANK2, json={})
        ).status_code == 201

        # Refusals: an SME sets no quota; another bank reads none of it; bad quotas are 422.
        assert (
            await c.put("/api/v1/bank-quotas", headers=SMES[SME_A], json={"quota_count": 1})
        ).status_code == 403
        assert (await c.get(f"/api/v1/bank-quotas/{quota['id']}", headers=BANK2)).status_code == 404
        assert (await c.get("/api/v1/bank-quotas", headers=BANK2)).json() == []
        assert (
            await c.put("/api/v1/bank-quotas", headers=BANK1, json={"period": "month"})
        ).status_code == 422
        assert (
            await c.put("/api/v1/bank-quotas", headers=BANK1, json={"quota_amount": 5})
        ).status_code == 422

        # One more offer's room; three small requests only bank 1 serves, over its two products.
        r = await c.put("/api/v1/bank-quotas", headers=BANK1, json={"period": "month", "quota_count": 3})
        assert r.json()["left_count"] == 1
        for uscc in (SME_A, SME_A, SME_B):
            await _request(c, uscc, "100000.00", banks=1)
        rnd = await c.post("/api/v1/assignment-rounds", headers=OFFICE, json={"max_requests": 100})
        assert rnd.status_code == 201, rnd.text
        body = rnd.json()
        assert body["requests"] == 3
        # The product quotas (10 each) would take all three; the bank's quota leaves room for one.
        assert [a["bank_org_id"] for a in body["assignments"]] == ["bank-1"]
        assert body["optimality"] == "optimal"
        assert Decimal(body["bound"]) >= Decimal(body["objective"]) > 0
        assert {q["bank_org_id"] for q in (await c.get("/api/v1/bank-quotas", headers=OFFICE)).json()} == {
            "bank-1"
        }

        events = await published(infra, topic_prefix, lambda es: len(of_type(es, "bank_quota.set")) == 2)
        assert [e["quota_count"] for e in of_type(events, "bank_quota.set", bank_org_id="bank-1")] == [2, 3]
