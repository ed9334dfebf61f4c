"""Inputs that used to reach a 500 in loan-matching answer a 4xx with a message; a bank reads of a
competitor's product exactly what its list shows: terms and rates, never quota room."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.enterprises import RatingChanged
from tests.integration.loan_matching.test_flow import PRODUCT, SME_A, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

OFFICE = bearer("office", "office")
BANK_1, BANK_2 = bearer("bank", "bank-1"), bearer("bank", "bank-2")
HUGE = "9223372036854775808"


async def test_huge_offsets_are_refused_with_the_bound(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        for resource in ("products", "matches", "offers", "loans", "financing-requests"):
            r = await svc.client.get(f"/api/v1/{resource}", params={"offset": HUGE}, headers=OFFICE)
            assert r.status_code == 422, (resource, r.text)
            assert r.json()["errors"][0]["field"] == "query.offset"
            assert "1000000" in r.json()["errors"][0]["message"]


async def test_patching_a_product_field_to_null_is_a_422_naming_it(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        p = (
            await c.post(
                "/api/v1/products", json={**PRODUCT, "name": "信用贷", "kind": "credit_only"}, headers=BANK_1
            )
        ).json()
        for field in (
            "name",
            "leagues",
            "size_classes",
            "grade_spreads",
            "min_amount",
            "accepted_guarantee_company_ids",
        ):
            r = await c.patch(f"/api/v1/products/{p['id']}", json={field: None}, headers=BANK_1)
            assert r.status_code == 422, (field, r.text)
            assert field in r.json()["detail"]
        # The nullable ones clear as documented.
        r = await c.patch(
            f"/api/v1/products/{p['id']}", json={"min_grade": None, "quota_count": None}, headers=BANK_1
        )
        assert r.status_code == 200, r.text
        assert r.json()["quota_count"] is None
        r = await c.patch(f"/api/v1/products/{p['id']}", json={"base_rate": 4.1}, headers=BANK_1)
        assert r.status_code == 422
        assert "decimal string" in r.json()["detail"]


async def test_an_assignment_round_with_defaults_runs(infra: Infra, topic_prefix: str) -> None:
    sme = bearer("sme", "ent-a", SME_A)
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        p = (
            await c.post(
                "/api/v1/products", json={**PRODUCT, "name": "信用贷", "kind": "credit_only"}, headers=BANK_1
            )
        ).json()
        assert (await c.post(f"/api/v1/products/{p['id']}/publish", headers=BANK_1)).status_code == 200
        rating = RatingChanged(
            uscc=SME_A, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
        )
        await publish(infra, topic_prefix, (enterprise(SME_A, "150100"), SME_A), (rating, SME_A))
        body = {"amount": "800000.00", "term_months": 12, "purpose": "流动资金"}

        async def submitted() -> Any:
            r = await c.post("/api/v1/financing-requests", headers=sme, json=body)
            return r.json() if r.status_code == 201 else None

        assert await eventually(submitted)
        # The solver's description of itself used to overflow its column: a 500 on every real round.
        r = await c.post("/api/v1/assignment-rounds", json={}, headers=OFFICE)
        assert r.status_code == 201, r.text
        assert r.json()["assigned"] == 1
        assert r.json()["solver"]


async def test_a_competitor_reads_terms_not_quotas_and_read_and_list_agree(
    infra: Infra, topic_prefix: str
) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        p = (
            await c.post(
                "/api/v1/products", json={**PRODUCT, "name": "信用贷", "kind": "credit_only"}, headers=BANK_1
            )
        ).json()
        # A draft is nobody else's business.
        assert (await c.get(f"/api/v1/products/{p['id']}", headers=BANK_2)).status_code == 404
        assert (await c.post(f"/api/v1/products/{p['id']}/publish", headers=BANK_1)).status_code == 200
        own = (await c.get(f"/api/v1/products/{p['id']}", headers=BANK_1)).json()
        assert own["quota_count"] == 10
        theirs = (await c.get(f"/api/v1/products/{p['id']}", headers=BANK_2)).json()
        assert theirs["base_rate"] == "3.4500"
        assert "quota_count" not in theirs
        assert "quota_amount" not in theirs
        market = (await c.get("/api/v1/products", params={"market": "true"}, headers=BANK_2)).json()
        assert market == [theirs]
        assert (await c.get("/api/v1/products", headers=BANK_2)).json() == []  # its own: none
        sme = (
            await c.get(f"/api/v1/products/{p['id']}", headers=bearer("sme", "e", "911501020000000A1E"))
        ).json()
        assert sme == theirs
        office = (await c.get(f"/api/v1/products/{p['id']}", headers=OFFICE)).json()
        assert office["quota_count"] == 10
