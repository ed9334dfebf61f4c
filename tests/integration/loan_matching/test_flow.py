"""A request goes submitted -> matched -> offered -> accepted -> (guarantee issued) -> disbursed over Kafka,
one step per test in order on one running loan-matching, so a failure names the step that broke."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.contracts import Topic, make_envelope
from smefin.contracts.enterprises import EnterpriseRegistered, RatingChanged
from smefin.contracts.guarantees import GuaranteeIssued
from smefin.reference import make_uscc
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

SME_A = make_uscc("150102", "LMA000001")
SME_B = make_uscc("150202", "LMB000002")
GUARANTOR = str(uuid.uuid4())


async def publish(infra: Infra, prefix: str, *payloads: tuple[Any, str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for payload, subject in payloads:
            env = make_envelope(payload, subject=subject, source="test")
            await producer.send_and_wait(
                prefix + payload.topic, env.model_dump_json().encode(), key=subject.encode()
            )
    finally:
        await producer.stop()


def enterprise(uscc: str, league: str) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        uscc=uscc,
        name=f"企业 {uscc[-4:]}",
        league_code=league,
        industry="C1310",
        employees=40,
        revenue=Decimal("3000"),
        assets=Decimal("2500"),
        size_class="small",
    )


PRODUCT: dict[str, Any] = {
    "min_amount": "50000.00",
    "max_amount": "3000000.00",
    "min_term_months": 3,
    "max_term_months": 36,
    "industries": ["C"],
    "size_classes": ["micro", "small"],
    "base_rate": "3.4500",
    "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9", "BBB": "1.4"},
    "quota_count": 10,
}


BANK1, BANK2 = bearer("bank", "bank-1"), bearer("bank", "bank-2")
SME_A_H, SME_B_H = bearer("sme", "ent-a", SME_A), bearer("sme", "ent-b", SME_B)
REQUEST = {
    "amount": "800000.00",
    "term_months": 12,
    "purpose": "羊绒季节性流动资金",
    "accepts_guarantee": True,
}
WANT = {
    "financing_request.submitted",
    "match.proposed",
    "offer.made",
    "offer.accepted",
    "offer.withdrawn",
    "offer.completed",
    "loan.disbursed",
    "loan.extension_requested",
    "loan.extension_decided",
}


@dataclass
class Journey:
    """One running loan-matching and what earlier steps learnt (one step per test, in order)."""

    infra: Infra
    prefix: str
    c: httpx.AsyncClient
    ids: dict[str, str] = field(default_factory=dict)

    async def get(self, path: str, headers: dict[str, str]) -> Any:
        r = await self.c.get(path, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
async def journey(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Journey]:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=module_topic_prefix) as svc:
        yield Journey(infra, module_topic_prefix, svc.client)


async def test_banks_publish_three_products(journey: Journey) -> None:
    products = {
        "credit": (BANK1, {**PRODUCT, "name": "信用贷", "kind": "credit_only", "min_grade": "A"}),
        "guaranteed": (
            BANK2,
            {
                **PRODUCT,
                "name": "担保贷",
                "kind": "guaranteed",
                "min_grade": "BBB",
                "accepted_guarantee_company_ids": [GUARANTOR],
            },
        ),
        "big": (
            BANK2,
            {
                **PRODUCT,
                "name": "大额",
                "kind": "credit_only",
                "min_amount": "5000000.00",
                "max_amount": "9000000.00",
            },
        ),
    }
    for key, (bank, body) in products.items():
        r = await journey.c.post("/api/v1/products", headers=bank, json=body)
        assert r.status_code == 201, r.text
        journey.ids[key] = r.json()["id"]
        assert (
            await journey.c.post(f"/api/v1/products/{journey.ids[key]}/publish", headers=bank)
        ).status_code == 200


async def test_an_sme_unknown_to_the_projection_is_refused_clearly(journey: Journey) -> None:
    # Not in the projection yet: a clear refusal, never a synchronous call to credit-info.
    early = await journey.c.post("/api/v1/financing-requests", headers=SME_A_H, json=REQUEST)
    assert early.status_code == 409
    assert "not in the SME basic database" in early.json()["detail"]


async def test_a_request_is_matched_once_the_enterprise_is_known(journey: Journey) -> None:
    rating = RatingChanged(
        uscc=SME_A, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
    )
    await publish(
        journey.infra,
        journey.prefix,
        (enterprise(SME_A, "150100"), SME_A),
        (enterprise(SME_B, "150200"), SME_B),
        (rating, SME_A),
    )

    async def submitted() -> Any:
        r = await journey.c.post("/api/v1/financing-requests", headers=SME_A_H, json=REQUEST)
        return r.json() if r.status_code == 201 else None

    rid = journey.ids["request"] = (await eventually(submitted))["id"]

    async def matched() -> Any:
        r = await journey.get(f"/api/v1/financing-requests/{rid}", SME_A_H)
        return r if r["status"] == "matched" else None

    req = await eventually(matched)
    # The big-ticket product missed, with the rule and what would change it.
    miss = next(m for m in req["misses"] if m["product_id"] == journey.ids["big"])
    assert "amount_min" in miss["failed_rules"]


async def test_the_sme_sees_ranked_matches_with_the_indicative_rate(journey: Journey) -> None:
    ranked = await journey.get(f"/api/v1/financing-requests/{journey.ids['request']}/matches", SME_A_H)
    assert {m["bank_org_id"] for m in ranked} == {"bank-1", "bank-2"}
    assert all(m["model_version"].startswith("lm-") and m["product_version"] == 1 for m in ranked)
    m1 = next(m for m in ranked if m["bank_org_id"] == "bank-1")
    assert Decimal(m1["indicative_rate"]) == Decimal("4.3500")  # 3.45 base + 0.9 for grade A
    journey.ids["m1"] = m1["id"]


async def test_each_bank_sees_only_its_own_match_and_not_who_asked(journey: Journey) -> None:
    seen1 = await journey.get("/api/v1/matches", BANK1)
    assert [m["id"] for m in seen1] == [journey.ids["m1"]]
    assert seen1[0]["requester"] == {
        "anonymous": True,
        "league_code": "150100",
        "industry": "C1310",
        "size_class": "small",
        "grade": "A",
    }
    journey.ids["m2"] = (await journey.get("/api/v1/matches", BANK2))[0]["id"]


async def test_another_bank_or_sme_is_refused(journey: Journey) -> None:
    c, m1, rid = journey.c, journey.ids["m1"], journey.ids["request"]
    assert (await c.get(f"/api/v1/matches/{m1}", headers=BANK2)).status_code == 404
    assert (await c.post(f"/api/v1/matches/{m1}/offer", headers=BANK2, json={})).status_code == 404
    assert (await c.get(f"/api/v1/financing-requests/{rid}", headers=SME_B_H)).status_code == 404
    assert (await c.get(f"/api/v1/financing-requests/{rid}", headers=BANK1)).status_code == 404


async def test_banks_offer_one_at_a_counter_rate_one_guaranteed(journey: Journey) -> None:
    c = journey.c
    o1 = await c.post(f"/api/v1/matches/{journey.ids['m1']}/offer", headers=BANK1, json={"rate": "4.1000"})
    assert o1.status_code == 201
    assert o1.json()["counter_offer"] is True
    o2 = await c.post(f"/api/v1/matches/{journey.ids['m2']}/offer", headers=BANK2, json={})
    assert o2.status_code == 201
    assert o2.json()["guaranteed"] is True
    journey.ids["o1"], journey.ids["o2"] = o1.json()["id"], o2.json()["id"]
    assert (await c.get(f"/api/v1/offers/{journey.ids['o2']}", headers=BANK1)).status_code == 404
    assert (await c.post(f"/api/v1/offers/{journey.ids['o2']}/accept", headers=SME_B_H)).status_code == 404


async def test_accepting_one_offer_withdraws_the_other_and_waits_for_the_guarantee(journey: Journey) -> None:
    c, o2 = journey.c, journey.ids["o2"]
    acc = await c.post(f"/api/v1/offers/{o2}/accept", headers=SME_A_H)
    assert acc.json()["status"] == "pending_guarantee"
    assert (await journey.get(f"/api/v1/offers/{journey.ids['o1']}", SME_A_H))["status"] == "withdrawn"
    early_loan = await c.post("/api/v1/loans", headers=BANK2, json={"offer_id": o2})
    assert early_loan.status_code == 409
    assert "guarantee" in early_loan.json()["detail"]


async def test_only_the_accepted_bank_learns_who_asked(journey: Journey) -> None:
    assert (await journey.get(f"/api/v1/matches/{journey.ids['m2']}", BANK2))["requester"]["uscc"] == SME_A
    assert "uscc" not in (await journey.get(f"/api/v1/matches/{journey.ids['m1']}", BANK1))["requester"]


async def test_the_issued_guarantee_completes_the_offer_and_the_bank_disburses(journey: Journey) -> None:
    o2 = journey.ids["o2"]
    issued = GuaranteeIssued(
        guarantee_id=uuid.uuid4(),
        company_id=uuid.UUID(GUARANTOR),
        offer_id=uuid.UUID(o2),
        uscc=SME_A,
        amount=Decimal("800000"),
        guarantor_share=Decimal("0.8"),
    )
    await publish(journey.infra, journey.prefix, (issued, o2))

    async def completed() -> bool:
        return bool((await journey.get(f"/api/v1/offers/{o2}", SME_A_H))["status"] == "accepted")

    await eventually(completed)
    loan = await journey.c.post("/api/v1/loans", headers=BANK2, json={"offer_id": o2})
    assert loan.status_code == 201, loan.text
    journey.ids["loan"] = loan.json()["id"]
    request = await journey.get(f"/api/v1/financing-requests/{journey.ids['request']}", SME_A_H)
    assert request["status"] == "disbursed"


async def test_the_sme_asks_for_an_extension_and_only_its_bank_decides(journey: Journey) -> None:
    c, lid = journey.c, journey.ids["loan"]
    assert (await c.post(f"/api/v1/loans/{lid}/repaid", headers=BANK1)).status_code == 404
    ext = await c.post(
        f"/api/v1/loans/{lid}/extension-request",
        headers=SME_A_H,
        json={"extra_months": 3, "reason": "雪灾影响销售"},
    )
    assert ext.json()["extension_status"] == "requested"
    dec = await c.post(f"/api/v1/loans/{lid}/extension-decision", headers=BANK2, json={"grant": True})
    assert dec.json()["term_months"] == 15


async def test_every_transition_went_out_over_the_broker(journey: Journey) -> None:
    consumer = AIOKafkaConsumer(
        journey.prefix + Topic.FINANCING,
        bootstrap_servers=journey.infra.bootstrap,
        auto_offset_reset="earliest",
        group_id=f"obs-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    seen: set[str] = set()
    try:

        async def all_seen() -> bool:
            for recs in (await consumer.getmany(timeout_ms=300)).values():
                seen.update(json.loads(r.value or b"{}")["type"] for r in recs)
            return seen >= WANT

        await eventually(all_seen)
    finally:
        await consumer.stop()
