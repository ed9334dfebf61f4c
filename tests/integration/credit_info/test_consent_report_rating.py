"""One enterprise's file, step by step: ratings on the broker, consent granted / refused / revoked, the
report, a dispute, and the audit list of look-ups. Each test is one step of the same journey, in order
(the module shares one running service), so a failure names the step that broke."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

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
UNTIL = (datetime.now(UTC) + timedelta(days=90)).isoformat()
PURPOSE = {"purpose": "loan_application"}
GRANT = {"bank_org_id": "bank-nm-1", "purpose": "loan_application", "valid_until": UNTIL}


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


@dataclass
class File:
    """The running service, what the broker carried, and what earlier steps learnt."""

    c: httpx.AsyncClient
    seen: list[dict[str, Any]]
    start: dict[str, Any] = field(default_factory=dict)
    changed: dict[str, Any] = field(default_factory=dict)
    consent: dict[str, Any] = field(default_factory=dict)
    dispute: dict[str, Any] = field(default_factory=dict)
    enforcement: dict[str, Any] = field(default_factory=dict)

    def ratings(self) -> list[dict[str, Any]]:
        """rating.changed events of the enterprise, in order."""
        return [e for e in self.seen if e["type"] == "rating.changed" and e["subject"] == USCC]


@pytest.fixture(scope="module")
async def file(infra: Infra, module_topic_prefix: str) -> AsyncIterator[File]:
    async with (
        credit_info(infra, module_topic_prefix) as svc,
        listen(infra, module_topic_prefix + Topic.ENTERPRISES) as seen,
    ):
        for uscc, who in ((USCC, SME), (OTHER, OTHER_SME)):
            r = await svc.client.post("/api/v1/enterprises", json=enterprise(uscc), headers=who)
            assert r.status_code == 201, r.text
        yield File(svc.client, seen)


async def test_registration_publishes_a_first_rating(file: File) -> None:
    first = (await eventually(file.ratings))[0]
    assert first["payload"]["previous_grade"] is None
    file.start = (await file.c.get(f"/api/v1/ratings/{USCC}", headers=SME)).json()
    assert file.start["grade"] == first["payload"]["grade"]
    assert 300 <= file.start["score"] <= 900


async def test_a_recompute_with_nothing_new_keeps_the_score(file: File) -> None:
    same = await file.c.post(f"/api/v1/ratings/{USCC}/recompute", headers=OFFICE)
    assert same.json()["score"] == file.start["score"]


async def test_new_negative_records_lower_the_rating_and_say_so_on_the_broker(file: File) -> None:
    old = (date.today() - timedelta(days=6 * 365)).isoformat()
    lines = [
        f"{USCC},court,2026-02-01,c-1,enforcement,(2026)蒙0602执55号,defendant,80",
        f"{USCC},court,2025-06-01,c-2,dishonest_debtor,(2025)蒙0602执12号,defendant,40",
        f"{USCC},court,{old},c-3,judgment,(2019)蒙0602民初1号,defendant,10",  # aged out
    ]
    csv = "uscc,source,occurred_on,ref,kind,case_no,role,amount\n" + "\n".join(lines) + "\n"
    r = await file.c.post(
        "/api/v1/ingestion-batches",
        params={"batch_id": "court-1"},
        content=csv,
        headers={"content-type": "text/csv"} | PROVIDER,
    )
    assert r.json()["accepted"] == 3, r.text
    events = await eventually(lambda: file.ratings() if len(file.ratings()) >= 2 else None)
    assert len(events) == 2, "the no-change recompute published nothing"
    file.changed = events[1]["payload"]
    assert file.changed["score"] < file.start["score"]
    assert file.changed["previous_grade"] == file.start["grade"]
    assert file.changed["previous_score"] == file.start["score"]
    assert "enforcement_cases" in file.changed["reasons"]


async def test_a_bank_without_a_consent_is_refused(file: File) -> None:
    r = await file.c.get(f"/api/v1/credit-reports/{USCC}", headers=BANK)
    assert r.status_code == 403
    assert "no live consent" in r.json()["detail"]
    assert (await file.c.get(f"/api/v1/ratings/{USCC}", headers=BANK)).status_code == 403


async def test_an_sme_reads_and_grants_consent_over_its_own_file_only(file: File) -> None:
    c = file.c
    assert (await c.get(f"/api/v1/credit-reports/{USCC}", headers=OTHER_SME)).status_code == 403
    assert (await c.get(f"/api/v1/enterprises/{USCC}/lookups", headers=OTHER_SME)).status_code == 403
    r = await c.post("/api/v1/consents", json=GRANT | {"uscc": USCC}, headers=OTHER_SME)
    assert r.status_code == 403


async def test_a_consent_in_the_past_or_without_a_time_zone_is_refused(file: File) -> None:
    past = GRANT | {"valid_until": "2020-01-01T00:00:00Z"}
    assert (await file.c.post("/api/v1/consents", json=past, headers=SME)).status_code == 422
    naive = GRANT | {"valid_until": "2027-01-01"}
    assert (await file.c.post("/api/v1/consents", json=naive, headers=SME)).status_code == 422


async def test_a_granted_consent_is_listed_to_its_bank_only(file: File) -> None:
    r = await file.c.post("/api/v1/consents", json=GRANT, headers=SME)
    assert r.status_code == 201, r.text
    file.consent = r.json()
    assert file.consent["status"] == "granted"
    listed = (await file.c.get("/api/v1/consents", headers=BANK)).json()
    assert [x["consent_id"] for x in listed] == [file.consent["consent_id"]]
    assert (await file.c.get("/api/v1/consents", headers=OTHER_BANK)).json() == []


async def test_an_sme_disputes_its_own_records_only(file: File) -> None:
    records = (
        await file.c.get("/api/v1/credit-records", params={"uscc": USCC, "source": "court"}, headers=SME)
    ).json()
    assert records["total"] == 2, "the six-year-old judgment aged out"
    file.enforcement = next(x for x in records["items"] if x["ref"] == "c-1")
    body = {"record_id": file.enforcement["id"], "reason": "paid in full"}
    r = await file.c.post("/api/v1/disputes", json=body, headers=SME)
    assert r.status_code == 201
    file.dispute = r.json()
    stranger = await file.c.post("/api/v1/disputes", json=body | {"reason": "not mine"}, headers=OTHER_SME)
    assert stranger.status_code == 404


async def test_under_consent_a_look_up_without_a_purpose_is_refused_and_logged(file: File) -> None:
    r = await file.c.get(f"/api/v1/credit-reports/{USCC}", headers=BANK)
    assert r.status_code == 422
    assert r.json()["details"][0]["field"] == "purpose"
    assert "loan_application" in r.json()["detail"], "the refusal says which purposes the consents cover"


async def test_under_consent_the_bank_reads_the_report_with_the_dispute_flag(file: File) -> None:
    r = await file.c.get(f"/api/v1/credit-reports/{USCC}", params=PURPOSE, headers=BANK)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["basic_info"]["uscc"] == USCC
    assert report["basic_info"]["league_name"] == "鄂尔多斯市"
    assert report["lookup"]["consent_id"] == file.consent["consent_id"]
    assert report["lookup"]["purpose"] == "loan_application"
    assert {x["occurred_on"] for x in report["public_records"]} == {"2026-02-01", "2025-06-01"}
    flagged = next(x for x in report["public_records"] if x["id"] == file.enforcement["id"])
    assert flagged["disputed"] is True
    assert [d["id"] for d in report["disputes"]] == [file.dispute["id"]]
    assert report["rating"]["score"] == file.changed["score"]
    assert report["negative_records_aged_out"] == 1
    assert {"credit_records", "non_credit_records", "operating_figures"} <= report.keys()


async def test_under_consent_the_bank_prints_the_report(file: File) -> None:
    page = await file.c.get(f"/api/v1/credit-reports/{USCC}/print", params=PURPOSE, headers=BANK)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert USCC in page.text
    assert "异议中" in page.text
    assert file.changed["grade"] in page.text


async def test_a_consent_covers_its_own_purpose_only(file: File) -> None:
    other = {"purpose": "post_loan_management"}
    r = await file.c.get(f"/api/v1/credit-reports/{USCC}", params=other, headers=BANK)
    assert r.status_code == 403
    unknown = await file.c.get(
        f"/api/v1/credit-reports/{USCC}", params={"purpose": "marketing"}, headers=BANK
    )
    assert unknown.status_code == 422, "not a purpose a consent can name"


async def test_an_upheld_dispute_withdraws_the_record_and_re_rates_upwards(file: File) -> None:
    r = await file.c.post(
        f"/api/v1/disputes/{file.dispute['id']}/resolve",
        json={"outcome": "upheld", "resolution": "court confirmed payment"},
        headers=OFFICE,
    )
    assert r.status_code == 200
    assert r.json()["status"] == "resolved"
    report = (await file.c.get(f"/api/v1/credit-reports/{USCC}", headers=SME)).json()
    assert report["disputes"] == []
    assert len(report["public_records"]) == 1
    assert report["rating"]["score"] > file.changed["score"]
    await eventually(lambda: len(file.ratings()) >= 3)


async def test_only_the_enterprise_revokes_and_the_bank_is_refused_again(file: File) -> None:
    revoke = f"/api/v1/consents/{file.consent['consent_id']}/revoke"
    assert (await file.c.post(revoke, headers=OTHER_SME)).status_code == 404
    r = await file.c.post(revoke, headers=SME)
    assert r.status_code == 200
    assert r.json()["status"] == "revoked"
    assert (await file.c.post(revoke, headers=SME)).status_code == 409
    r = await file.c.get(f"/api/v1/credit-reports/{USCC}", params=PURPOSE, headers=BANK)
    assert r.status_code == 403


async def test_the_enterprise_sees_every_look_up_allowed_or_refused(file: File) -> None:
    r = await file.c.get(f"/api/v1/enterprises/{USCC}/lookups", headers=SME)
    assert r.status_code == 200
    log = r.json()["items"]
    bank_log = [
        (x["resource"], x["allowed"], x["consent_id"], x["purpose"])
        for x in log
        if x["viewer_org_id"] == "bank-nm-1"
    ]
    consent_id, why = file.consent["consent_id"], "loan_application"
    assert bank_log == [  # newest first
        ("credit-report", False, None, why),  # after the revocation
        ("credit-report", False, None, "post_loan_management"),  # a purpose the consent does not cover
        ("credit-report-html", True, consent_id, why),
        ("credit-report", True, consent_id, why),
        ("credit-report", False, None, None),  # no purpose named
        ("rating", False, None, None),
        ("credit-report", False, None, None),  # before any consent
    ]
    assert any(x["viewer_org_id"] == "ent-k2" and not x["allowed"] for x in log)
    assert all(x["at"] for x in log)


async def test_registration_and_consents_are_announced(file: File) -> None:
    await eventually(lambda: {"consent.granted", "consent.revoked"} <= {e["type"] for e in file.seen})
    assert "enterprise.registered" in {e["type"] for e in file.seen if e["subject"] == USCC}
