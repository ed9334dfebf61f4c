"""An SME on a 375-px phone, after its first loan: asks for more time to repay (a wrong figure first),
disputes a record of its credit report, signs up for a fair and opens its agenda, in Chinese and
in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from smefin.reference import make_uscc
from tests.browser.conftest import Site, log_in, screenshot, submit
from tests.e2e.journey import product_body

USCC = make_uscc("150602", "WEBLN0001")
EMAIL, PASSWORD = "cfo@loan-journey.example", "a-long-sme-password"


def _fair(site: Site, organizer: dict[str, str]) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=20)).replace(hour=1, minute=0, second=0, microsecond=0)
    body = {
        "name": "鄂尔多斯市银企对接会",
        "league_codes": ["150600"],
        "venue": "鄂尔多斯会展中心",
        "sessions": [{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}],
        "slot_minutes": 20,
        "tables": 10,
    }
    fair = site.api.post("/api/v1/fairs", json=body, headers=organizer)
    assert fair.status_code == 201, fair.text
    published = site.api.post(f"/api/v1/fairs/{fair.json()['id']}/publish", headers=organizer)
    assert published.status_code == 200, published.text
    created: dict[str, Any] = fair.json()
    return created


def test_sme_asks_an_extension_disputes_a_record_and_signs_up_for_a_fair(site: Site, browser: Any) -> None:
    bank = site.bank("bank-loans")
    site.publish(bank, product_body("羊绒周转贷", "credit_only"))
    sme = site.sme(USCC, EMAIL, PASSWORD)
    loan = site.loan(bank, sme, {"amount": "200000.00", "term_months": 12, "purpose": "羊绒收购"})
    organizer = site.organisation("organizer", "org-ordos")
    fair = _fair(site, organizer)

    context, page = log_in(browser, site.url, EMAIL, PASSWORD, phone=True)
    page.click("#loans-link")
    page.wait_for_selector(f"#loan-{loan['id']}")
    assert page.inner_text(f"#loan-{loan['id']} .loan-status") == "已放款"

    # More time to repay: 30 months is refused next to the field, the reason typed stays.
    page.click(f"#loan-{loan['id']} summary")
    page.fill(f"#x-extra_months-{loan['id']}", "30")
    page.fill(f"#x-reason-{loan['id']}", "羊绒价格下跌，回款推迟")
    submit(page, f"#loan-{loan['id']} .extension-form button")
    assert "延长月数太大" in page.inner_text(f"#loan-{loan['id']} .error")
    assert page.input_value(f"#x-reason-{loan['id']}") == "羊绒价格下跌，回款推迟"
    page.fill(f"#x-extra_months-{loan['id']}", "6")
    submit(page, f"#loan-{loan['id']} .extension-form button")
    assert (
        page.inner_text(f"#loan-{loan['id']} .extension-status")
        == "已申请，待银行答复 (羊绒价格下跌，回款推迟)"
    )

    # The loan reaches the credit report over the broker; the SME disputes it (too short a reason first).
    for _ in range(60):
        page.goto(f"{site.url}/sme/credit")
        if page.locator("li.record").count():
            break
        page.wait_for_timeout(500)
    record = page.locator("li.record").first
    assert "贷款" in record.inner_text()
    record.locator("summary").click()
    record.locator("textarea").fill("错")
    submit(page, "li.record .dispute-form button")
    record = page.locator("li.record").first
    assert "理由太短" in record.locator(".error").inner_text()
    record.locator("textarea").fill("该笔贷款金额登记有误，应为二十万元整")
    submit(page, "li.record .dispute-form button")
    assert page.inner_text("li.record .disputed") == "异议处理中"
    assert "该笔贷款金额登记有误" in page.inner_text("li.dispute")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the credit report is {width}px wide on a 375-px phone"

    # A fair in its league: signed up, awaiting validation; validated, its agenda opens (not scheduled).
    page.goto(f"{site.url}/sme")
    page.click("#fairs-link")
    card = f"#fair-{fair['id']}"
    page.wait_for_selector(card)
    assert page.inner_text(f"{card} .my-registration") == "未报名"
    submit(page, f"{card} .register")
    assert page.inner_text(f"{card} .my-registration") == "待审核"
    listed = site.api.get(f"/api/v1/fairs/{fair['id']}/registrations", headers=organizer).json()
    mine = next(r for r in listed if r["participant_id"] == USCC)
    decided = site.api.post(
        f"/api/v1/fairs/{fair['id']}/registrations/{mine['id']}/decision",
        json={"approve": True},
        headers=organizer,
    )
    assert decided.status_code == 200, decided.text
    page.reload()
    assert page.inner_text(f"{card} .my-registration") == "已通过"
    page.click(f"{card} .agenda-link")
    page.wait_for_selector("#agenda")
    assert page.inner_text("#schedule-status") == "尚未排期"
    assert page.inner_text("#agenda .empty") == "尚未排定洽谈。"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the agenda is {width}px wide on a 375-px phone"

    # The same pages in English.
    page.click("#lang-switch")
    page.wait_for_selector("text=No meeting scheduled yet.")
    page.goto(f"{site.url}/sme/fairs")
    assert page.inner_text(f"{card} .my-registration") == "validated"
    page.goto(f"{site.url}/sme/loans")
    assert page.inner_text(f"#loan-{loan['id']} .loan-status") == "disbursed"
    screenshot(page, "sme-loans-en")
    page.click("#lang-switch")
    page.wait_for_selector("text=我的贷款")
    context.close()
