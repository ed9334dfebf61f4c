"""Microcredit companies in the institution registry, and their coverage per county and zone shown
beside guarantee coverage; league offices see their league; bad input and strangers are refused."""

from __future__ import annotations

import csv
import io

from guarantee_registry.main import MIGRATIONS, create_app
from guarantee_registry.settings import Settings
from smefin.auth import Principal, Role, issue_internal_token
from smefin.reference import counties, make_uscc
from smefin.settings import DEV_SECRET
from tests.integration.guarantee_registry.test_guarantee_flow import company_body
from tests.support.infra import Infra
from tests.support.services import TEST_TOKEN_TTL, bearer, run_service

OFFICE = bearer(Role.OFFICE, "office-1")


def league_office(code: str) -> dict[str, str]:
    principal = Principal(
        subject=f"user-{code}", role=Role.LEAGUE_OFFICE, org_id=f"league-{code}", league_code=code
    )
    return {"Authorization": f"Bearer {issue_internal_token(principal, DEV_SECRET, ttl=TEST_TOKEN_TTL)}"}


def microcredit(serial: str, county: str, **extra: str) -> dict[str, str]:
    return {
        "uscc": make_uscc("150102", serial),
        "name": f"小额贷款公司{serial}",
        "county_code": county,
        "licence_number": f"蒙小贷{serial}",
        "registered_capital": "50000000.00",
    } | extra


async def test_microcredit_coverage_sits_beside_guarantee_coverage(infra: Infra, topic_prefix: str) -> None:
    async with run_service(
        create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix, consumers_enabled=False
    ) as svc:
        c = svc.client
        r = await c.put(
            "/api/v1/divisions/zones/BT-REHT",
            json={"name": "包头稀土高新区", "league_code": "150200"},
            headers=OFFICE,
        )
        assert r.status_code in (200, 201), r.text
        r = await c.put(
            "/api/v1/divisions/counties/150102/fiscal-revenue/2025",
            json={"fiscal_revenue": "6200000000.00"},
            headers=OFFICE,
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            "/api/v1/guarantee-companies",
            json=company_body("GM1", "150102", "150000000", "120000000"),
            headers=OFFICE,
        )
        assert r.status_code == 201, r.text

        for body, who in (
            (microcredit("MC1", "150102"), OFFICE),
            (microcredit("MC2", "150102"), OFFICE),
            (microcredit("MC3", "150202", zone_code="BT-REHT"), league_office("150200")),
        ):
            r = await c.post("/api/v1/microcredit-companies", json=body, headers=who)
            assert r.status_code == 201, r.text
        assert r.json()["league_code"] == "150200"

        # Refusals and bad input.
        r = await c.post("/api/v1/microcredit-companies", json=microcredit("MC1", "150102"), headers=OFFICE)
        assert r.status_code == 409
        r = await c.post(
            "/api/v1/microcredit-companies",
            json=microcredit("MC4", "150102"),
            headers=league_office("150200"),
        )
        assert r.status_code == 403
        for who in (bearer(Role.BANK, "bank-1"), bearer(Role.SME, "ent-1", make_uscc("150102", "K1"))):
            r = await c.post("/api/v1/microcredit-companies", json=microcredit("MC5", "150102"), headers=who)
            assert r.status_code == 403
            assert (await c.get("/api/v1/microcredit-companies/coverage", headers=who)).status_code == 403
        for bad, field in (
            (microcredit("MC6", "159999"), "not a county"),
            (microcredit("MC7", "150102", zone_code="NOPE"), "no development zone"),
            (microcredit("MC8", "150102", zone_code="BT-REHT"), "not in county"),
            (microcredit("MC9", "150102") | {"registered_capital": "0"}, "registered_capital"),
        ):
            r = await c.post("/api/v1/microcredit-companies", json=bad, headers=OFFICE)
            assert r.status_code == 422, (bad, r.text)
            assert field in r.text, (field, r.text)

        r = await c.get(
            "/api/v1/microcredit-companies/coverage", params={"league_code": "000000"}, headers=OFFICE
        )
        assert r.status_code == 422
        r = await c.get("/api/v1/microcredit-companies/coverage", headers=OFFICE)
        assert r.status_code == 200, r.text
        body = r.json()
        every = counties()
        assert (body["counties"], body["counties_covered"]) == (len(every), 2)
        assert (body["zones"], body["zones_covered"]) == (1, 1)
        items = {(i["scope"], i["code"]): i for i in body["items"]}
        xincheng = items[("county", "150102")]
        assert (xincheng["microcredit_companies"], xincheng["guarantee_companies"]) == (2, 1)
        assert xincheng["microcredit_company_names"] == ["小额贷款公司MC1", "小额贷款公司MC2"]
        # Above 5bn fiscal revenue the county needs its own guarantee company: it has one of 150M.
        assert (xincheng["guarantee_obligated"], xincheng["guarantee_compliant"]) == (True, True)
        assert items[("county", "150202")]["microcredit_covered"] is True
        assert items[("county", "150103")]["microcredit_covered"] is False
        assert items[("county", "150103")]["guarantee_obligated"] is None  # no fiscal figure yet
        assert items[("zone", "BT-REHT")]["microcredit_company_names"] == ["小额贷款公司MC3"]
        hohhot = next(lg for lg in body["leagues"] if lg["league_code"] == "150100")
        assert hohhot["counties"] == len(counties("150100"))
        assert hohhot["counties_covered"] == 1

        # A league office reads its own league only.
        mine = (await c.get("/api/v1/microcredit-companies/coverage", headers=league_office("150200"))).json()
        assert {i["league_code"] for i in mine["items"]} == {"150200"}
        assert (mine["counties"], mine["counties_covered"], mine["zones_covered"]) == (
            len(counties("150200")),
            1,
            1,
        )
        r = await c.get(
            "/api/v1/microcredit-companies", params={"league_code": "150100"}, headers=league_office("150200")
        )
        assert r.status_code == 403
        listed = (await c.get("/api/v1/microcredit-companies", headers=league_office("150200"))).json()
        assert [m["name"] for m in listed] == ["小额贷款公司MC3"]

        r = await c.get("/api/v1/microcredit-companies/coverage", params={"format": "csv"}, headers=OFFICE)
        assert r.headers["content-type"].startswith("text/csv")
        rows = {(x["scope"], x["code"]): x for x in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
        assert rows[("county", "150102")]["microcredit_companies"] == "2"
        assert rows[("county", "150102")]["guarantee_compliant"] == "True"
        assert len(rows) == len(every) + 1
