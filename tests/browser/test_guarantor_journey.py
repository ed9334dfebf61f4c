"""A guarantee company on a 375-px phone: it registers its company (a bad code refused next to the field,
the rest kept), changes its net assets and records an injection (both in the audited history, capacity
moving with them), then approves one guarantee request, declines another with its reason and cancels the
issued one, each after a confirmation; the outstanding amount follows."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from smefin.reference import make_uscc
from tests.browser.conftest import Site, confirming, log_in, screenshot, submit
from tests.e2e.journey import product_body

GUARANTOR = "guarantor-journey"
COMPANY_USCC = make_uscc("150202", "GJ0000001")
BANK = "bank-guaranteed"
SMES = [
    (make_uscc("150203", "GJ0000002"), "first@guarantor-journey.example"),
    (make_uscc("150203", "GJ0000003"), "second@guarantor-journey.example"),
]
PASSWORD = "a-long-sme-password"


def fits_the_phone(page: Any) -> None:
    """Nothing wider than the 375-px screen: tables scroll inside their own box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def pending_guarantees(site: Site, company_id: str, company_headers: dict[str, str], n: int) -> None:
    deadline = time.monotonic() + 40
    while True:
        r = site.api.get(
            "/api/v1/guarantees",
            params={"company_id": company_id, "status": "pending_approval"},
            headers=company_headers,
        )
        assert r.status_code == 200, r.text
        if r.json()["total"] >= n:
            return
        assert time.monotonic() < deadline, r.text
        time.sleep(0.3)


