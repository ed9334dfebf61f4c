"""An SME gets a guaranteed loan across credit-info, loan-matching and guarantee-registry.

Only the services' HTTP APIs and the real broker are used: every event comes from a service's outbox.
The journey is one test per step, in order, on one running platform: a failure names the step.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.e2e.journey import Platform, enterprise_body, ok, platform, product_body
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


@dataclass
class Journey:
    """The three running services and what earlier steps learnt (one step per test, in order)."""

    p: Platform
    s: dict[str, Any] = field(default_factory=dict)

    async def credit_record(self, source: str, status: str, **match: Any) -> dict[str, Any]:
        """The SME's credit record from `source` with `status` (and payload fields), once it arrives."""

        async def found() -> Any:
            rep = ok(await self.p.credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=OFFICE))
            hits = [
                r
                for r in rep["credit_records"]
                if r["source"] == source
                and r["payload"]["status"] == status
                and all(r["payload"].get(k) == v for k, v in match.items())
            ]
            return hits[0] if hits else None

        return dict(await eventually(found))


@pytest.fixture(scope="module")
async def journey(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Journey]:
    async with platform(infra, module_topic_prefix) as p:
        yield Journey(p)


async def test_a_guarantee_company_registers_and_receives_capital(journey: Journey) -> None:
    # First, so its capacity.changed is long consumed when matching runs.
    g = journey.p.guarantees
    body = {
        "uscc": GUARANTOR_USCC,
        "name": "鄂尔多斯市中小企业融资担保有限公司",
        "county_code": "150602",
        "licence_number": "蒙融担E2E",
        "registered_capital": "80000000.00",
        "paid_in_capital": "80000000.00",
        "net_assets": "50000000.00",
        "ownership": "government",
    }
    company_id = journey.s["company_id"] = ok(
        await g.post("/api/v1/guarantee-companies", json=body, headers=GUARANTOR), 201
    )["id"]
    injection = {
        "company_id": company_id,
        "amount": "30000000.00",
        "injected_on": date.today().isoformat(),
        "source": "regional_special_fund",
    }
    ok(await g.post("/api/v1/capital-injections", json=injection, headers=OFFICE), 201)
    company = ok(await g.get(f"/api/v1/guarantee-companies/{company_id}", headers=BANK_A))
    journey.s["capacity_before"] = company["capacity"]
    assert Decimal(company["capacity"]["outstanding"]) == 0
    assert Decimal(company["capacity"]["capacity_limit"]) == Decimal("800000000")


async def test_the_sme_registers_and_is_rated_from_its_records(journey: Journey) -> None:
    credit = journey.p.credit
    body = enterprise_body(SME_USCC, "鄂尔多斯绒纺有限公司", "150602")
    journey.s["enterprise"] = ok(await credit.post("/api/v1/enterprises", json=body, headers=SME), 201)
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
    rating = journey.s["rating"] = ok(await credit.get(f"/api/v1/ratings/{SME_USCC}", headers=SME))
    # Bank A's minimum grade is B: met whichever of the two rating.changed loan-matching holds.
    assert {first["grade"], rating["grade"]} <= {"AAA", "AA", "A", "BBB", "BB", "B"}, (first, rating)


async def test_banks_publish_a_guaranteed_and_a_credit_only_product(journey: Journey) -> None:
    matching = journey.p.matching
    guaranteed = product_body(
        "担保贷", "guaranteed", accepted_guarantee_company_ids=[journey.s["company_id"]], min_grade="B"
    )
    for key, body, bank in (
        ("guaranteed", guaranteed, BANK_A),
        ("credit_only", product_body("信用贷", "credit_only"), BANK_B),
    ):
        product = journey.s[key] = ok(await matching.post("/api/v1/products", json=body, headers=bank), 201)
        ok(await matching.post(f"/api/v1/products/{product['id']}/publish", headers=bank))


async def test_the_request_is_matched_once_loan_matching_has_heard_of_the_sme(journey: Journey) -> None:
    matching = journey.p.matching
    body = {"amount": AMOUNT, "term_months": 12, "purpose": "羊绒季节性流动资金", "accepts_guarantee": True}

    async def submitted() -> Any:
        r = await matching.post("/api/v1/financing-requests", json=body, headers=SME)
        if r.status_code == 409 and "not in the SME basic database" in r.json()["detail"]:
            return None
        return ok(r, 201)

    request = await eventually(submitted)
    request_id = journey.s["request_id"] = request["id"]
    assert request["uscc"] == SME_USCC

    async def matched() -> Any:
        r = ok(await matching.get(f"/api/v1/financing-requests/{request_id}", headers=SME))
        return r if r["status"] != "submitted" else None

    assert (await eventually(matched))["status"] == "matched"


