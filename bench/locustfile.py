"""The mixed load of `bench/load.py`, as Locust users calling the real gateway with real credentials.

- `Journey` (most users): one SME each (its own session token) and the bank's API key: submit a
  financing request, read its matches until they are proposed, the bank reads the match and offers,
  the SME accepts, the bank looks the SME's credit report up (under the SME's consent) and disburses.
- `BankDesk`: the bank's system lists its matches and loans and looks up consented credit reports.
- `OfficeDesk`: the financial office reads guarantee coverage and the lending-growth report.

Every answer outside 2xx counts as an error. The accounts come from the JSON file named by
SMEFIN_LOAD_ACCOUNTS (written by bench/load.py); route names group ids away (`/matches/{id}/offer`).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

ACCOUNTS: dict[str, Any] = json.loads(Path(os.environ["SMEFIN_LOAD_ACCOUNTS"]).read_text())
OFFICE = {"Authorization": f"Bearer {ACCOUNTS['office']}"}
BANK = {"Authorization": f"Bearer {ACCOUNTS['bank_key']}"}
SMES: list[dict[str, str]] = ACCOUNTS["smes"]
MATCH_WAIT_SECONDS = 30.0
_next_sme = 0


def _claim_sme() -> dict[str, str]:
    """Each journey user its own SME, so no two users race for one request (gevent: no lock needed)."""
    global _next_sme
    sme = SMES[_next_sme % len(SMES)]
    _next_sme += 1
    return sme


class Journey(HttpUser):
    """An SME and its bank, from request to disbursed loan."""

    weight = 4
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.sme = _claim_sme()
        self.as_sme = {"Authorization": f"Bearer {self.sme['token']}"}

    @task
    def journey(self) -> None:
        need = {"amount": "300000.00", "term_months": 12, "purpose": "流动资金", "accepts_guarantee": False}
        r = self.client.post(
            "/api/v1/financing-requests", json=need, headers=self.as_sme, name="POST /financing-requests"
        )
        if r.status_code != 201:
            return
        request_id = r.json()["id"]
        matches: list[dict[str, Any]] = []
        deadline = time.monotonic() + MATCH_WAIT_SECONDS
        while not matches:
            with self.client.get(
                f"/api/v1/financing-requests/{request_id}/matches",
                headers=self.as_sme,
                name="GET /financing-requests/{id}/matches",
                catch_response=True,
            ) as polled:
                if polled.status_code != 200:
                    polled.failure(f"{polled.status_code}: {polled.text[:200]}")
                    return
                matches = [m for m in polled.json() if m["status"] == "proposed"]
                if not matches and time.monotonic() > deadline:
                    polled.failure(f"no proposed match within {MATCH_WAIT_SECONDS} s")
                    return
                polled.success()
            if not matches:
                time.sleep(0.2)
        match_id = matches[0]["id"]
        if (
            self.client.get(f"/api/v1/matches/{match_id}", headers=BANK, name="GET /matches/{id}").status_code
            != 200
        ):
            return
        offer = self.client.post(
            f"/api/v1/matches/{match_id}/offer", json={}, headers=BANK, name="POST /matches/{id}/offer"
        )
        if offer.status_code != 201:
            return
        offer_id = offer.json()["id"]
        accepted = self.client.post(
            f"/api/v1/offers/{offer_id}/accept", headers=self.as_sme, name="POST /offers/{id}/accept"
        )
        if accepted.status_code != 200:
            return
        self.client.get(
            f"/api/v1/credit-reports/{self.sme['uscc']}?purpose=loan_application",
            headers=BANK,
            name="GET /credit-reports/{uscc}",
        )
        self.client.post("/api/v1/loans", json={"offer_id": offer_id}, headers=BANK, name="POST /loans")


class BankDesk(HttpUser):
    """The bank's system reading what it has."""

    fixed_count = 2
    wait_time = between(0.05, 0.2)

    @task(3)
    def matches(self) -> None:
        self.client.get("/api/v1/matches?limit=50", headers=BANK, name="GET /matches")

    @task(1)
    def loans(self) -> None:
        self.client.get("/api/v1/loans?limit=50", headers=BANK, name="GET /loans")

    @task(2)
    def credit_report(self) -> None:
        uscc = random.choice(SMES)["uscc"]
        self.client.get(
            f"/api/v1/credit-reports/{uscc}?purpose=loan_application",
            headers=BANK,
            name="GET /credit-reports/{uscc}",
        )


class OfficeDesk(HttpUser):
    """The financial office's monitoring reads."""

    fixed_count = 2
    wait_time = between(0.05, 0.2)

    @task(2)
    def coverage(self) -> None:
        self.client.get("/api/v1/coverage", headers=OFFICE, name="GET /coverage")

    @task(2)
    def growth(self) -> None:
        months = ACCOUNTS["months"]
        self.client.get(
            f"/api/v1/lending-reports/growth?from_month={months[0]}&to_month={months[-1]}",
            headers=OFFICE,
            name="GET /lending-reports/growth",
        )