def test_guarantor_company_capital_and_guarantee_requests(site: Site, browser: Any) -> None:
    guarantor = site.organisation("guarantor", GUARANTOR)
    email = f"admin@{GUARANTOR}.example"  # as Site.organisation makes it
    context, page = log_in(browser, site.url, email, f"{email}-pw-long", phone=True)
    asked = confirming(page)
    assert page.url.endswith("/guarantor")
    assert "尚未登记担保公司" in page.inner_text("#companies .empty")

    # A wrong credit code: refused next to the field, in Chinese, what was typed kept.
    page.fill("#f-g_uscc", COMPANY_USCC[:-1] + ("0" if COMPANY_USCC[-1] != "0" else "1"))
    page.fill("#f-g_name", "包头市昆都仑区中小企业融资担保有限公司")
    page.fill("#f-g_licence_number", "蒙融担J01")
    page.fill("#f-g_registered_capital", "120000000.00")
    page.fill("#f-g_paid_in_capital", "100000000.00")
    page.fill("#f-g_net_assets", "50000000.00")
    page.check("input[name=g_approval_required]")
    submit(page, "#company-form button[type=submit]")
    assert "统一社会信用代码" in page.inner_text("#err-g_uscc")
    assert page.input_value("#f-g_name") == "包头市昆都仑区中小企业融资担保有限公司"
    assert page.is_checked("input[name=g_approval_required]")
    page.fill("#f-g_uscc", COMPANY_USCC)
    submit(page, "#company-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/guarantor/companies/[0-9a-f-]{36}$"))
    company_id = page.url.rsplit("/", 1)[-1]
    assert page.inner_text("#remaining") == "500000000.00"  # 10x net assets
    assert page.inner_text("#single-client") == "5000000.00"  # 10% of net assets
    assert "暂无待审批" in page.inner_text("#pending .empty")
    assert "尚无增资记录" in page.inner_text("#injections .empty")
    fits_the_phone(page)

    # Net assets changed: a new version in the audited history, capacity recomputed.
    page.click("#profile-edit summary")
    page.fill("#f-g_net_assets", "55000000.00")
    submit(page, "#profile-form button[type=submit]")
    assert page.inner_text("#version") == "2"
    assert "50000000.00 → 55000000.00" in page.inner_text("#history")

    # A capital injection dated tomorrow is refused next to the date; today's is recorded.
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    page.fill("#f-gi_amount", "20000000.00")
    page.fill("#f-gi_injected_on", tomorrow)
    page.select_option("#f-gi_source", "league_fund")
    page.fill("#f-gi_note", "盟市财政注资")
    submit(page, "#injection-form button[type=submit]")
    assert page.inner_text("#err-gi_injected_on") == "到账日期不能晚于今天。"
    assert page.input_value("#f-gi_amount") == "20000000.00"
    page.fill("#f-gi_injected_on", date.today().isoformat())
    submit(page, "#injection-form button[type=submit]")
    assert "盟市财政资金" in page.inner_text("#injections tbody")
    assert page.inner_text("#net-assets") == "75000000.00"
    assert page.inner_text("#version") == "3"
    assert "增资 20000000.00 元" in page.inner_text("#history")

    # Two SMEs accept offers on a bank's product guaranteed by this company: two requests held.
    bank = site.bank(BANK)
    body = product_body("担保流动资金贷", "guaranteed", accepted_guarantee_company_ids=[company_id])
    site.publish(bank, body)
    smes = [site.sme(uscc, sme_email, PASSWORD) for uscc, sme_email in SMES]
    need = {"amount": "1000000.00", "term_months": 12, "purpose": "流动资金", "accepts_guarantee": True}
    requests = [site.request_financing(sme, need) for sme in smes]
    for sme, request in zip(smes, requests, strict=True):
        match = _match_of(site, bank, request["id"])
        offer = site.api.post(f"/api/v1/matches/{match['id']}/offer", json={}, headers=bank)
        assert offer.status_code == 201, offer.text
        accepted = site.api.post(f"/api/v1/offers/{offer.json()['id']}/accept", headers=sme)
        assert accepted.status_code == 200, accepted.text
    pending_guarantees(site, company_id, guarantor, 2)

    page.goto(f"{site.url}/guarantor/companies/{company_id}")
    assert page.locator("#pending li.guarantee").count() == 2
    fits_the_phone(page)
    first, second = (page.locator("#pending li.guarantee").nth(i).get_attribute("id") for i in (0, 1))
    submit(page, f"#{first} .approve")
    assert page.inner_text(f"#outcomes #{first} .g-status") == "已担保"
    assert page.inner_text("#outstanding") == "800000.00"  # the guarantor's 80% of 1,000,000

    # Declining needs a reason: too short is refused next to it, on that request.
    page.fill(f"#{second} input[name=g_reason]", "否")
    submit(page, f"#{second} .decline")
    assert "拒绝理由太短" in page.inner_text(f"#{second}")
    page.fill(f"#{second} input[name=g_reason]", "反担保措施不足")
    submit(page, f"#{second} .decline")
    assert page.inner_text(f"#outcomes #{second} .g-status") == "未担保"
    assert "本公司拒绝" in page.inner_text(f"#outcomes #{second} .g-reason")
    assert "暂无待审批" in page.inner_text("#pending .empty")

    # The issued one was a mistake: cancelled after a warning; the liability is released.
    page.fill(f"#outcomes #{first} input[name=g_cancel_reason]", "误签：借款企业已另行提供抵押")
    submit(page, f"#outcomes #{first} .cancel")
    assert page.inner_text(f"#outcomes #{first} .g-status") == "已撤销"
    assert page.inner_text("#outstanding") == "0.00"
    assert len(asked) == 4  # approve, decline twice (asked each time), cancel
    assert "不能" in asked[0]
    assert "撤销" in asked[-1]
    fits_the_phone(page)
    screenshot(page, "guarantor-desk")
    context.close()


def _match_of(site: Site, bank: dict[str, str], request_id: str) -> dict[str, Any]:
    """The bank's match for one request, once matching has run."""
    deadline = time.monotonic() + 30
    while True:
        r = site.api.get("/api/v1/matches", headers=bank)
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = [m for m in r.json() if m["request_id"] == request_id]
        if found:
            return found[0]
        assert time.monotonic() < deadline, r.text
        time.sleep(0.3)
