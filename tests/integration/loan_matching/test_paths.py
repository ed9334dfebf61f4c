"""The paths of loan-matching beyond the happy journey, one behaviour per test, over HTTP and Kafka:
decline and expiry hand the request to the next-best bank, a refused guarantee reopens it, an SME
withdraws or re-matches on demand, a bank edits and withdraws a product and records a default."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts.enterprises import RatingChanged
from smefin.contracts.guarantees import GuaranteeRefused
from tests.integration.loan_matching.observe import of_type, published
from tests.integration.loan_matching.test_flow import PRODUCT, SME_A, enterprise, publish
from tests.support.infra import Infra
from tests.support.services import RunningService, bearer, eventually, run_service

SME = bearer("sme", "ent-a", SME_A)
OFFICE = bearer("office", "office")
GUARANTOR = uuid.uuid4()
BANKS = ("bank-1", "bank-2")


@dataclass
class Market:
    """A running service with one product per bank, SME_A rated A, and its request matched."""

    infra: Infra
    prefix: str
    client: httpx.AsyncClient
    request_id: str
    products: dict[str, dict[str, Any]]

    async def matches(self) -> list[dict[str, Any]]:
        """The request's matches as the SME sees them, best first."""
        r = await self.client.get(f"/api/v1/financing-requests/{self.request_id}/matches", headers=SME)
        assert r.status_code == 200, r.text
        return list(r.json())

    async def proposed(self) -> dict[str, Any]:
        """The one proposed match (the proposal width is 1)."""
        live = [m for m in await self.matches() if m["status"] == "proposed"]
        assert len(live) == 1, live
        return live[0]

    async def request(self) -> dict[str, Any]:
        """The request as the SME sees it."""
        return dict(
            (await self.client.get(f"/api/v1/financing-requests/{self.request_id}", headers=SME)).json()
        )


async def _products(c: httpx.AsyncClient, kind: str, banks: tuple[str, ...] = BANKS) -> dict[str, Any]:
    """One published product per bank."""
    products = {}
    for i, bank in enumerate(banks):
        body = {**PRODUCT, "name": f"贷款 {bank}", "kind": kind, "base_rate": f"3.{4 + i}000"}
        if kind == "guaranteed":
            body["accepted_guarantee_company_ids"] = [str(GUARANTOR)]
        p = (await c.post("/api/v1/products", headers=bearer("bank", bank), json=body)).json()
        published = await c.post(f"/api/v1/products/{p['id']}/publish", headers=bearer("bank", bank))
        assert published.status_code == 200, published.text
        products[bank] = p
    return products


async def _enterprise(infra: Infra, prefix: str) -> None:
    rating = RatingChanged(
        uscc=SME_A, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
    )
    await publish(infra, prefix, (enterprise(SME_A, "150100"), SME_A), (rating, SME_A))


async def _request(
    infra: Infra, prefix: str, c: httpx.AsyncClient, products: dict[str, Any], banks: int = len(BANKS)
) -> Market:
    """A new request of SME_A, matched with `banks` banks."""
    need = {
        "amount": "800000.00",
        "term_months": 12,
        "purpose": "羊绒季节性流动资金",
        "accepts_guarantee": True,
    }

    async def submitted() -> Any:
        r = await c.post("/api/v1/financing-requests", headers=SME, json=need)
        return r.json() if r.status_code == 201 else None

    m = Market(infra, prefix, c, (await eventually(submitted))["id"], products)

    async def matched() -> bool:
        return len(await m.matches()) == banks

    await eventually(matched)
    return m


@asynccontextmanager
async def _own_market(infra: Infra, prefix: str, kind: str) -> AsyncIterator[Market]:
    """A service of the test's own, its products published and one request matched."""
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=prefix, proposal_width=1
    ) as svc:
        await _enterprise(infra, prefix)
        yield await _request(infra, prefix, svc.client, await _products(svc.client, kind))


@dataclass
class Shared:
    """One service for the module's credit-only scenarios; each test makes its own request."""

    infra: Infra
    prefix: str
    svc: RunningService
    products: dict[str, Any]

    async def market(self, banks: int = len(BANKS)) -> Market:
        """A fresh request, matched."""
        return await _request(self.infra, self.prefix, self.svc.client, self.products, banks)