async def test_banks_see_the_grade_and_profile_credit_info_computed_not_the_name(journey: Journey) -> None:
    matching, rating, enterprise = journey.p.matching, journey.s["rating"], journey.s["enterprise"]

    async def graded() -> Any:
        rows = ok(await matching.get("/api/v1/matches", headers=BANK_A))
        return rows if rows and rows[0]["requester"]["grade"] == rating["grade"] else None

    (match_a,) = await eventually(graded)
    (match_b,) = ok(await matching.get("/api/v1/matches", headers=BANK_B))
    journey.s["match_a"], journey.s["match_b"] = match_a, match_b
    assert match_a["product_id"] == journey.s["guaranteed"]["id"]
    assert match_b["product_id"] == journey.s["credit_only"]["id"]
    assert match_a["requester"]["anonymous"] is True
    assert "uscc" not in match_a["requester"]
    # enterprise.registered carried the profile credit-info derived (league, size class).
    fields = ("league_code", "industry", "size_class")
    assert {k: match_a["requester"][k] for k in fields} == {k: enterprise[k] for k in fields}


async def test_every_rule_of_the_guaranteed_match_is_known_from_events(journey: Journey) -> None:
    match_a = journey.s["match_a"]
    rules = {r["rule"]: r["status"] for r in match_a["reasons"]}
    # The grade (rating.changed) and the guarantor's room (capacity.changed) were known, not guessed.
    assert rules["min_grade"] == "met", match_a["reasons"]
    assert rules["guarantee_capacity"] == "met", match_a["reasons"]
    assert set(rules.values()) == {"met"}, match_a["reasons"]
    ranked = ok(
        await journey.p.matching.get(
            f"/api/v1/financing-requests/{journey.s['request_id']}/matches", headers=SME
        )
    )
    assert {m["bank_org_id"] for m in ranked} == {"bank-a", "bank-b"}


async def test_another_bank_can_neither_see_nor_act_on_the_match(journey: Journey) -> None:
    matching, match_id = journey.p.matching, journey.s["match_a"]["id"]
    assert (await matching.get(f"/api/v1/matches/{match_id}", headers=BANK_B)).status_code == 404
    assert (
        await matching.post(f"/api/v1/matches/{match_id}/offer", json={}, headers=BANK_B)
    ).status_code == 404


async def test_the_accepted_offer_is_guaranteed_over_the_broker(journey: Journey) -> None:
    matching, company_id = journey.p.matching, journey.s["company_id"]
    offer = ok(
        await matching.post(f"/api/v1/matches/{journey.s['match_a']['id']}/offer", json={}, headers=BANK_A),
        201,
    )
    assert offer["guaranteed"] is True
    assert offer["guarantee_company_ids"] == [company_id]
    accepted = ok(await matching.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME))
    assert accepted["status"] == "pending_guarantee"

    async def completed() -> Any:
        o = ok(await matching.get(f"/api/v1/offers/{offer['id']}", headers=SME))
        return o if o["status"] != "pending_guarantee" else None

    offer = journey.s["offer"] = await eventually(completed)
    assert offer["status"] == "accepted", offer
    guarantee = ok(
        await journey.p.guarantees.get(f"/api/v1/guarantees/{offer['guarantee_id']}", headers=BANK_A)
    )
    journey.s["guarantee"] = guarantee
    assert guarantee["status"] == "issued"
    assert guarantee["offer_id"] == offer["id"]
    assert guarantee["company_id"] == company_id
    assert guarantee["uscc"] == SME_USCC
    assert guarantee["request_id"] == journey.s["request_id"]
    assert guarantee["origin"] == "event"
    assert guarantee["startup_micro_loan"] is False
    assert Decimal(guarantee["amount"]) == Decimal(AMOUNT)
    assert Decimal(guarantee["liability"]) == Decimal("640000")  # the guarantor's 80%


