"""Consent granted / refused / revoked, the audit list, the report, disputes and rating events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from smefin.auth import Role
from smefin.contracts.envelope import Topic
from smefin.reference import make_uscc
from tests.integration.credit_info.helpers import credit_info, listen
from tests.support.infra import Infra
from tests.support.services import bearer, eventually

USCC = make_uscc("150602", "K1")  # Ordos, Dongsheng district
OTHER = make_uscc("150602", "K2")
OFFICE = bearer(Role.OFFICE, "office-1")
PROVIDER = bearer(Role.SERVICE, "court-data")
BANK = bearer(Role.BANK, "bank-nm-1")
OTHER_BANK = bearer(Role.BANK, "bank-nm-2")
SME = bearer(Role.SME, "ent-k1", USCC)
OTHER_SME = bearer(Role.SME, "ent-k2", OTHER)


def enterprise(uscc: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": "鄂尔多斯绒纺有限公司",
        "county_code": "150602",
        "industry": "C17",
        "employees": 60,
        "revenue": "1500",
        "assets": "1800",
    }


def rating_events(seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in seen if e["type"] == "rating.changed" and e["subject"] == USCC]


async def test_consent_audit_report_dispute_and_rating_changed(infra: Infra, topic_prefix: str) -> None:
    async with (
        credit_info(infra, topic_prefix) as svc,
        listen(infra, topic_prefix + Topic.ENTERPRISES) as seen,
    ):
        c = svc.client
        for uscc, who in ((USCC, SME), (OTHER, OTHER_SME)):
            assert (
                await c.post("/api/v1/enterprises", json=enterprise(uscc), headers=who)
            ).status_code == 201
        first = (await eventually(lambda: rating_events(seen)))[0]
        assert first["payload"]["previous_grade"] is None
        start = (await c.get(f"/api/v1/ratings/{USCC}", headers=SME)).json()
        assert start["grade"] == first["payload"]["grade"]
        assert 300 <= start["score"] <= 900

        # Re-rating with nothing new publishes nothing.
        same = await c.post(f"/api/v1/ratings/{USCC}/recompute", headers=OFFICE)
        assert same.json()["score"] == start["score"]

        # New negative records lower the rating, and rating.changed arrives on the broker.
        old = (date.today() - timedelta(days=6 * 365)).isoformat()
        lines = [
            f"{USCC},court,2026-02-01,c-1,enforcement,(2026)蒙0602执55号,defendant,80",
            f"{USCC},court,2025-06-01,c-2,dishonest_debtor,(2025)蒙0602执12号,defendant,40",
            f"{USCC},court,{old},c-3,judgment,(2019)蒙0602民初1号,defendant,10",  # aged out
        ]
        csv = "uscc,source,occurred_on,ref,kind,case_no,role,amount\n" + "\n".join(lines) + "\n"
        r = await c.post(
            "/api/v1/ingestion-batches",
            params={"batch_id": "court-1"},
            content=csv,
            headers={"content-type": "text/csv"} | PROVIDER,
        )
        assert r.json()["accepted"] == 3, r.text
        events = await eventually(lambda: rating_events(seen) if len(rating_events(seen)) >= 2 else None)
        assert len(events) == 2, "the no-change recompute published nothing"
        changed = events[1]["payload"]
        assert changed["score"] < start["score"]
        assert changed["previous_grade"] == start["grade"]
        assert changed["previous_score"] == start["score"]
        assert "enforcement_cases" in changed["reasons"]

        # A bank without a consent is refused, and the refusal is logged.
        r = await c.get(f"/api/v1/credit-reports/{USCC}", headers=BANK)
        assert r.status_code == 403
        assert "no live consent" in r.json()["detail"]
        assert (await c.get(f"/api/v1/ratings/{USCC}", headers=BANK)).status_code == 403

        # An SME may read only its own file, and grant consent only over its own file.
        assert (await c.get(f"/api/v1/credit-reports/{USCC}", headers=OTHER_SME)).status_code == 403
        assert (await c.get(f"/api/v1/enterprises/{USCC}/lookups", headers=OTHER_SME)).status_code == 403
        until = (datetime.now(UTC) + timedelta(days=90)).isoformat()
        grant = {"bank_org_id": "bank-nm-1", "purpose": "loan_application", "valid_until": until}
        assert (
            await c.post("/api/v1/consents", json=grant | {"uscc": USCC}, headers=OTHER_SME)
        ).status_code == 403
        past = grant | {"valid_until": "2020-01-01T00:00:00Z"}
        assert (await c.post("/api/v1/consents", json=past, headers=SME)).status_code == 422
        assert (
            await c.post("/api/v1/consents", json=grant | {"valid_until": "2027-01-01"}, headers=SME)
        ).status_code == 422

        r = await c.post("/api/v1/consents", json=grant, headers=SME)
        assert r.status_code == 201, r.text
        consent = r.json()
        assert consent["status"] == "granted"
        assert [x["consent_id"] for x in (await c.get("/api/v1/consents", headers=BANK)).json()] == [
            consent["consent_id"]
        ]
        assert (await c.get("/api/v1/consents", headers=OTHER_BANK)).json() == []

        # A dispute on the enforcement record shows on the report until resolved.
        records = (
            await c.get("/api/v1/credit-records", params={"uscc": USCC, "source": "court"}, headers=SME)
        ).json()
        assert records["total"] == 2, "the six-year-old judgment aged out"
        enforcement = next(x for x in records["items"] if x["ref"] == "c-1")
        r = await c.post(
            "/api/v1/disputes", json={"record_id": enforcement["id"], "reason": "paid in full"}, headers=SME
        )
        assert r.status_code == 201
        dispute = r.json()
        other_dispute = await c.post(
            "/api/v1/disputes", json={"record_id": enforcement["id"], "reason": "not mine"}, headers=OTHER_SME
        )
        assert other_dispute.status_code == 404

        # With a live consent the bank reads the report, JSON and printable.
        r = await c.get(f"/api/v1/credit-reports/{USCC}", headers=BANK)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["basic_info"]["uscc"] == USCC
        assert report["basic_info"]["league_name"] == "鄂尔多斯市"
        assert report["lookup"]["consent_id"] == consent["consent_id"]
        assert report["lookup"]["purpose"] == "loan_application"
        assert {x["occurred_on"] for x in report["public_records"]} == {"2026-02-01", "2025-06-01"}
        assert next(x for x in report["public_records"] if x["id"] == enforcement["id"])["disputed"] is True
        assert [d["id"] for d in report["disputes"]] == [dispute["id"]]
        assert report["rating"]["score"] == changed["score"]
        assert report["negative_records_aged_out"] == 1
        assert {"credit_records", "non_credit_records", "operating_figures"} <= report.keys()
        page = await c.get(f"/api/v1/credit-reports/{USCC}/print", headers=BANK)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert USCC in page.text
        assert "异议中" in page.text
        assert changed["grade"] in page.text
        assert (
            await c.get(f"/api/v1/credit-reports/{USCC}", params={"purpose": "marketing"}, headers=BANK)
        ).status_code == 403

        # Upholding the dispute withdraws the record, clears the flag and re-rates upwards.
        r = await c.post(
            f"/api/v1/disputes/{dispute['id']}/resolve",
            json={"outcome": "upheld", "resolution": "court confirmed payment"},
            headers=OFFICE,
        )
        assert r.status_code == 200
        assert r.json()["status"] == "resolved"
        report = (await c.get(f"/api/v1/credit-reports/{USCC}", headers=SME)).json()
        assert report["disputes"] == []
        assert len(report["public_records"]) == 1
        assert report["rating"]["score"] > changed["score"]
        await eventually(lambda: len(rating_events(seen)) >= 3)

        # Nobody else can revoke it; then the enterprise does and the bank is refused again.
        stranger = await c.post(f"/api/v1/consents/{consent['consent_id']}/revoke", headers=OTHER_SME)
        assert stranger.status_code == 404
        r = await c.post(f"/api/v1/consents/{consent['consent_id']}/revoke", headers=SME)
        assert r.status_code == 200
        assert r.json()["status"] == "revoked"
        assert (
            await c.post(f"/api/v1/consents/{consent['consent_id']}/revoke", headers=SME)
        ).status_code == 409
        assert (await c.get(f"/api/v1/credit-reports/{USCC}", headers=BANK)).status_code == 403

        # The enterprise sees every look-up: who, when, why, under which consent, refused or not.
        r = await c.get(f"/api/v1/enterprises/{USCC}/lookups", headers=SME)
        assert r.status_code == 200
        log = r.json()["items"]
        bank_log = [
            (x["resource"], x["allowed"], x["consent_id"]) for x in log if x["viewer_org_id"] == "bank-nm-1"
        ]
        assert bank_log == [
            ("credit-report", False, None),
            ("credit-report", False, None),
            ("credit-report-html", True, consent["consent_id"]),
            ("credit-report", True, consent["consent_id"]),
            ("rating", False, None),
            ("credit-report", False, None),
        ]
        assert any(x["viewer_org_id"] == "ent-k2" and not x["allowed"] for x in log)
        assert all(x["at"] for x in log)

        types = {e["type"] for e in seen if e["subject"] == USCC}
        await eventually(lambda: {"consent.granted", "consent.revoked"} <= {e["type"] for e in seen})
        assert "enterprise.registered" in types
