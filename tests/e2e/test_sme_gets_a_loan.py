"""An SME gets a guaranteed loan across credit-info, loan-matching and guarantee-registry.

Only the services' HTTP APIs and the real broker are used: every event comes from a service's outbox.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.e2e.journey import enterprise_body, ok, platform, product_body
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

SME_USCC = make_uscc("150602", "E2EM00001")  # Ordos, Dongsheng district
OTHER_USCC = make_uscc("150102", "E2EM00002")  # Hohhot, Xincheng district
GUARANTOR_USCC = make_uscc("150602", "E2EG00001")
SME = bearer(Role.SME, "ent-e2e-1", SME_USCC)
OTHER_SME = bearer(Role.SME, "ent-e2e-2", OTHER_USCC)
BANK_A = bearer(Role.BANK, "bank-a")
BANK_B = bearer(Role.BANK, "bank-b")
GUARANTOR = bearer(Role.GUARANTOR, "gco-ordos")
OFFICE = bearer(Role.OFFICE, "office-1")
PROVIDER = bearer(Role.SERVICE, "tax-bureau")
JSONL = {"content-type": "application/x-ndjson"}
AMOUNT = "800000.00"


def good_history(uscc: str) -> bytes:
    """A clean year of tax, social insurance and utilities records, as a data provider sends it."""
    year = date.today().year - 1
    on = f"{year}-12-31"
    rows = [
        {"source": "tax", "ref": "tax-1", "payload": {"year": year, "grade": "A", "taxes_paid": "86.50"}},
        {
            "source": "social_insurance",
            "ref": "si-1",
            "payload": {"year": year, "insured_headcount": 58, "months_paid": 12},
        },
        {
            "source": "utilities",
            "ref": "power-1",
            "payload": {"utility": "power", "year": year, "months_on_time": 12},
        },
    ]
    return "".join(json.dumps({"uscc": uscc, "occurred_on": on} | r) + "\n" for r in rows).encode()


async def test_sme_gets_a_guaranteed_loan_and_repays_it(infra: Infra, topic_prefix: str) -> None:
    async with platform(infra, topic_prefix) as p:
        credit, matching, guarantees = p.credit, p.matching, p.guarantees

        # 2. (First, so its capacity.changed is long consumed when matching runs.) A guarantee company
        # registers with its net assets, and capital is injected.
        company = ok(
            await guarantees.post(
                "/api/v1/guarantee-companies",
                json={
                    "uscc": GUARANTOR_USCC,
                    "name": "鄂尔多斯市中小企业融资担保有限公司",
                    "county_code": "150602",
                    "licence_number": "蒙融担E2E",
                    "registered_capital": "80000000.00",
                    "paid_in_capital": "80000000.00",
                    "net_assets": "50000000.00",
                    "ownership": "government",
                },
                headers=GUARANTOR,
            ),
            201,
        )
        company_id = company["id"]
        ok(
            await guarantees.post(
                "/api/v1/capital-injections",
                json={
                    "company_id": company_id,
                    "amount": "30000000.00",
                    "injected_on": date.today().isoformat(),
                    "source": "regional_special_fund",
                },
                headers=OFFICE,
            ),
            201,
        )
        company = ok(await guarantees.get(f"/api/v1/guarantee-companies/{company_id}", headers=BANK_A))
        capacity_before = company["capacity"]
        assert Decimal(capacity_before["outstanding"]) == 0
        assert Decimal(capacity_before["capacity_limit"]) == Decimal("800000000")

        # 1. The SME registers in credit-info and its records are ingested: it is rated.
        enterprise = ok(
            await credit.post(
                "/api/v1/enterprises",
                json=enterprise_body(SME_USCC, "鄂尔多斯绒纺有限公司", "150602"),
                headers=SME,
            ),
            201,
        )
        first = ok(await credit.get(f"/api/v1/ratings/{SME_USCC}", headers=SME))
        report = ok(
            await credit.post(
                "/api/v1/ingestion-batches",
                params={"batch_id": "e2e-history-1"},
                content=good_history(SME_USCC),
                headers=JSONL | PROVIDER,
            ),
            201,
        )
        assert report["accepted"] == 3, report
        rating = ok(await credit.get(f"/api/v1/ratings/{SME_USCC}", headers=SME))
        # Bank A's minimum grade is B: met whichever of the two rating.changed loan-matching holds.
        assert {first["grade"], rating["grade"]} <= {"AAA", "AA", "A", "BBB", "BB", "B"}, (first, rating)

        # 3. Bank A publishes a product guaranteed by that company; bank B a credit-only one.
        guaranteed = ok(
            await matching.post(
                "/api/v1/products",
                json=product_body(
                    "担保贷", "guaranteed", accepted_guarantee_company_ids=[company_id], min_grade="B"
                ),
                headers=BANK_A,
            ),
            201,
        )
        credit_only = ok(
            await matching.post(
                "/api/v1/products", json=product_body("信用贷", "credit_only"), headers=BANK_B
            ),
            201,
        )
        for product, bank in ((guaranteed, BANK_A), (credit_only, BANK_B)):
            ok(await matching.post(f"/api/v1/products/{product['id']}/publish", headers=bank))

        # 4. The SME asks for financing once loan-matching has heard of it over the broker.
        body = {
            "amount": AMOUNT,
            "term_months": 12,
            "purpose": "羊绒季节性流动资金",
            "accepts_guarantee": True,
        }

        async def submitted() -> Any:
            r = await matching.post("/api/v1/financing-requests", json=body, headers=SME)
            if r.status_code == 409 and "not in the SME basic database" in r.json()["detail"]:
                return None
            return ok(r, 201)

        request = await eventually(submitted)
        request_id = request["id"]
        assert request["uscc"] == SME_USCC

        async def matched() -> Any:
            r = ok(await matching.get(f"/api/v1/financing-requests/{request_id}", headers=SME))
            return r if r["status"] != "submitted" else None

        request = await eventually(matched)
        assert request["status"] == "matched", request

        # rating.changed reached the projection: banks see the grade credit-info computed.
        async def graded() -> Any:
            rows = ok(await matching.get("/api/v1/matches", headers=BANK_A))
            return rows if rows and rows[0]["requester"]["grade"] == rating["grade"] else None

        (match_a,) = await eventually(graded)
        (match_b,) = ok(await matching.get("/api/v1/matches", headers=BANK_B))
        assert match_a["product_id"] == guaranteed["id"]
        assert match_b["product_id"] == credit_only["id"]
        assert match_a["requester"]["anonymous"] is True
        # enterprise.registered carried the profile credit-info derived (league, size class).
        assert {k: match_a["requester"][k] for k in ("league_code", "industry", "size_class")} == {
            k: enterprise[k] for k in ("league_code", "industry", "size_class")
        }
        rules = {r["rule"]: r["status"] for r in match_a["reasons"]}
        # The grade (rating.changed) and the guarantor's room (capacity.changed) were known, not guessed.
        assert rules["min_grade"] == "met", match_a["reasons"]
        assert rules["guarantee_capacity"] == "met", match_a["reasons"]
        assert set(rules.values()) == {"met"}, match_a["reasons"]
        assert "uscc" not in match_a["requester"]
        ranked = ok(await matching.get(f"/api/v1/financing-requests/{request_id}/matches", headers=SME))
        assert {m["bank_org_id"] for m in ranked} == {"bank-a", "bank-b"}
        # Bank B cannot see, nor act on, bank A's match.
        assert (await matching.get(f"/api/v1/matches/{match_a['id']}", headers=BANK_B)).status_code == 404
        assert (
            await matching.post(f"/api/v1/matches/{match_a['id']}/offer", json={}, headers=BANK_B)
        ).status_code == 404

        # 5. Bank A offers; the SME accepts; guarantee-registry issues the guarantee over the broker.
        offer = ok(
            await matching.post(f"/api/v1/matches/{match_a['id']}/offer", json={}, headers=BANK_A), 201
        )
        assert offer["guaranteed"] is True
        assert offer["guarantee_company_ids"] == [company_id]
        accepted = ok(await matching.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME))
        assert accepted["status"] == "pending_guarantee"

        async def completed() -> Any:
            o = ok(await matching.get(f"/api/v1/offers/{offer['id']}", headers=SME))
            return o if o["status"] != "pending_guarantee" else None

        offer = await eventually(completed)
        assert offer["status"] == "accepted", offer
        guarantee = ok(await guarantees.get(f"/api/v1/guarantees/{offer['guarantee_id']}", headers=BANK_A))
        assert guarantee["status"] == "issued"
        assert guarantee["offer_id"] == offer["id"]
        assert guarantee["company_id"] == company_id
        assert guarantee["uscc"] == SME_USCC
        assert guarantee["request_id"] == request_id
        assert guarantee["origin"] == "event"
        assert guarantee["startup_micro_loan"] is False
        assert Decimal(guarantee["amount"]) == Decimal(AMOUNT)
        assert Decimal(guarantee["liability"]) == Decimal("640000")  # the guarantor's 80%
        company = ok(await guarantees.get(f"/api/v1/guarantee-companies/{company_id}", headers=BANK_A))
        assert Decimal(company["capacity"]["outstanding"]) == Decimal("640000")
        # Accepted: bank A now knows its borrower; bank B's match lapsed.
        match_a = ok(await matching.get(f"/api/v1/matches/{match_a['id']}", headers=BANK_A))
        assert match_a["requester"]["uscc"] == SME_USCC
        assert (
            ok(await matching.get(f"/api/v1/matches/{match_b['id']}", headers=BANK_B))["status"]
            == "withdrawn"
        )

        # 6. Bank A disburses; loan.disbursed becomes a credit record in credit-info.
        loan = ok(await matching.post("/api/v1/loans", json={"offer_id": offer["id"]}, headers=BANK_A), 201)
        assert (
            ok(await matching.get(f"/api/v1/financing-requests/{request_id}", headers=SME))["status"]
            == "disbursed"
        )

        async def credit_records(status: str) -> Any:
            rep = ok(await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=OFFICE))
            hits = [
                r
                for r in rep["credit_records"]
                if r["source"] == "loan"
                and r["payload"]["loan_id"] == loan["id"]
                and r["payload"]["status"] == status
            ]
            return (rep, hits[0]) if hits else None

        _, disbursed = await eventually(lambda: credit_records("disbursed"))
        assert disbursed["payload"]["bank_org_id"] == "bank-a"
        assert Decimal(disbursed["payload"]["amount"]) == Decimal(AMOUNT)
        assert disbursed["negative"] is False

        async def guarantee_records() -> Any:
            # guarantee.issued travels on another topic than loan.disbursed: no order between them.
            rep = ok(await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=OFFICE))
            return [r for r in rep["credit_records"] if r["source"] == "guarantee"] or None

        issued = await eventually(guarantee_records)
        assert [(r["payload"]["guarantee_id"], r["payload"]["status"]) for r in issued] == [
            (guarantee["id"], "issued")
        ]
        # The SME reads the same record in its own report.
        own = ok(await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=SME))
        assert any(r["payload"].get("loan_id") == loan["id"] for r in own["credit_records"])

        # 7. Repaid: guarantee-registry releases the guarantee and the capacity comes back.
        ok(await matching.post(f"/api/v1/loans/{loan['id']}/repaid", headers=BANK_A))

        async def released() -> Any:
            g = ok(await guarantees.get(f"/api/v1/guarantees/{guarantee['id']}", headers=BANK_A))
            return g if g["status"] == "released" else None

        guarantee = await eventually(released)
        assert guarantee["loan_id"] == loan["id"]
        assert guarantee["liability"] == "640000.00"
        company = ok(await guarantees.get(f"/api/v1/guarantee-companies/{company_id}", headers=BANK_A))
        assert company["capacity"] == capacity_before
        _, repaid = await eventually(lambda: credit_records("repaid"))
        assert repaid["negative"] is False

        # guarantee.released is a credit record too.
        async def guarantee_statuses() -> Any:
            rep = ok(await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=SME))
            found = {r["payload"]["status"] for r in rep["credit_records"] if r["source"] == "guarantee"}
            return found if "released" in found else None

        assert await eventually(guarantee_statuses) == {"issued", "released"}
        assert p.dead_letters() == {}


async def test_refusals_across_services_and_consented_report(infra: Infra, topic_prefix: str) -> None:
    async with platform(infra, topic_prefix) as p:
        credit, matching, guarantees = p.credit, p.matching, p.guarantees
        for uscc, name, county, who in (
            (SME_USCC, "鄂尔多斯绒纺有限公司", "150602", SME),
            (OTHER_USCC, "呼和浩特乳业有限公司", "150102", OTHER_SME),
        ):
            ok(
                await credit.post(
                    "/api/v1/enterprises", json=enterprise_body(uscc, name, county), headers=who
                ),
                201,
            )
        product = ok(
            await matching.post(
                "/api/v1/products", json=product_body("信用贷", "credit_only"), headers=BANK_A
            ),
            201,
        )
        ok(await matching.post(f"/api/v1/products/{product['id']}/publish", headers=BANK_A))

        body = {"amount": "300000.00", "term_months": 6, "purpose": "采购原料"}

        async def submitted() -> Any:
            r = await matching.post("/api/v1/financing-requests", json=body, headers=SME)
            return r.json() if r.status_code == 201 else None

        request_id = (await eventually(submitted))["id"]

        # Another SME sees neither the request (loan-matching) nor the enterprise's file (credit-info).
        other = await matching.get(f"/api/v1/financing-requests/{request_id}", headers=OTHER_SME)
        assert other.status_code == 404
        assert ok(await matching.get("/api/v1/financing-requests", headers=OTHER_SME)) == []
        assert (
            await matching.get(f"/api/v1/financing-requests/{request_id}/matches", headers=OTHER_SME)
        ).status_code == 404
        assert (await credit.get(f"/api/v1/enterprises/{SME_USCC}", headers=OTHER_SME)).status_code == 403
        assert (await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=OTHER_SME)).status_code == 403
        assert (await credit.get(f"/api/v1/ratings/{SME_USCC}", headers=OTHER_SME)).status_code == 403
        assert (
            await credit.patch(f"/api/v1/enterprises/{SME_USCC}", json={"employees": 1}, headers=OTHER_SME)
        ).status_code == 403
        assert ok(await guarantees.get("/api/v1/guarantees", headers=OTHER_SME))["total"] == 0
        assert ok(await credit.get(f"/api/v1/enterprises/{SME_USCC}", headers=SME))["uscc"] == SME_USCC

        # The bank that matched is refused the report until the SME consents.
        async def matched() -> Any:
            rows = ok(await matching.get("/api/v1/matches", headers=BANK_A))
            return rows[0] if rows else None

        match = await eventually(matched)
        assert match["requester"]["anonymous"] is True
        refused = await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=BANK_A)
        assert refused.status_code == 403
        assert "no live consent" in refused.json()["detail"]
        until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        consent = ok(
            await credit.post(
                "/api/v1/consents",
                json={"bank_org_id": "bank-a", "purpose": "loan_application", "valid_until": until},
                headers=SME,
            ),
            201,
        )
        report = ok(await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=BANK_A))
        assert report["basic_info"]["uscc"] == SME_USCC
        assert report["lookup"]["consent_id"] == consent["consent_id"]
        # Another bank still is refused, and consent.granted reaches loan-matching: bank A sees who asks.
        assert (await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=BANK_B)).status_code == 403

        async def identified() -> Any:
            m = ok(await matching.get(f"/api/v1/matches/{match['id']}", headers=BANK_A))
            return m if not m["requester"]["anonymous"] else None

        assert (await eventually(identified))["requester"]["uscc"] == SME_USCC
        assert p.dead_letters() == {}
