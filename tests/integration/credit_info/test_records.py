"""Ingestion with rejects and idempotent re-submission, and loan events becoming records."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer

from credit_info.domain.ratings import rerate_aged
from credit_info.domain.records import NEGATIVE_RETENTION
from smefin.auth import Role
from smefin.contracts.envelope import Topic, make_envelope
from smefin.contracts.financing import LoanDefaulted
from smefin.kafka import ensure_topics
from smefin.reference import make_uscc
from tests.integration.credit_info.helpers import credit_info
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

USCC = make_uscc("150102", "R1")
UNKNOWN = make_uscc("150102", "R2")
PROVIDER = bearer(Role.SERVICE, "tax-bureau")
OFFICE = bearer(Role.OFFICE, "office-1")
CSV = {"content-type": "text/csv"}
JSONL = {"content-type": "application/x-ndjson"}


async def register(client: Any, uscc: str = USCC, revenue: str = "8500") -> None:
    body = {
        "uscc": uscc,
        "name": "包头稀土材料有限公司",
        "county_code": uscc[2:8],
        "industry": "C32",
        "employees": 80,
        "revenue": revenue,
        "assets": "5000",
    }
    r = await client.post("/api/v1/enterprises", json=body, headers=OFFICE)
    assert r.status_code == 201, r.text


def tax_batch() -> str:
    """A tax batch of seven rows: the first good, each other wrong in one way (its comment says how)."""
    future = (date.today() + timedelta(days=3)).isoformat()
    return (
        "uscc,source,occurred_on,ref,year,grade,taxes_paid\n"
        f"{USCC},tax,2026-04-30,t-1,2025,B,86.5\n"  # 1 accepted
        f"{USCC},tax,{future},t-2,2025,A,1\n"  # 2 future date
        f"{USCC},tax,2026-04-30,t-3,2025,X,1\n"  # 3 unknown grade
        f"{UNKNOWN},tax,2026-04-30,t-4,2025,A,1\n"  # 4 not registered
        f"{USCC},tax,2026-04-30,t-1,2025,B,86.5\n"  # 5 duplicate of row 1
        f"{USCC[:-1]}0,tax,2026-04-30,t-6,2025,A,1\n"  # 6 bad check character
        f"{USCC},lottery,2026-04-30,t-7,2025,A,1\n"  # 7 unknown source
    )


async def test_a_csv_batch_reports_each_rejected_row_and_replays_idempotently(
    infra: Infra, topic_prefix: str
) -> None:
    csv = tax_batch()
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register(c)
        r = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "tax-2026-05"},
            content=csv,
            headers=CSV | PROVIDER,
        )
        assert r.status_code == 201, r.text
        report = r.json()
        assert (report["rows"], report["accepted"], report["rejected"]) == (7, 1, 6)
        why = {row["row"]: row["errors"] for row in report["rejected_rows"]}
        assert why[2][0] == {"field": "occurred_on", "message": "must not be in the future"}
        assert why[3][0]["field"] == "payload.grade"
        assert "not registered" in why[4][0]["message"]
        assert "duplicate" in why[5][0]["message"]
        assert why[6][0]["field"] == "uscc"
        assert "check character" in why[6][0]["message"]
        assert why[7][0]["field"] == "source"

        # Same batch id, same file: the first report again, nothing written twice.
        again = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "tax-2026-05"},
            content=csv,
            headers=CSV | PROVIDER,
        )
        assert again.status_code == 200
        assert again.json()["replayed"] is True
        assert again.json()["accepted_rows"] == report["accepted_rows"]
        clash = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "tax-2026-05"},
            content=csv + "x\n",
            headers=CSV | PROVIDER,
        )
        assert clash.status_code == 409
        records = (await c.get("/api/v1/credit-records", params={"uscc": USCC}, headers=OFFICE)).json()
        assert records["total"] == 1
        assert records["items"][0]["payload"]["grade"] == "B"


async def test_a_json_lines_batch_reports_bad_payloads_and_bad_lines(infra: Infra, topic_prefix: str) -> None:
    """JSON lines: each bad payload or unreadable line is one rejected row; the rest are stored."""
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register(c)
        lines = [
            {
                "uscc": USCC,
                "source": "court",
                "occurred_on": "2025-11-02",
                "payload": {"kind": "enforcement", "case_no": "(2025)内0102执123号", "amount": "35"},
            },
            {
                "uscc": USCC,
                "source": "utilities",
                "occurred_on": "2025-12-31",
                "payload": {"utility": "power", "year": 2025, "months_on_time": 12, "surprise": 1},
            },
            {
                "uscc": USCC,
                "source": "operating",
                "occurred_on": "2026-03-31",
                "payload": {
                    "frequency": "quarterly",
                    "period": "2026-Q1",
                    "revenue": "2000",
                    "profit": "120",
                    "employees": 80,
                },
            },
            {
                "uscc": USCC,
                "source": "social_insurance",
                "occurred_on": "2025-12-31",
                "payload": {"year": 2025, "insured_headcount": -3, "months_paid": 13},
            },
        ]
        text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{oops\n"
        r = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "mixed-1"},
            content=text.encode(),
            headers=JSONL | PROVIDER,
        )
        assert r.status_code == 201, r.text
        rep = r.json()
        assert (rep["accepted"], rep["rejected"]) == (1, 4)
        why = {row["row"]: row["errors"] for row in rep["rejected_rows"]}
        assert why[2][0]["field"] == "payload.surprise"
        assert "monthly" in why[3][0]["message"]  # above designated size reports monthly
        assert {e["field"] for e in why[4]} == {"payload.insured_headcount", "payload.months_paid"}
        assert "not valid JSON" in why[5][0]["message"]
        negative = await c.get(
            "/api/v1/credit-records", params={"uscc": USCC, "source": "court"}, headers=OFFICE
        )
        assert negative.json()["items"][0]["negative"] is True


async def test_only_providers_ingest_well_formed_batches(infra: Infra, topic_prefix: str) -> None:
    """An SME may not ingest; a file without the needed columns or a bad batch id is a 422."""
    csv = tax_batch()
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register(c)
        sme = bearer(Role.SME, "ent", USCC)
        assert (
            await c.post(
                "/api/v1/ingestion-batches", params={"batch_id": "b"}, content=csv, headers=CSV | sme
            )
        ).status_code == 403
        assert (
            await c.post(
                "/api/v1/ingestion-batches",
                params={"batch_id": "b"},
                content="a,b\n1,2\n",
                headers=CSV | PROVIDER,
            )
        ).status_code == 422
        assert (
            await c.post(
                "/api/v1/ingestion-batches",
                params={"batch_id": "bad id!"},
                content=csv,
                headers=CSV | PROVIDER,
            )
        ).status_code == 422


async def test_a_single_record_is_a_409_when_repeated_and_422_when_bad(
    infra: Infra, topic_prefix: str
) -> None:
    """A single record through POST: duplicates are a 409, bad payloads a 422 with fields."""
    async with credit_info(infra, topic_prefix, consumers_enabled=False) as svc:
        c = svc.client
        await register(c)
        loan = {"loan_id": "L-9", "bank_org_id": "bank-1", "amount": "300", "status": "repaid"}
        one: dict[str, Any] = {
            "uscc": USCC,
            "source": "loan",
            "occurred_on": "2026-01-15",
            "ref": "L-9",
            "payload": loan,
        }
        assert (await c.post("/api/v1/credit-records", json=one, headers=PROVIDER)).status_code == 201
        assert (await c.post("/api/v1/credit-records", json=one, headers=PROVIDER)).status_code == 409
        bad = one | {"ref": "L-10", "payload": loan | {"amount": "-1"}}
        r = await c.post("/api/v1/credit-records", json=bad, headers=PROVIDER)
        assert r.status_code == 422
        assert r.json()["details"][0]["field"] == "payload.amount"


async def test_oversized_batch_is_refused_and_aged_records_are_rerated(
    infra: Infra, topic_prefix: str
) -> None:
    async with credit_info(
        infra, topic_prefix, max_ingestion_rows=2, relay_enabled=False, consumers_enabled=False
    ) as svc:
        c = svc.client
        await register(c)
        rows = "".join(f"{USCC},tax,2026-04-30,t-{i},2025,A,1\n" for i in range(3))
        r = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "big"},
            content="uscc,source,occurred_on,ref,year,grade,taxes_paid\n" + rows,
            headers=CSV | PROVIDER,
        )
        assert r.status_code == 413
        assert "limit is 2" in r.json()["detail"]
        assert (await c.get("/api/v1/ingestion-batches/big", headers=OFFICE)).status_code == 404
        records = (await c.get("/api/v1/credit-records", params={"uscc": USCC}, headers=OFFICE)).json()
        assert records["total"] == 0

        # A negative record on the last day it counts lowers the rating; once it ages out the sweep re-rates.
        edge = (date.today() - NEGATIVE_RETENTION).isoformat()
        court = {"kind": "enforcement", "case_no": "(2021)蒙01执9号", "amount": "50"}
        one = {"uscc": USCC, "source": "court", "occurred_on": edge, "ref": "old-1", "payload": court}
        assert (await c.post("/api/v1/credit-records", json=one, headers=PROVIDER)).status_code == 201
        lowered = (await c.get(f"/api/v1/ratings/{USCC}", headers=OFFICE)).json()
        assert "enforcement_cases" in [x["code"] for x in lowered["reasons"]]
        async with svc.app.state.db.unit_of_work() as session:
            assert await rerate_aged(session, svc.app.state.outbox, date.today()) == []
            rerated = await rerate_aged(session, svc.app.state.outbox, date.today() + timedelta(days=2))
        assert rerated == [USCC]
        after = (await c.get(f"/api/v1/ratings/{USCC}", headers=OFFICE)).json()
        assert after["score"] > lowered["score"]
        assert "enforcement_cases" not in [x["code"] for x in after["reasons"]]


async def test_loan_defaulted_event_becomes_a_negative_record(infra: Infra, topic_prefix: str) -> None:
    async with credit_info(infra, topic_prefix) as svc:
        c = svc.client
        await register(c)
        before = (await c.get(f"/api/v1/ratings/{USCC}", headers=OFFICE)).json()
        loan_id = uuid4()
        event = LoanDefaulted(
            loan_id=loan_id, offer_id=uuid4(), uscc=USCC, bank_org_id="bank-1", amount=Decimal("250")
        )
        envelope = make_envelope(event, subject=str(loan_id), source="loan-matching")
        topic = topic_prefix + Topic.FINANCING
        await ensure_topics(infra.bootstrap, [topic])
        producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap)
        await producer.start()
        try:
            for _ in range(2):  # redelivered: applied once
                await producer.send_and_wait(
                    topic, envelope.model_dump_json().encode(), key=str(loan_id).encode()
                )
        finally:
            await producer.stop()

        async def loans() -> list[dict[str, Any]]:
            r = await c.get("/api/v1/credit-records", params={"uscc": USCC, "source": "loan"}, headers=OFFICE)
            return r.json()["items"]  # type: ignore[no-any-return]

        found = await eventually(loans, timeout=30)
        assert len(found) == 1
        assert found[0]["negative"] is True
        assert found[0]["payload"]["status"] == "defaulted"
        assert found[0]["provider"] == "loan-matching"
        after = (await c.get(f"/api/v1/ratings/{USCC}", headers=OFFICE)).json()
        assert Decimal(after["probability_of_default"]) > Decimal(before["probability_of_default"])
        assert "loans_defaulted" in [x["code"] for x in after["reasons"]]
