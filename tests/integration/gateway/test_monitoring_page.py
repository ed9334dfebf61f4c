"""The office's monitoring page through the gateway: the roll-up, overdue SMEs, programmes, funnel and
microcredit sections render from the API; a league office's page holds its league only; nobody signed
in, no page."""

from __future__ import annotations

from typing import Any

from smefin.auth import Role
from smefin.reference import county, make_uscc
from tests.e2e.journey import enterprise_body
from tests.integration.gateway.door import OFFICE_EMAIL, OFFICE_PASSWORD, door
from tests.support.infra import Infra
from tests.support.services import bearer

ORDOS = make_uscc("150602", "MP0000001")
HOHHOT = make_uscc("150102", "MP0000002")
SERVICE = bearer(Role.SERVICE, "stats-bureau")


def report(uscc: str, period: str, sales: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "period": period,
        "output_value": sales,
        "sales_revenue": sales,
        "profit": "12.00",
        "taxes_paid": "3.00",
        "employees": 60,
        "reported_on": "2026-01-10",
    }


async def test_the_monitoring_page_shows_each_view_in_its_scope(infra: Infra, topic_prefix: str) -> None:
    async with door(
        infra, topic_prefix, services=("credit_info", "loan_matching", "guarantee_registry")
    ) as gw:
        credit = gw.services["credit-info"]
        for uscc, code in ((ORDOS, "150602"), (HOHHOT, "150102")):
            r = await credit.post(
                "/api/v1/enterprises", json=enterprise_body(uscc, f"监测页企业{code}", code), headers=SERVICE
            )
            assert r.status_code == 201, r.text
        for uscc, sales in ((ORDOS, "731.00"), (HOHHOT, "512.00")):
            for period in ("2024-Q4", "2025-Q4"):
                r = await credit.post(
                    "/api/v1/operating-reports", json=report(uscc, period, sales), headers=SERVICE
                )
                assert r.status_code == 201, r.text
        office = await gw.office()
        await gw.create_org(office, "league_office", "ordos-window", league_code="150600")
        email = "admin@ordos-window.example"  # create_org's admin, password email + "-pw-long"

        async def page(login: tuple[str, str], query: str = "") -> tuple[int, str]:
            gw.client.cookies.clear()
            r = await gw.client.post("/api/v1/auth/login", json={"email": login[0], "password": login[1]})
            assert r.status_code == 200, r.text
            got = await gw.client.get(f"/office/monitoring{query}")
            return got.status_code, got.text

        status, html = await page((OFFICE_EMAIL, OFFICE_PASSWORD), "?period=2025-Q4&level=county")
        assert status == 200, html
        for section in ("rollup-table", "overdue", "programmes", "funnel-table", "microcredit-table"):
            assert section in html, section
        assert county("150602").name in html
        assert county("150102").name in html
        assert "731.00" in html
        assert "512.00" in html

        status, html = await page((email, f"{email}-pw-long"), "?period=2025-Q4&level=region")
        assert status == 200, html
        assert county("150602").name in html
        assert "731.00" in html
        assert "512.00" not in html  # Hohhot's figures stay with Hohhot
        assert 'value="region"' not in html  # a league office has no region level

        gw.client.cookies.clear()
        anonymous = await gw.client.get("/office/monitoring")
        assert anonymous.status_code == 303  # not signed in: to the login page
        assert anonymous.headers["location"] == "/login"
