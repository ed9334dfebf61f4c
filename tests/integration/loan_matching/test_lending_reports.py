"""Bank lending reports over HTTP, as JSON and as CSV, and the office's growth and reward view
(小企业信贷投放增速高于全部贷款增速)."""

from __future__ import annotations

from loan_matching.main import MIGRATIONS, create_app
from loan_matching.settings import Settings
from tests.support.infra import Infra
from tests.support.services import bearer, run_service

BANK_1, BANK_2, OFFICE = bearer("bank", "bank-1"), bearer("bank", "bank-2"), bearer("office", "office")
CSV = {"Content-Type": "text/csv"}


async def test_reports_as_json_and_csv_feed_growth_and_rewards(infra: Infra, topic_prefix: str) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        c = svc.client
        one = {"month": "2026-01", "sme_loan_balance": "100000000.00", "total_loan_balance": "900000000.00"}
        r = await c.post("/api/v1/lending-reports", headers=BANK_1, json=one)
        assert r.status_code == 201, r.text
        assert r.json()["bank_org_id"] == "bank-1"
        upload = "month,sme_loan_balance,total_loan_balance\n2026-06,120000000.00,918000000.00\n"
        r = await c.post("/api/v1/lending-reports/csv", headers=BANK_1 | CSV, content=upload.encode())
        assert r.json() == {"rows": 1}
        # bank-2 grew its SME loans slower than its whole book: no reward.
        other = "month,sme_loan_balance,total_loan_balance\n2026-01,100.00,100.00\n2026-06,101.00,200.00\n"
        await c.post("/api/v1/lending-reports/csv", headers=BANK_2 | CSV, content=other.encode())
        rule = {"rate_percent": "1.0000", "cap": "150000.00", "requires_sme_growth_above_total": True}
        assert (
            await c.put("/api/v1/lending-reports/reward-rule", headers=OFFICE, json=rule)
        ).status_code == 200
        months = {"from_month": "2026-01", "to_month": "2026-06"}
        g = (await c.get("/api/v1/lending-reports/growth", params=months, headers=OFFICE)).json()
        by_bank = {b["bank_org_id"]: b for b in g["banks"]}
        assert by_bank["bank-1"]["sme_growth_above_total"] is True
        assert by_bank["bank-1"]["reward"] == "150000.00"  # 1% of a 20M increment is 200k, capped at 150k
        assert by_bank["bank-2"]["reward"] == "0"
        own = (await c.get("/api/v1/lending-reports/growth", params=months, headers=BANK_2)).json()
        assert [b["bank_org_id"] for b in own["banks"]] == ["bank-2"]
        assert {
            r["bank_org_id"] for r in (await c.get("/api/v1/lending-reports", headers=BANK_2)).json()
        } == {"bank-2"}


async def test_a_bad_csv_row_rejects_the_upload_naming_its_line(infra: Infra, topic_prefix: str) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        c = svc.client
        bad = "month,sme_loan_balance,total_loan_balance\n2026-01,1.00,2.00\n2026-13,abc,2.00\n"
        r = await c.post("/api/v1/lending-reports/csv", headers=BANK_1 | CSV, content=bad.encode())
        assert r.status_code == 422
        assert {(d["line"], d["field"]) for d in r.json()["details"]} == {
            (3, "month"),
            (3, "sme_loan_balance"),
        }
        assert (await c.get("/api/v1/lending-reports", headers=BANK_1)).json() == []  # nothing stored
        r = await c.post(
            "/api/v1/lending-reports/csv", headers=BANK_1 | CSV, content=b"month,total\n2026-01,1\n"
        )
        assert r.status_code == 422
        assert "sme_loan_balance" in r.json()["detail"]
        assert (
            await c.post("/api/v1/lending-reports/csv", headers=OFFICE | CSV, content=bad.encode())
        ).status_code == 403


async def test_an_assignment_round_is_read_back_by_the_office_only(infra: Infra, topic_prefix: str) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        c = svc.client
        r = await c.post("/api/v1/assignment-rounds", json={"max_requests": 5}, headers=OFFICE)
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        back = await c.get(f"/api/v1/assignment-rounds/{rid}", headers=OFFICE)
        assert back.json()["id"] == rid
        assert back.json()["assigned"] == 0
        assert (await c.get(f"/api/v1/assignment-rounds/{rid}", headers=BANK_1)).status_code == 403
        assert (await c.post("/api/v1/assignment-rounds", json={}, headers=BANK_1)).status_code == 403
