"""A bank's loan officer: edits a product (a wrong figure first), decides an SME's extension and records
the repayment (asked first), reports lending months by hand and as CSV (a bad line named), and looks
an SME up: refused without its consent, shown under it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from smefin.reference import make_uscc
from tests.browser.conftest import Site, confirming, log_in, screenshot, submit
from tests.e2e.journey import product_body

SME_USCC = make_uscc("150602", "BANKL0001")
BANK = "bank-officer"


def test_bank_edits_a_product_decides_loans_reports_months_and_looks_up(
    site: Site, browser: Any, tmp_path: Any
) -> None:
    bank = site.bank(BANK)
    product = site.publish(bank, product_body("小微流动资金贷", "credit_only"))
    sme = site.sme(SME_USCC, "owner@bank-officer.example", "a-long-sme-password")
    loan = site.loan(bank, sme, {"amount": "150000.00", "term_months": 12, "purpose": "购置原料"})
    asked_for = site.api.post(
        f"/api/v1/loans/{loan['id']}/extension-request",
        json={"extra_months": 6, "reason": "旺季回款慢"},
        headers=sme,
    )
    assert asked_for.status_code == 200, asked_for.text

    email = f"admin@{BANK}.example"
    context, page = log_in(browser, site.url, email, f"{email}-pw-long")
    asked = confirming(page)

    # Edit: a maximum that is not a number is refused next to it, the rest kept; then saved.
    page.click(f"#product-{product['id']} .edit")
    page.wait_for_selector("#edit-form")
    assert page.input_value("#f-name") == "小微流动资金贷"
    page.fill("#f-name", "小微流动资金贷（新版）")
    page.fill("#f-max_amount", "很多")
    submit(page, "#edit-form button[type=submit]")
    assert "最高金额" in page.inner_text("#err-max_amount")
    assert page.input_value("#f-name") == "小微流动资金贷（新版）"
    page.fill("#f-max_amount", "2000000")
    submit(page, "#edit-form button[type=submit]")
    assert "小微流动资金贷（新版）" in page.inner_text(f"#product-{product['id']}")

    # The SME's extension: granted; then the loan repaid, asked first.
    row = f"#loan-{loan['id']}"
    assert "旺季回款慢" in page.inner_text(f"{row} .extension-status")
    submit(page, f"{row} .grant")
    assert page.inner_text(f"{row} .extension-status") == "已同意"
    submit(page, f"{row} .repaid")
    assert page.inner_text(f"{row} .loan-status") == "已还清"
    assert asked
    assert "不能撤销" in asked[-1]

    # Monthly reports: a balance that is not a number is refused next to it, the month kept; then listed.
    page.click("#reports-link")
    page.wait_for_selector("#report-form")
    assert page.inner_text("#reports .empty") == "尚未报送月度数据。"
    page.fill("#f-month", "2025-10")
    page.fill("#f-sme_loan_balance", "一百万")
    page.fill("#f-total_loan_balance", "5000000.00")
    submit(page, "#report-form button[type=submit]")
    assert "小企业贷款余额" in page.inner_text("#err-sme_loan_balance")
    assert page.input_value("#f-month") == "2025-10"
    assert page.input_value("#f-total_loan_balance") == "5000000.00"
    page.fill("#f-sme_loan_balance", "1000000.00")
    submit(page, "#report-form button[type=submit]")
    assert "2025-10" in page.inner_text("#reports-table")

    # A CSV with a bad line: that line named, nothing stored; then a good file.
    bad = tmp_path / "bad.csv"
    bad.write_text("month,sme_loan_balance,total_loan_balance\n2025-11,1.00,2.00\n2025-12,abc,2.00\n")
    page.set_input_files("#f-file", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#report-upload .error")
    assert "第3行" in page.inner_text("#report-upload .error")
    assert "2025-11" not in page.inner_text("#reports-table")
    good = tmp_path / "good.csv"
    good.write_text(
        "month,sme_loan_balance,total_loan_balance\n2025-11,1100000.00,5100000.00\n2025-12,1200000.00,5200000.00\n"
    )
    page.set_input_files("#f-file", str(good))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#uploaded")
    assert "2" in page.inner_text("#uploaded")
    assert "2025-12" in page.inner_text("#reports-table")

    # A look-up without the SME's consent is refused in words; under a consent the report shows.
    page.goto(f"{site.url}/bank/lookup?uscc={SME_USCC}&purpose=post_loan_management")
    assert "未授权" in page.inner_text("#lookup-form .error.general")
    until = (datetime.now(UTC) + timedelta(days=90)).isoformat()
    granted = site.api.post(
        "/api/v1/consents",
        json={"bank_org_id": BANK, "purpose": "post_loan_management", "valid_until": until},
        headers=sme,
    )
    assert granted.status_code == 201, granted.text
    page.goto(f"{site.url}/bank/lookup")
    page.click("#my-consents .use-consent")
    page.wait_for_selector("#lookup-report")
    assert SME_USCC in page.inner_text("#lookup-report h2")
    looked = site.api.get(f"/api/v1/enterprises/{SME_USCC}/lookups", headers=sme).json()["items"]
    assert {entry["allowed"] for entry in looked if entry["viewer_org_id"] == BANK} == {True, False}
    screenshot(page, "bank-lookup")
    context.close()
