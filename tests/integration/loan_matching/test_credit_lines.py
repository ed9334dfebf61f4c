"""Credit lines (授信): a bank grants an SME a line; the SME draws without a new match; repayments are
reported; draws and repayments become credit records in credit-info (through events); a rating
change sends the line to review, and the term's end expires it, with the refusals on the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from credit_info.main import MIGRATIONS as CREDIT_MIGRATIONS
from credit_info.main import create_app as credit_app
from credit_info.settings import Settings as CreditSettings
from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from smefin.auth import Role
from smefin.contracts.enterprises import RatingChanged
from smefin.reference import make_uscc
from tests.integration.loan_matching.observe import of_type, published
from tests.integration.loan_matching.test_flow import publish
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

USCC, OTHER = make_uscc("150102", "CL0001"), make_uscc("150102", "CL0002")
SME, OTHER_SME = bearer("sme", "ent-cl", USCC), bearer("sme", "ent-cl2", OTHER)
BANK, OTHER_BANK, OFFICE = bearer("bank", "bank-cl"), bearer("bank", "bank-x"), bearer(Role.OFFICE, "office")
SPREADS = {"AAA": "0.2", "AA": "0.4", "A": "0.7", "BBB": "1.1", "BB": "1.6"}
LINE: dict[str, Any] = {
    "uscc": USCC,
    "credit_limit": "2000000.00",
    "term_months": 12,
    "base_rate": "3.9000",
    "grade_spreads": SPREADS,
}


async def test_a_credit_line_is_granted_drawn_repaid_reviewed_and_expires(
    infra: Infra, topic_prefix: str
) -> None:
    async with (
        run_service(
            credit_app, CreditSettings, CREDIT_MIGRATIONS, infra, topic_prefix=topic_prefix
        ) as credit,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as lending,
    ):
        c = lending.client
        for uscc in (USCC, OTHER):
            ent = {
                "uscc": uscc,
                "name": f"企业 {uscc[-4:]}",
                "county_code": "150102",
                "industry": "C32",
                "employees": 80,
                "revenue": "8500",
                "assets": "5000",
            }
            assert (
                await credit.client.post("/api/v1/enterprises", json=ent, headers=OFFICE)
            ).status_code == 201

        # No consent yet: the bank does not know the SME, so it grants nothing.
        async def refused() -> Any:
            r = await c.post("/api/v1/credit-lines", headers=BANK, json=LINE)
            return r if r.status_code == 409 and "consent" in r.json()["detail"] else None

        await eventually(refused)
        until = (datetime.now(UTC) + timedelta(days=90)).isoformat()
        consent = {"bank_org_id": "bank-cl", "purpose": "credit_line_review", "valid_until": until}
        assert (await credit.client.post("/api/v1/consents", json=consent, headers=SME)).status_code == 201

        async def granted() -> Any:
            r = await c.post("/api/v1/credit-lines", headers=BANK, json=LINE)
            return r.json() if r.status_code == 201 else None

        line = await eventually(granted)
        lid = line["id"]
        assert (line["status"], line["outstanding"], line["credit_limit"]) == ("active", "0.00", "2000000.00")
        # Who may see it: its SME and its bank; not another bank or another SME.
        assert (await c.get(f"/api/v1/credit-lines/{lid}", headers=SME)).status_code == 200
        assert (await c.get(f"/api/v1/credit-lines/{lid}", headers=OTHER_BANK)).status_code == 404
        assert (await c.get(f"/api/v1/credit-lines/{lid}", headers=OTHER_SME)).status_code == 404
        assert (await c.get("/api/v1/credit-lines", headers=OTHER_BANK)).json() == []

        # The SME draws without a new match, at the line's rule on its current grade.
        r = await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": "300000.00"})
        assert r.status_code == 201, r.text
        d1 = r.json()
        parts = d1["rate_explanation"]
        assert Decimal(d1["rate"]) == sum(Decimal(x["points"]) for x in parts)
        assert parts[0] == {"component": "base_rate", "points": "3.9000"}
        over = await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": "1800000.00"})
        assert over.status_code == 409
        assert "overdraw refused" in over.json()["detail"]
        assert "1700000.00 available" in over.json()["detail"]
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=OTHER_SME, json={"amount": "1.00"})
        ).status_code == 404
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=BANK, json={"amount": "1.00"})
        ).status_code == 403
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": 5})
        ).status_code == 422
        assert (await c.get(f"/api/v1/credit-lines/{lid}", headers=SME)).json()["outstanding"] == "300000.00"

        # The bank reports repayments; more than is outstanding, or on another bank's line, is refused.
        pay = {"draw_id": d1["id"], "amount": "100000.00"}
        r = await c.post(f"/api/v1/credit-lines/{lid}/repayments", headers=BANK, json=pay)
        assert r.status_code == 200, r.text
        assert (r.json()["outstanding"], r.json()["status"]) == ("200000.00", "outstanding")
        too_much = await c.post(
            f"/api/v1/credit-lines/{lid}/repayments", headers=BANK, json=pay | {"amount": "200000.01"}
        )
        assert too_much.status_code == 422
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/repayments", headers=OTHER_BANK, json=pay)
        ).status_code == 404
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/repayments", headers=SME, json=pay)
        ).status_code == 403
        r = await c.post(
            f"/api/v1/credit-lines/{lid}/repayments", headers=BANK, json=pay | {"amount": "200000.00"}
        )
        assert r.json()["status"] == "repaid"

        # credit-info heard of all three: the draw, a repayment and the final repayment are loan records.
        async def recorded() -> Any:
            r = await credit.client.get(
                "/api/v1/credit-records", params={"uscc": USCC, "source": "loan"}, headers=OFFICE
            )
            items = r.json()["items"]
            return items if len(items) == 3 else None

        records = await eventually(recorded)
        assert sorted(x["payload"]["status"] for x in records) == ["disbursed", "repaid", "repayment"]
        assert {x["payload"]["credit_line_id"] for x in records} == {lid}
        assert {x["payload"]["loan_id"] for x in records} == {d1["id"]}

        # A new grade sends the line to its bank for review: no draws until it confirms.
        old = line["grade_at_grant"]
        new_grade = "BB" if old != "BB" else "A"
        rating = RatingChanged(
            uscc=USCC,
            score=560,
            probability_of_default=Decimal("0.08"),
            grade=new_grade,
            previous_grade=old,
            model_version="t",
        )
        await publish(infra, topic_prefix, (rating, USCC))

        async def reviewed() -> Any:
            got = (await c.get(f"/api/v1/credit-lines/{lid}", headers=BANK)).json()
            return got if got["status"] == "under_review" else None

        got = await eventually(reviewed)
        assert f"to {new_grade}" in got["status_reason"]
        held = await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": "1000.00"})
        assert held.status_code == 409
        assert "under_review" in held.json()["detail"]
        assert (
            await c.post(f"/api/v1/credit-lines/{lid}/review", headers=OTHER_BANK, json={"confirm": True})
        ).status_code == 404
        ok = await c.post(f"/api/v1/credit-lines/{lid}/review", headers=BANK, json={"confirm": True})
        assert (ok.json()["status"], ok.json()["grade_at_grant"]) == ("active", new_grade)
        d2 = await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": "1000.00"})
        assert d2.status_code == 201
        assert Decimal(d2.json()["rate"]) == Decimal("3.9000") + Decimal(SPREADS.get(new_grade, "1.6"))

        # The term ends: the line expires and refuses draws.
        later = (datetime.now(UTC) + timedelta(days=400)).isoformat()
        assert (
            await c.post("/api/v1/credit-lines/expire-due", params={"as_of": later}, headers=SME)
        ).status_code == 403
        r = await c.post("/api/v1/credit-lines/expire-due", params={"as_of": later}, headers=OFFICE)
        assert r.json() == {"expired": 1}
        gone = await c.post(f"/api/v1/credit-lines/{lid}/draws", headers=SME, json={"amount": "1000.00"})
        assert gone.status_code == 409
        assert "expired" in gone.json()["detail"]

        events = await published(
            infra, topic_prefix, lambda es: bool(of_type(es, "credit_line.status_changed", status="expired"))
        )
        assert of_type(events, "credit_line.granted", line_id=lid)[0]["credit_limit"] == "2000000.00"
        assert len(of_type(events, "credit_line.drawn", line_id=lid)) == 2
        assert [e["draw_outstanding"] for e in of_type(events, "credit_line.repaid", line_id=lid)] == [
            "200000.00",
            "0.00",
        ]
        assert [e["status"] for e in of_type(events, "credit_line.status_changed", line_id=lid)] == [
            "under_review",
            "active",
            "expired",
        ]