async def test_the_guarantee_takes_the_guarantor_s_capacity(journey: Journey) -> None:
    company = ok(
        await journey.p.guarantees.get(
            f"/api/v1/guarantee-companies/{journey.s['company_id']}", headers=BANK_A
        )
    )
    assert Decimal(company["capacity"]["outstanding"]) == Decimal("640000")


async def test_acceptance_reveals_the_borrower_and_lapses_the_other_bank_s_match(journey: Journey) -> None:
    matching = journey.p.matching
    match_a = ok(await matching.get(f"/api/v1/matches/{journey.s['match_a']['id']}", headers=BANK_A))
    assert match_a["requester"]["uscc"] == SME_USCC
    match_b = ok(await matching.get(f"/api/v1/matches/{journey.s['match_b']['id']}", headers=BANK_B))
    assert match_b["status"] == "withdrawn"


async def test_the_disbursed_loan_becomes_a_credit_record(journey: Journey) -> None:
    matching = journey.p.matching
    loan = journey.s["loan"] = ok(
        await matching.post("/api/v1/loans", json={"offer_id": journey.s["offer"]["id"]}, headers=BANK_A), 201
    )
    request = ok(await matching.get(f"/api/v1/financing-requests/{journey.s['request_id']}", headers=SME))
    assert request["status"] == "disbursed"
    disbursed = await journey.credit_record("loan", "disbursed", loan_id=loan["id"])
    assert disbursed["payload"]["bank_org_id"] == "bank-a"
    assert Decimal(disbursed["payload"]["amount"]) == Decimal(AMOUNT)
    assert disbursed["negative"] is False


async def test_the_issued_guarantee_is_a_credit_record_the_sme_reads_too(journey: Journey) -> None:
    # guarantee.issued travels on another topic than loan.disbursed: no order between them.
    issued = await journey.credit_record("guarantee", "issued")
    assert issued["payload"]["guarantee_id"] == journey.s["guarantee"]["id"]
    own = ok(await journey.p.credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=SME))
    assert any(r["payload"].get("loan_id") == journey.s["loan"]["id"] for r in own["credit_records"])


async def test_repayment_releases_the_guarantee_and_gives_the_capacity_back(journey: Journey) -> None:
    p, loan, guarantee_id = journey.p, journey.s["loan"], journey.s["guarantee"]["id"]
    ok(await p.matching.post(f"/api/v1/loans/{loan['id']}/repaid", headers=BANK_A))

    async def released() -> Any:
        g = ok(await p.guarantees.get(f"/api/v1/guarantees/{guarantee_id}", headers=BANK_A))
        return g if g["status"] == "released" else None

    guarantee = await eventually(released)
    assert guarantee["loan_id"] == loan["id"]
    assert guarantee["liability"] == "640000.00"
    company = ok(
        await p.guarantees.get(f"/api/v1/guarantee-companies/{journey.s['company_id']}", headers=BANK_A)
    )
    assert company["capacity"] == journey.s["capacity_before"]


async def test_the_repayment_and_the_release_are_credit_records(journey: Journey) -> None:
    repaid = await journey.credit_record("loan", "repaid", loan_id=journey.s["loan"]["id"])
    assert repaid["negative"] is False
    released = await journey.credit_record("guarantee", "released")
    assert released["payload"]["guarantee_id"] == journey.s["guarantee"]["id"]


async def test_nothing_went_to_a_dead_letter_topic(journey: Journey) -> None:
    assert journey.p.dead_letters() == {}


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
        report = ok(
            await credit.get(
                f"/api/v1/credit-reports/{SME_USCC}", params={"purpose": "loan_application"}, headers=BANK_A
            )
        )
        assert report["basic_info"]["uscc"] == SME_USCC
        assert report["lookup"]["consent_id"] == consent["consent_id"]
        # Another bank still is refused, and consent.granted reaches loan-matching: bank A sees who asks.
        assert (await credit.get(f"/api/v1/credit-reports/{SME_USCC}", headers=BANK_B)).status_code == 403

        async def identified() -> Any:
            m = ok(await matching.get(f"/api/v1/matches/{match['id']}", headers=BANK_A))
            return m if not m["requester"]["anonymous"] else None

        assert (await eventually(identified))["requester"]["uscc"] == SME_USCC
        assert p.dead_letters() == {}
