"""Object-level authorization, generated from the gateway's route list: for every operation whose path
takes an id, a caller of another organisation (bank vs bank, SME vs SME, guarantor vs guarantor,
provider vs provider) is refused the owner's real object, through the real gateway process.

`test_every_route_with_an_id_has_a_refusal_case` fails when a new route with an id appears in the
public OpenAPI document without a case here (or an explicit, reasoned entry in NOT_COVERED).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.e2e.test_sme_gets_a_loan import good_history
from tests.support.journeys import BANK, Journeys
from tests.support.platform import PlatformUnderTest
from tests.support.services import bearer

PUBLIC_DOCUMENT = Path(__file__).resolve().parents[2] / "gateway/gateway/public/openapi.json"
OTHER_USCC = make_uscc("150102", "AUTH00002")
OTHER_SME = bearer(Role.SME, "ent-authz-other", OTHER_USCC)
OTHER_BANK = bearer(Role.BANK, "bank-intruder")
OTHER_GUARANTOR = bearer(Role.GUARANTOR, "gco-intruder")
PROVIDER = bearer(Role.SERVICE, "tax-bureau")
OTHER_PROVIDER = bearer(Role.SERVICE, "other-provider")
OWNER_SME = "owner-sme"  # resolved once the journey has made the SME


@dataclass(frozen=True)
class Refusal:
    """Who must be refused; `owner` (when set) must be let in, proving the id is a real object."""

    intruders: tuple[dict[str, str], ...]
    owner: dict[str, str] | str | None = None
    body: dict[str, Any] | None = field(default=None)


CASES: dict[tuple[str, str], Refusal] = {
    # credit-info: an enterprise's file is its own (and a consented bank's).
    ("POST", "/api/v1/consents/{consent_id}/revoke"): Refusal((OTHER_SME, OTHER_BANK)),
    ("GET", "/api/v1/credit-reports/{uscc}"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("GET", "/api/v1/credit-reports/{uscc}/print"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("PATCH", "/api/v1/enterprises/{uscc}"): Refusal((OTHER_SME, OTHER_BANK), body={"employees": 1}),
    ("GET", "/api/v1/enterprises/{uscc}"): Refusal((OTHER_SME,), OWNER_SME),
    ("GET", "/api/v1/enterprises/{uscc}/lookups"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("GET", "/api/v1/ingestion-batches/{batch_id}"): Refusal((OTHER_PROVIDER, OTHER_SME), PROVIDER),
    ("GET", "/api/v1/ratings/{uscc}"): Refusal((OTHER_SME,), OWNER_SME),
    ("POST", "/api/v1/ratings/{uscc}/recompute"): Refusal((OTHER_SME, OTHER_BANK)),
    # loan-matching: a request is its SME's; a match, offer and loan their bank's (and SME's).
    ("GET", "/api/v1/financing-requests/{request_id}"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("POST", "/api/v1/financing-requests/{request_id}/match"): Refusal((OTHER_SME, OTHER_BANK)),
    ("GET", "/api/v1/financing-requests/{request_id}/matches"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("POST", "/api/v1/financing-requests/{request_id}/withdraw"): Refusal((OTHER_SME, OTHER_BANK)),
    ("GET", "/api/v1/loans/{loan_id}"): Refusal((OTHER_BANK, OTHER_SME), BANK),
    ("POST", "/api/v1/loans/{loan_id}/defaulted"): Refusal(
        (OTHER_BANK, OTHER_SME), body={"outstanding": "1.00"}
    ),
    ("POST", "/api/v1/loans/{loan_id}/extension-decision"): Refusal(
        (OTHER_BANK,), body={"grant": False, "reason": "intruder"}
    ),
    ("POST", "/api/v1/loans/{loan_id}/extension-request"): Refusal(
        (OTHER_SME,), body={"extra_months": 3, "reason": "intruder"}
    ),
    ("POST", "/api/v1/loans/{loan_id}/repaid"): Refusal((OTHER_BANK, OTHER_SME)),
    ("GET", "/api/v1/matches/{match_id}"): Refusal((OTHER_BANK, OTHER_SME), BANK),
    ("POST", "/api/v1/matches/{match_id}/decline"): Refusal(
        (OTHER_BANK, OTHER_SME), body={"reason": "intruder"}
    ),
    ("POST", "/api/v1/matches/{match_id}/offer"): Refusal((OTHER_BANK, OTHER_SME), body={}),
    ("GET", "/api/v1/offers/{offer_id}"): Refusal((OTHER_SME, OTHER_BANK), OWNER_SME),
    ("POST", "/api/v1/offers/{offer_id}/accept"): Refusal((OTHER_SME, OTHER_BANK)),
    ("PATCH", "/api/v1/products/{product_id}"): Refusal((OTHER_BANK, OTHER_SME), body={"name": "intruder"}),
    ("POST", "/api/v1/products/{product_id}/publish"): Refusal((OTHER_BANK, OTHER_SME)),
    ("POST", "/api/v1/products/{product_id}/withdraw"): Refusal((OTHER_BANK, OTHER_SME)),
    ("GET", "/api/v1/interest-subsidies/{subsidy_id}"): Refusal((OTHER_BANK, OTHER_SME), OWNER_SME),
    ("POST", "/api/v1/interest-subsidies/{subsidy_id}/decision"): Refusal(
        (OTHER_BANK, OTHER_SME), body={"approve": True}
    ),
    # guarantee-registry: a company is its guarantor's; a guarantee its company's, bank's and SME's.
    ("PATCH", "/api/v1/guarantee-companies/{company_id}"): Refusal(
        (OTHER_GUARANTOR, OTHER_BANK), body={"name": "intruder"}
    ),
    ("GET", "/api/v1/guarantees/{guarantee_id}"): Refusal((OTHER_BANK, OTHER_SME, OTHER_GUARANTOR), BANK),
    ("POST", "/api/v1/guarantees/{guarantee_id}/approve"): Refusal((OTHER_GUARANTOR, OTHER_BANK)),
    ("POST", "/api/v1/guarantees/{guarantee_id}/cancel"): Refusal(
        (OTHER_GUARANTOR, OTHER_BANK, OTHER_SME), body={"reason": "intruder"}
    ),
    ("POST", "/api/v1/guarantees/{guarantee_id}/decline"): Refusal(
        (OTHER_GUARANTOR, OTHER_BANK), body={"reason": "intruder"}
    ),
}

# Routes with an id and no case above, each with why. Shrink this list; never grow it silently.
NOT_COVERED: dict[str, str] = {
    "/api/v1/products/{product_id}": "published products are public to every bank and SME (terms only)",
    "/api/v1/guarantee-companies/{company_id}": "the register of guarantee companies is public",
    "/api/v1/guarantee-companies/{company_id}/history": "the register's history is public",
    "/api/v1/api-keys/": "gateway-side; cross-organisation refusal in tests/integration/gateway/test_api_keys.py",
    "/api/v1/organisations/": "gateway-side; cross-organisation refusal in tests/integration/gateway/test_accounts.py",
    "/api/v1/fairs/": "not yet: needs a fair with registrations and meetings on the platform (events service)",
    "/api/v1/divisions/": "not yet: office-only reference data (role refusal, no owning organisation)",
    "/api/v1/disputes/": "not yet: needs a dispute on the platform",
    "/api/v1/assignment-rounds/": "not yet: office-only object (role refusal)",
    "/api/v1/interest-subsidies/funds/": "office-only ledgers, no owning organisation; role refusals in "
    "tests/integration/loan_matching/test_subsidies.py",
    "/api/v1/operating-reports/": "an SME's own reports and its county's office only; other SMEs' and other "
    "leagues' refusals in tests/integration/credit_info/test_operating_reports.py",
    "/api/v1/programmes/": "office and league-office programme lists, no owning organisation; role and league "
    "refusals in tests/integration/credit_info/test_programmes.py",
    "/api/v1/compensation-funds/": "office-only ledgers, no owning organisation; role refusals in "
    "tests/integration/guarantee_registry/test_programmes.py",
    "/api/v1/reguarantee-agreements/": "a stranger guarantor's refusal to end one is in "
    "tests/integration/guarantee_registry/test_programmes.py (needs two companies on the platform)",
    "/api/v1/credit-lines/": "not yet on the platform: another bank's and SME's refusals (read, draw, repay, "
    "review) in tests/integration/loan_matching/test_credit_lines.py and test_visibility.py",
    "/api/v1/bank-quotas/": "not yet on the platform: another bank's refusal in "
    "tests/integration/loan_matching/test_bank_quotas.py and test_visibility.py",
}


def operations_with_an_id() -> list[tuple[str, str]]:
    document = json.loads(PUBLIC_DOCUMENT.read_text())
    return sorted(
        (method.upper(), path)
        for path, ops in document["paths"].items()
        if "{" in path
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    )


def not_covered(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in NOT_COVERED)


def test_every_route_with_an_id_has_a_refusal_case() -> None:
    missing = [f"{m} {p}" for m, p in operations_with_an_id() if (m, p) not in CASES and not not_covered(p)]
    assert not missing, f"routes with an id and no cross-organisation refusal case: {missing}"
    stale = [f"{m} {p}" for m, p in CASES if (m, p) not in operations_with_an_id()]
    assert not stale, f"cases for routes that no longer exist: {stale}"


@pytest.fixture(scope="module")
async def objects(platform: PlatformUnderTest) -> dict[str, Any]:
    """One SME's whole journey on the platform, a consent, an ingestion batch: real objects to refuse."""
    journeys = Journeys(platform, tag=777)
    try:
        await journeys.setup()
        done = await journeys.journey(1)
        sme = bearer(Role.SME, f"ent-{done['uscc']}", done["uscc"])
        offer = (await journeys.call("GET", f"/api/v1/offers/{done['offer']}", sme)).json()
        matches = (
            await journeys.call("GET", f"/api/v1/financing-requests/{done['request']}/matches", sme)
        ).json()
        until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        consent = await journeys.call(
            "POST",
            "/api/v1/consents",
            sme,
            json={"bank_org_id": "bank-load", "purpose": "loan_application", "valid_until": until},
        )
        assert consent.status_code == 201, consent.text
        batch = await journeys.call(
            "POST",
            "/api/v1/ingestion-batches",
            PROVIDER | {"content-type": "application/x-ndjson"},
            params={"batch_id": "authz-batch-1"},
            content=good_history(done["uscc"]),
        )
        assert batch.status_code == 201, batch.text
        other = await journeys.call(
            "POST",
            "/api/v1/enterprises",
            OTHER_SME,
            json={
                "uscc": OTHER_USCC,
                "name": "呼和浩特乳业有限公司",
                "county_code": "150102",
                "industry": "C14",
                "employees": 60,
                "revenue": "1500",
                "assets": "1800",
            },
        )
        assert other.status_code == 201, other.text
        subsidy = await journeys.call(
            "POST",
            "/api/v1/interest-subsidies",
            sme,
            json={"loan_id": done["loan"], "programme": "tech_progress"},
        )
        assert subsidy.status_code == 201, subsidy.text
    finally:
        await journeys.aclose()
    return {
        "sme": sme,
        "uscc": done["uscc"],
        "request_id": done["request"],
        "offer_id": done["offer"],
        "loan_id": done["loan"],
        "match_id": matches[0]["id"],
        "guarantee_id": offer["guarantee_id"],
        "product_id": journeys.product_id,
        "company_id": journeys.company_id,
        "consent_id": consent.json()["consent_id"],
        "batch_id": "authz-batch-1",
        "subsidy_id": subsidy.json()["id"],
    }


@pytest.mark.parametrize(("method", "path"), sorted(CASES), ids=[f"{m} {p}" for m, p in sorted(CASES)])
def test_another_organisation_is_refused(
    platform: PlatformUnderTest, objects: dict[str, Any], method: str, path: str
) -> None:
    case = CASES[(method, path)]
    url = path.format(**objects)
    with httpx.Client(base_url=platform.gateway.url, timeout=30) as c:
        for intruder in case.intruders:
            r = c.request(method, url, headers=intruder, json=case.body)
            assert r.status_code in (403, 404), (intruder, r.status_code, r.text)
            assert r.json()["detail"], r.text
        if case.owner is not None:
            owner = objects["sme"] if case.owner == OWNER_SME else case.owner
            assert isinstance(owner, dict)
            r = c.request(method, url, headers=owner)
            assert r.status_code == 200, (r.status_code, r.text)
