"""Approval odds before applying: a visitor (through the gateway's public route) and an SME preview
their matches with reasons, rate and probability, and nothing is recorded or shown to any bank."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from smefin.contracts.enterprises import RatingChanged
from tests.integration.gateway.door import door
from tests.integration.loan_matching.test_flow import PRODUCT, SME_A, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

NEED = {"amount": "800000.00", "term_months": 12, "accepts_guarantee": True}
VISITOR = {
    **NEED,
    "league_code": "150100",
    "industry": "C1310",
    "employees": 40,
    "revenue": "3000",
    "assets": "2500",
}


async def _product(c: httpx.AsyncClient, bank: str, **terms: Any) -> str:
    body = {**PRODUCT, "name": f"贷款 {bank}", "kind": "credit_only", **terms}
    p = await c.post("/api/v1/products", headers=bearer("bank", bank), json=body)
    assert p.status_code == 201, p.text
    assert (
        await c.post(f"/api/v1/products/{p.json()['id']}/publish", headers=bearer("bank", bank))
    ).status_code == 200
    return str(p.json()["id"])


async def _recorded(app: Any) -> dict[str, int]:
    async with app.state.db.unit_of_work() as session:
        return {
            t: int((await session.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one())
            for t in ("financing_request", "match", "offer", "outbox")
        }


async def test_a_visitor_and_an_sme_preview_without_anyone_seeing_it(infra: Infra, topic_prefix: str) -> None:
    async with door(infra, topic_prefix, services=("loan_matching",)) as gw:
        svc, app = gw.services["loan-matching"], gw.service_apps["loan-matching"]
        graded = await _product(svc, "bank-1", min_grade="A")
        elsewhere = await _product(svc, "bank-2", leagues=["150200"])
        await publish(
            infra,
            topic_prefix,
            (enterprise(SME_A, "150100"), SME_A),
            (
                RatingChanged(
                    uscc=SME_A,
                    score=720,
                    probability_of_default=Decimal("0.012"),
                    grade="A",
                    model_version="t",
                ),
                SME_A,
            ),
        )
        sme = bearer("sme", "ent-a", SME_A)

        async def rated() -> Any:
            r = await svc.post("/api/v1/previews", headers=sme, json=NEED)
            return r.json() if r.status_code == 200 and r.json()["profile"]["grade"] == "A" else None

        mine = await eventually(rated)
        before = await _recorded(app)

        # A visitor, no credentials, through the gateway's public route.
        r = await gw.client.post("/api/v1/previews/public", json=VISITOR)
        assert r.status_code == 200, r.text
        seen = r.json()
        assert seen["profile_source"] == "figures"
        assert seen["profile"]["size_class"] == "small"  # classified from the figures (2011 standard)
        assert "grade" in seen["unknown"]
        [match] = seen["matches"]
        assert match["product_id"] == graded
        rules = {x["rule"]: x["status"] for x in match["reasons"]}
        assert rules["min_grade"] == "unknown"
        assert rules["league"] == "met"
        assert 0 < Decimal(match["probability"]) < 1
        # Grade unknown: the product's worst spread is charged, and the explanation says so.
        assert Decimal(match["indicative_rate"]) == Decimal("3.4500") + Decimal("1.4")
        parts = {x["component"]: x for x in match["rate_explanation"]}
        assert parts["base_rate"]["points"] == "3.4500"
        assert "unknown" in parts["credit_grade"]["grade"]
        [miss] = seen["misses"]
        assert miss["product_id"] == elsewhere
        assert miss["eligible"] is False
        assert any("150200" in w for w in miss["would_change_it"])

        # The SME is scored on its registered profile (grade A), as matching would score it.
        assert mine["profile_source"] == "projection"
        assert mine["unknown"][:1] != ["grade"]
        assert Decimal(mine["matches"][0]["indicative_rate"]) == Decimal("4.3500")  # 3.45 + 0.9 for A

        # Nothing was recorded, nothing published, no bank sees anything.
        assert await _recorded(app) == before
        assert before | {"outbox": 0} == {"financing_request": 0, "match": 0, "offer": 0, "outbox": 0}
        for bank in ("bank-1", "bank-2"):
            assert (await svc.get("/api/v1/matches", headers=bearer("bank", bank))).json() == []

        # Refusals: the private route needs a login; a bank does not preview; bad figures are 422.
        assert (await gw.client.post("/api/v1/previews", json=NEED)).status_code == 401
        assert (
            await svc.post("/api/v1/previews", headers=bearer("bank", "bank-1"), json=NEED)
        ).status_code == 403
        bad = await gw.client.post("/api/v1/previews/public", json={**VISITOR, "amount": 800000})
        assert bad.status_code == 422
        assert "decimal string" in bad.text
        wrong = await gw.client.post("/api/v1/previews/public", json={**VISITOR, "tax_grade": "X"})
        assert wrong.status_code == 422
        odd = await gw.client.post("/api/v1/previews/public", json={**VISITOR, "industry": "Z9"})
        assert odd.status_code == 422
