"""The financial office logs in (a wrong password first) and sees the 12 leagues coloured by coverage,
with the CSV behind the chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from smefin_dev.demo import fiscal_revenue_csv, zones_csv

from tests.browser.conftest import Site, publish_to_docs, screenshot
from tests.integration.gateway.door import OFFICE_EMAIL, OFFICE_PASSWORD


def test_office_sees_the_coverage_map_and_lending_growth_with_their_csv(site: Site, browser: Any) -> None:
    # A bank reported two month-ends: SME loans grew 20 %, all loans 10 %.
    bank = site.bank("bank-report")
    for month, sme, total in (
        ("2025-11", "1000000.00", "5000000.00"),
        ("2026-11", "1200000.00", "5500000.00"),
    ):
        r = site.api.post(
            "/api/v1/lending-reports",
            json={"month": month, "sme_loan_balance": sme, "total_loan_balance": total},
            headers=bank,
        )
        assert r.status_code in (200, 201), r.text
    # Last year's county fiscal revenues and the development zones, as the office imports them.
    year = datetime.now(UTC).year - 1
    office = site.office()
    for path, text in (("fiscal-revenues", fiscal_revenue_csv(year)), ("zones", zones_csv(year))):
        imported = site.api.post(
            f"/api/v1/divisions/{path}/import",
            content=text.encode(),
            headers={**office, "Content-Type": "text/csv"},
        )
        assert imported.status_code in (200, 201), imported.text
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{site.url}/office")
    page.wait_for_url(re.compile(r".*/login$"))

    page.fill("#f-email", OFFICE_EMAIL)
    page.fill("#f-password", "not-the-password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(".error.general")
    assert page.inner_text(".error.general") == "邮箱或密码不正确。"
    assert page.input_value("#f-email") == OFFICE_EMAIL
    assert page.input_value("#f-password") == ""

    page.fill("#f-password", OFFICE_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/office$"))
    page.wait_for_selector("#map[data-ready=true] canvas")
    assert page.inner_text("#leagues-met").endswith("/ 12")

    csv = page.request.get(site.url + (page.get_attribute("#coverage-csv", "href") or ""))
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "呼和浩特" in csv.text()

    # The growth chart for the period asked, and its CSV.
    page.goto(f"{site.url}/office?from_month=2025-11&to_month=2026-11")
    page.wait_for_selector("#growth-chart[data-ready=true] canvas")
    row = page.inner_text("#growth-table tbody tr")
    assert "bank-report" in row
    assert "20" in row
    assert row.strip().endswith("是")
    growth_csv = page.request.get(site.url + (page.get_attribute("#growth-csv", "href") or ""))
    assert growth_csv.status == 200
    lines = growth_csv.text().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("from_month,to_month,bank_org_id")
    assert any(line.startswith("2025-11,2026-11,bank-report,True") for line in lines[1:])

    page.wait_for_selector("#map[data-ready=true] canvas")
    shot = screenshot(page, "office-map")
    publish_to_docs(shot)

    # Drill-down: a league's counties and zones, with the CSV of what the page shows.
    page.click("#league-table a.drill >> text=鄂尔多斯市")
    page.wait_for_url(re.compile(r".*/office/leagues/150600$"))
    assert "东胜区" in page.inner_text("#counties")  # over the fiscal-revenue line: obliged
    assert "鄂尔多斯空港物流园区" in page.inner_text("#zones")
    league_csv = page.request.get(site.url + (page.get_attribute("#league-csv", "href") or ""))
    assert league_csv.status == 200
    assert league_csv.text().lstrip("\ufeff").startswith("scope,code,name,league_code")
    assert "东胜区" in league_csv.text()

    # Capital by source and its CSV; fairs per league against the target of two, and their CSV.
    page.goto(f"{site.url}/office")
    page.click("#capital-link")
    page.wait_for_selector("#capital-chart[data-ready=true] canvas")
    assert "自治区专项资金" in page.inner_text("#capital-table")
    capital_csv = page.request.get(site.url + (page.get_attribute("#capital-csv", "href") or ""))
    assert capital_csv.status == 200
    assert "regional_special_fund" in capital_csv.text().splitlines()[0]
    page.goto(f"{site.url}/office")
    page.click("#fairs-link")
    page.wait_for_selector("#fairs-chart[data-ready=true] canvas")
    assert page.locator("#fairs-table tbody tr").count() == 12
    assert page.inner_text("#fairs-met").endswith("/ 12")
    fairs_csv = page.request.get(site.url + (page.get_attribute("#fairs-csv", "href") or ""))
    assert fairs_csv.status == 200
    assert fairs_csv.text().lstrip("\ufeff").startswith("league_code,league_name,year,fairs_held")
    page.click("#lang-switch")
    page.wait_for_selector("text=Fairs per league per year (target: two)")
    page.click("#lang-switch")
    page.wait_for_selector("#fairs-chart[data-ready=true] canvas")
    screenshot(page, "office-fairs")

    # An office login is not an SME: the SME desk refuses it in words, not JSON.
    page.goto(f"{site.url}/sme")
    assert page.inner_text(".error.general") == "您的账号无权查看这一页。"
    page.goto(f"{site.url}/no-such-page")
    assert page.inner_text(".error.general") == "没有这个页面。"
    context.close()
