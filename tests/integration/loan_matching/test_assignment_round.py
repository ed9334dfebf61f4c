"""An assignment round with a binding amount quota: every quota held, the proven gap recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.enterprises import RatingChanged
from smefin.reference import make_uscc
from tests.integration.loan_matching.test_flow import PRODUCT, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

SMES = [make_uscc("150102", f"RND{i:06d}") for i in range(6)]
AMOUNTS = ["900000.00", "800000.00", "700000.00", "600000.00", "500000.00", "400000.00"]


async def test_round_respects_amount_quota_and_records_its_certificate(
    infra: Infra, topic_prefix: str
) -> None:
    bank1, bank2, office = bearer("bank", "bank-r1"), bearer("bank", "bank-r2"), bearer("office", "office")
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        # Bank 1 may lend 1.5M yuan this month in at most 5 loans; bank 2 two loans, no amount cap.
        tight = {
            **PRODUCT,
            "name": "额度贷",
            "kind": "credit_only",
            "quota_count": 5,
            "quota_amount": "1500000.00",
        }
        loose = {**PRODUCT, "name": "普惠贷", "kind": "credit_only", "quota_count": 2}
        ids = []
        for body, h in ((tight, bank1), (loose, bank2)):
            p = (await c.post("/api/v1/products", headers=h, json=body)).json()
            assert (await c.post(f"/api/v1/products/{p['id']}/publish", headers=h)).status_code == 200
            ids.append(p["id"])
        events: list[tuple[Any, str]] = []
        amount_of: dict[str, Decimal] = {}
        for uscc in SMES:
            events.append((enterprise(uscc, "150100"), uscc))
            rating = RatingChanged(
                uscc=uscc, score=700, probability_of_default=Decimal("0.015"), grade="A", model_version="t"
            )
            events.append((rating, uscc))
        await publish(infra, topic_prefix, *events)
        for uscc, amount in zip(SMES, AMOUNTS, strict=True):
            sme = bearer("sme", f"ent-{uscc[-4:]}", uscc)
            body = {"amount": amount, "term_months": 12, "purpose": "流动资金", "accepts_guarantee": False}

            async def submitted(sme: dict[str, str] = sme, body: dict[str, Any] = body) -> Any:
                r = await c.post("/api/v1/financing-requests", headers=sme, json=body)
                return r.json() if r.status_code == 201 else None

            req = await eventually(submitted)
            amount_of[req["id"]] = Decimal(amount)

        assert (await c.post("/api/v1/assignment-rounds", headers=bank1, json={})).status_code == 403
        bad = await c.post("/api/v1/assignment-rounds", headers=office, json={"max_requests": 0})
        assert bad.status_code == 422
        r = await c.post("/api/v1/assignment-rounds", headers=office, json={})
        assert r.status_code == 201, r.text
        rnd = r.json()
        assert rnd["requests"] == 6
        assert rnd["optimality"] == "optimal"
        assert Decimal(rnd["bound"]) >= Decimal(rnd["objective"]) > 0
        assert 0 <= rnd["gap"] <= 1e-3
        by_product: dict[str, list[Decimal]] = {}
        for a in rnd["assignments"]:
            by_product.setdefault(a["product_id"], []).append(amount_of[a["request_id"]])
        assert len(by_product.get(ids[1], [])) <= 2
        assert len(by_product.get(ids[0], [])) <= 5
        # The amount quota holds and binds: bank 1 gets at most 1.5M yuan of the 3.9M asked.
        assert 0 < sum(by_product.get(ids[0], [])) <= Decimal("1500000")
        assert rnd["assigned"] == len(rnd["assignments"]) >= 3
        again = (await c.get(f"/api/v1/assignment-rounds/{rnd['id']}", headers=office)).json()
        assert again["gap"] == rnd["gap"]
        assert again["optimality"] == rnd["optimality"]
