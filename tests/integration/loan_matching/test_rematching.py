"""Re-matching: publishing, editing and withdrawing a product re-evaluates the open requests it could
serve; a bank sees new matches, an SME new options, and a withdrawn product's proposals lapse with a
reason, all over HTTP and the broker."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.enterprises import RatingChanged
from tests.integration.loan_matching.observe import of_type, published
from tests.integration.loan_matching.test_flow import PRODUCT, SME_A, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

SME = bearer("sme", "ent-a", SME_A)


async def _product(c: httpx.AsyncClient, bank: str, **terms: Any) -> str:
    body = {**PRODUCT, "name": f"贷款 {bank}", "kind": "credit_only", **terms}
    p = await c.post("/api/v1/products", headers=bearer("bank", bank), json=body)
    assert p.status_code == 201, p.text
    r = await c.post(f"/api/v1/products/{p.json()['id']}/publish", headers=bearer("bank", bank))
    assert r.status_code == 200, r.text
    return str(p.json()["id"])


async def _banks(c: httpx.AsyncClient, rid: str) -> dict[str, str]:
    """bank -> match status, as the SME sees the request's options."""
    r = await c.get(f"/api/v1/financing-requests/{rid}/matches", headers=SME)
    return {m["bank_org_id"]: m["status"] for m in r.json()}


async def test_products_published_edited_and_withdrawn_rematch_open_requests(
    infra: Infra, topic_prefix: str
) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        await _product(c, "bank-1")
        rating = RatingChanged(
            uscc=SME_A, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
        )
        await publish(infra, topic_prefix, (enterprise(SME_A, "150100"), SME_A), (rating, SME_A))

        async def submitted(amount: str) -> str:
            async def go() -> Any:
                body = {"amount": amount, "term_months": 12, "purpose": "流动资金"}
                r = await c.post("/api/v1/financing-requests", headers=SME, json=body)
                return r.json()["id"] if r.status_code == 201 else None

            return str(await eventually(go))

        small, big = await submitted("800000.00"), await submitted("6000000.00")

        async def status(rid: str, want: str) -> bool:
            r = await c.get(f"/api/v1/financing-requests/{rid}", headers=SME)
            return bool(r.json()["status"] == want)

        await eventually(lambda: status(small, "matched"))
        await eventually(lambda: status(big, "no_match"))
        assert await _banks(c, small) == {"bank-1": "proposed"}

        # A new product: both open requests it can serve are matched again, without the SME asking.
        large = await _product(c, "bank-2", max_amount="9000000.00")

        async def two_options() -> bool:
            return await _banks(c, small) == {"bank-1": "proposed", "bank-2": "proposed"}

        await eventually(two_options)
        await eventually(lambda: status(big, "matched"))
        seen = (await c.get("/api/v1/matches", headers=bearer("bank", "bank-2"))).json()
        assert {m["request_id"] for m in seen} == {small, big}

        # An edit that opens a product to the SME's league: a new version, and new matches.
        elsewhere = await _product(c, "bank-3", leagues=["150200"])
        assert "bank-3" not in await _banks(c, small)
        edit = await c.patch(
            f"/api/v1/products/{elsewhere}", headers=bearer("bank", "bank-3"), json={"leagues": []}
        )
        assert edit.json()["version"] == 2

        async def third() -> bool:
            return (await _banks(c, small)).get("bank-3") == "proposed"

        await eventually(third)

        # Refusals: another bank cannot withdraw it; a product is withdrawn once.
        assert (
            await c.post(f"/api/v1/products/{large}/withdraw", headers=bearer("bank", "bank-1"))
        ).status_code == 404
        w = await c.post(f"/api/v1/products/{large}/withdraw", headers=bearer("bank", "bank-2"))
        assert w.status_code == 200, w.text
        assert (
            await c.post(f"/api/v1/products/{large}/withdraw", headers=bearer("bank", "bank-2"))
        ).status_code == 409

        # Its open proposals lapse with the reason; the big request has nothing left and says why.
        lapsed = (await c.get(f"/api/v1/financing-requests/{small}/matches", headers=SME)).json()
        gone = next(m for m in lapsed if m["bank_org_id"] == "bank-2")
        assert gone["status"] == "withdrawn"
        assert "withdrew product" in gone["status_reason"]
        req = (await c.get(f"/api/v1/financing-requests/{big}", headers=SME)).json()
        assert req["status"] == "no_match"
        assert "lapsed" in req["status_reason"]
        assert [
            m["status"] for m in (await c.get("/api/v1/matches", headers=bearer("bank", "bank-2"))).json()
        ] == [
            "withdrawn",
            "withdrawn",
        ]

        events = await published(
            infra,
            topic_prefix,
            lambda es: len(of_type(es, "match.withdrawn")) == 2 and bool(of_type(es, "product.withdrawn")),
        )
        assert {e["request_id"] for e in of_type(events, "match.withdrawn", product_id=large)} == {small, big}
        assert of_type(events, "product.withdrawn", product_id=large)[0]["lapsed_matches"] == 2
        assert of_type(events, "product.published", product_id=large)
        assert of_type(events, "product.updated", product_id=elsewhere)[0]["version"] == 2
        assert len(of_type(events, "match.proposed", bank_org_id="bank-2")) == 2
