"""A request goes submitted -> matched -> offered -> accepted -> (guarantee issued) -> disbursed over Kafka."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

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


async def test_request_to_disbursement_with_guarantee(infra: Infra, topic_prefix: str) -> None:
    bank1, bank2 = bearer("bank", "bank-1"), bearer("bank", "bank-2")
    sme_a, sme_b = bearer("sme", "ent-a", SME_A), bearer("sme", "ent-b", SME_B)
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        credit = (
            await c.post(
                "/api/v1/products",
                headers=bank1,
                json={**PRODUCT, "name": "信用贷", "kind": "credit_only", "min_grade": "A"},
            )
        ).json()
        guar = (
            await c.post(
                "/api/v1/products",
                headers=bank2,
                json={
                    **PRODUCT,
                    "name": "担保贷",
                    "kind": "guaranteed",
                    "min_grade": "BBB",
                    "accepted_guarantee_company_ids": [GUARANTOR],
                },
            )
        ).json()
        big = (
            await c.post(
                "/api/v1/products",
                headers=bank2,
                json={
                    **PRODUCT,
                    "name": "大额",
                    "kind": "credit_only",
                    "min_amount": "5000000.00",
                    "max_amount": "9000000.00",
                },
            )
        ).json()
        for p, h in ((credit, bank1), (guar, bank2), (big, bank2)):
            assert (await c.post(f"/api/v1/products/{p['id']}/publish", headers=h)).status_code == 200

        body = {
            "amount": "800000.00",
            "term_months": 12,
            "purpose": "羊绒季节性流动资金",
            "accepts_guarantee": True,
        }
        # Not in the projection yet: a clear refusal, never a synchronous call to credit-info.
        early = await c.post("/api/v1/financing-requests", headers=sme_a, json=body)
        assert early.status_code == 409
        assert "not in the SME basic database" in early.json()["detail"]

        await publish(
            infra,
            topic_prefix,
            (enterprise(SME_A, "150100"), SME_A),
            (enterprise(SME_B, "150200"), SME_B),
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

        async def submitted() -> Any:
            r = await c.post("/api/v1/financing-requests", headers=sme_a, json=body)
            return r.json() if r.status_code == 201 else None

        req = await eventually(submitted)
        rid = req["id"]

        async def matched() -> Any:
            r = (await c.get(f"/api/v1/financing-requests/{rid}", headers=sme_a)).json()
            return r if r["status"] == "matched" else None

        req = await eventually(matched)
        # The big-ticket product missed, with the rule and what would change it.
        miss = next(m for m in req["misses"] if m["product_id"] == big["id"])
        assert "amount_min" in miss["failed_rules"]
        ranked = (await c.get(f"/api/v1/financing-requests/{rid}/matches", headers=sme_a)).json()
        assert {m["bank_org_id"] for m in ranked} == {"bank-1", "bank-2"}
        assert all(m["model_version"].startswith("lm-") and m["product_version"] == 1 for m in ranked)
        m1 = next(m for m in ranked if m["bank_org_id"] == "bank-1")
        assert Decimal(m1["indicative_rate"]) == Decimal("4.3500")  # 3.45 base + 0.9 for grade A

        # Each bank sees only its own match, and not who asked.
        seen1 = (await c.get("/api/v1/matches", headers=bank1)).json()
        assert [m["id"] for m in seen1] == [m1["id"]]
        assert seen1[0]["requester"] == {
            "anonymous": True,
            "league_code": "150100",
            "industry": "C1310",
            "size_class": "small",
            "grade": "A",
        }
        m2 = (await c.get("/api/v1/matches", headers=bank2)).json()[0]
        # Refusals: another bank's match, another SME's request.
        assert (await c.get(f"/api/v1/matches/{m1['id']}", headers=bank2)).status_code == 404
        assert (await c.post(f"/api/v1/matches/{m1['id']}/offer", headers=bank2, json={})).status_code == 404
        assert (await c.get(f"/api/v1/financing-requests/{rid}", headers=sme_b)).status_code == 404
        assert (await c.get(f"/api/v1/financing-requests/{rid}", headers=bank1)).status_code == 404

        o1 = await c.post(f"/api/v1/matches/{m1['id']}/offer", headers=bank1, json={"rate": "4.1000"})
        assert o1.status_code == 201
        assert o1.json()["counter_offer"] is True
        o2 = (await c.post(f"/api/v1/matches/{m2['id']}/offer", headers=bank2, json={})).json()
        assert o2["guaranteed"] is True
        assert (await c.get(f"/api/v1/offers/{o2['id']}", headers=bank1)).status_code == 404
        assert (await c.post(f"/api/v1/offers/{o2['id']}/accept", headers=sme_b)).status_code == 404

        acc = (await c.post(f"/api/v1/offers/{o2['id']}/accept", headers=sme_a)).json()
        assert acc["status"] == "pending_guarantee"
        assert (await c.get(f"/api/v1/offers/{o1.json()['id']}", headers=sme_a)).json()[
            "status"
        ] == "withdrawn"
        early_loan = await c.post("/api/v1/loans", headers=bank2, json={"offer_id": o2["id"]})
        assert early_loan.status_code == 409
        assert "guarantee" in early_loan.json()["detail"]
        # Accepted: bank 2 now knows who it is lending to; bank 1 still does not.
        assert (await c.get(f"/api/v1/matches/{m2['id']}", headers=bank2)).json()["requester"][
            "uscc"
        ] == SME_A
        assert "uscc" not in (await c.get(f"/api/v1/matches/{m1['id']}", headers=bank1)).json()["requester"]

        await publish(
            infra,
            topic_prefix,
            (
                GuaranteeIssued(
                    guarantee_id=uuid.uuid4(),
                    company_id=uuid.UUID(GUARANTOR),
                    offer_id=uuid.UUID(o2["id"]),
                    uscc=SME_A,
                    amount=Decimal("800000"),
                    guarantor_share=Decimal("0.8"),
                ),
                o2["id"],
            ),
        )

        async def completed() -> bool:
            return bool(
                (await c.get(f"/api/v1/offers/{o2['id']}", headers=sme_a)).json()["status"] == "accepted"
            )

        await eventually(completed)
        loan = await c.post("/api/v1/loans", headers=bank2, json={"offer_id": o2["id"]})
        assert loan.status_code == 201, loan.text
        lid = loan.json()["id"]
        assert (await c.post(f"/api/v1/loans/{lid}/repaid", headers=bank1)).status_code == 404
        ext = await c.post(
            f"/api/v1/loans/{lid}/extension-request",
            headers=sme_a,
            json={"extra_months": 3, "reason": "雪灾影响销售"},
        )
        assert ext.json()["extension_status"] == "requested"
        dec = await c.post(f"/api/v1/loans/{lid}/extension-decision", headers=bank2, json={"grant": True})
        assert dec.json()["term_months"] == 15
        assert (await c.get(f"/api/v1/financing-requests/{rid}", headers=sme_a)).json()[
            "status"
        ] == "disbursed"

        # Every transition went out over the broker.
        consumer = AIOKafkaConsumer(
            topic_prefix + Topic.FINANCING,
            bootstrap_servers=infra.bootstrap,
            auto_offset_reset="earliest",
            group_id=f"obs-{uuid.uuid4().hex[:6]}",
        )
        await consumer.start()
        seen: set[str] = set()
        want = {
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
        try:

            async def all_seen() -> bool:
                for recs in (await consumer.getmany(timeout_ms=300)).values():
                    seen.update(__import__("json").loads(r.value)["type"] for r in recs)
                return want <= seen

            await eventually(all_seen)
        finally:
            await consumer.stop()