@pytest.fixture(scope="module")
async def shared(infra: Infra) -> AsyncIterator[Shared]:
    """One bank deciding at a time (proposal width 1), so a drop-out visibly hands the request on."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=prefix, proposal_width=1
    ) as svc:
        products = await _products(svc.client, "credit_only")
        await _enterprise(infra, prefix)
        yield Shared(infra, prefix, svc, products)


async def test_a_decline_hands_the_request_to_the_next_best_bank(shared: Shared) -> None:
    m = await shared.market()
    first = await m.proposed()
    r = await m.client.post(
        f"/api/v1/matches/{first['id']}/decline",
        headers=bearer("bank", first["bank_org_id"]),
        json={"reason": "行业集中度已满"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "declined"
    second = await m.proposed()
    assert second["bank_org_id"] != first["bank_org_id"]
    assert second["rank"] > first["rank"]
    # Both steps went out over the broker: the decline with its reason, then the next proposal.
    events = await published(
        m.infra, m.prefix, lambda es: bool(of_type(es, "match.proposed", match_id=second["id"]))
    )
    [declined] = of_type(events, "offer.declined", match_id=first["id"])
    assert (declined["reason"], declined["bank_org_id"]) == ("行业集中度已满", first["bank_org_id"])
    assert of_type(events, "match.proposed", match_id=second["id"])[0]["bank_org_id"] == second["bank_org_id"]


async def test_an_expired_proposal_hands_the_request_to_the_next_best_bank(
    infra: Infra, topic_prefix: str
) -> None:
    # A service of its own: the sweep expires every due proposal, not just this request's.
    async with _own_market(infra, topic_prefix, "credit_only") as m:
        first = await m.proposed()
        later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        r = await m.client.post("/api/v1/matches/expire-due", params={"as_of": later}, headers=OFFICE)
        assert r.json() == {"expired": 1}
        statuses = {x["bank_org_id"]: x["status"] for x in await m.matches()}
        assert statuses[first["bank_org_id"]] == "expired"
        assert sorted(statuses.values()) == ["expired", "proposed"]  # the other bank now decides
        second = await m.proposed()
        events = await published(
            m.infra, m.prefix, lambda es: bool(of_type(es, "match.proposed", match_id=second["id"]))
        )
        [expired] = of_type(events, "match.expired", match_id=first["id"])
        assert (expired["request_id"], expired["bank_org_id"]) == (m.request_id, first["bank_org_id"])
        # The bank that let it lapse can no longer approve it.
        late = await m.client.post(
            f"/api/v1/matches/{first['id']}/offer", headers=bearer("bank", first["bank_org_id"]), json={}
        )
        assert late.status_code == 409


async def test_a_refused_guarantee_fails_the_offer_and_reopens_the_request(
    infra: Infra, topic_prefix: str
) -> None:
    async with _own_market(infra, topic_prefix, "guaranteed") as m:
        first = await m.proposed()
        bank = bearer("bank", first["bank_org_id"])
        offer = (await m.client.post(f"/api/v1/matches/{first['id']}/offer", headers=bank, json={})).json()
        accepted = (await m.client.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME)).json()
        assert accepted["status"] == "pending_guarantee"
        refusal = GuaranteeRefused(
            company_id=GUARANTOR,
            offer_id=uuid.UUID(offer["id"]),
            uscc=SME_A,
            reason="在保余额已达放大倍数上限",
        )
        await publish(m.infra, m.prefix, (refusal, offer["id"]))

        async def failed() -> Any:
            o = (await m.client.get(f"/api/v1/offers/{offer['id']}", headers=SME)).json()
            return o if o["status"] == "failed" else None

        o = await eventually(failed)
        assert "放大倍数" in o["status_reason"]
        req = await m.request()
        assert req["status"] == "matched"
        assert "guarantee refused" in req["status_reason"]
        # The next-best bank is asked in its place.
        assert (await m.proposed())["bank_org_id"] != first["bank_org_id"]


async def test_the_sme_withdraws_and_standing_offers_lapse(shared: Shared) -> None:
    m = await shared.market()
    first = await m.proposed()
    bank = bearer("bank", first["bank_org_id"])
    offer = (await m.client.post(f"/api/v1/matches/{first['id']}/offer", headers=bank, json={})).json()
    r = await m.client.post(f"/api/v1/financing-requests/{m.request_id}/withdraw", headers=SME)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    o = (await m.client.get(f"/api/v1/offers/{offer['id']}", headers=bank)).json()
    assert (o["status"], o["status_reason"]) == ("withdrawn", "the SME withdrew the request")
    assert {x["status"] for x in await m.matches()} == {"withdrawn"}
    # Withdrawn is final: neither a second withdrawal nor an acceptance.
    assert (
        await m.client.post(f"/api/v1/financing-requests/{m.request_id}/withdraw", headers=SME)
    ).status_code == 409
    assert (await m.client.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME)).status_code == 409


async def test_matching_on_demand_reranks_and_keeps_what_banks_saw(shared: Shared) -> None:
    m = await shared.market()
    first = await m.proposed()
    r = await m.client.post(f"/api/v1/financing-requests/{m.request_id}/match", headers=SME)
    assert r.status_code == 200, r.text
    assert r.json()["model_version"].startswith("lm-")
    assert r.json()["matches"] == 1  # only the queued bank is re-ranked; the proposed one stands
    assert (await m.proposed())["id"] == first["id"]
    other = bearer("sme", "ent-b", "911502020000000B2X")
    assert (
        await m.client.post(f"/api/v1/financing-requests/{m.request_id}/match", headers=other)
    ).status_code == 404


async def test_a_product_edit_is_a_new_version_and_a_withdrawn_product_is_not_matched(
    shared: Shared,
) -> None:
    # A product of its own, so the other scenarios keep their two banks.
    own = await _products(shared.svc.client, "credit_only", ("bank-3",))
    m = await shared.market(banks=3)
    bank = bearer("bank", "bank-3")
    pid = own["bank-3"]["id"]
    r = await m.client.patch(f"/api/v1/products/{pid}", headers=bank, json={"base_rate": "3.9000"})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["base_rate"]) == (2, "3.9000")
    # Matches keep the version they were made on.
    assert {x["product_version"] for x in await m.matches()} == {1}
    assert (
        await m.client.patch(f"/api/v1/products/{pid}", headers=bearer("bank", "bank-2"), json={"name": "x"})
    ).status_code == 404
    empty = await m.client.patch(f"/api/v1/products/{pid}", headers=bank, json={"min_amount": "9000000.00"})
    assert empty.status_code == 409
    w = await m.client.post(f"/api/v1/products/{pid}/withdraw", headers=bank)
    assert w.json()["status"] == "withdrawn"
    assert (
        await m.client.patch(f"/api/v1/products/{pid}", headers=bank, json={"name": "y"})
    ).status_code == 409
    market_ids = {p["id"] for p in (await m.client.get("/api/v1/products", headers=SME)).json()}
    assert pid not in market_ids
    quotas = (await m.client.get("/api/v1/quotas", headers=OFFICE)).json()
    assert pid not in {q["product_id"] for q in quotas}


async def test_a_default_closes_the_loan_with_its_outstanding_principal(shared: Shared) -> None:
    m = await shared.market()
    first = await m.proposed()
    bank = bearer("bank", first["bank_org_id"])
    offer = (await m.client.post(f"/api/v1/matches/{first['id']}/offer", headers=bank, json={})).json()
    assert (await m.client.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME)).json()[
        "status"
    ] == "accepted"
    loan = (await m.client.post("/api/v1/loans", headers=bank, json={"offer_id": offer["id"]})).json()
    too_much = await m.client.post(
        f"/api/v1/loans/{loan['id']}/defaulted", headers=bank, json={"outstanding": "900000.00"}
    )
    assert too_much.status_code == 409
    assert (
        await m.client.post(
            f"/api/v1/loans/{loan['id']}/defaulted", headers=SME, json={"outstanding": "1.00"}
        )
    ).status_code == 403
    r = await m.client.post(
        f"/api/v1/loans/{loan['id']}/defaulted", headers=bank, json={"outstanding": "350000.00"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outstanding"]) == ("defaulted", "350000.00")
    assert (await m.client.post(f"/api/v1/loans/{loan['id']}/repaid", headers=bank)).status_code == 409
