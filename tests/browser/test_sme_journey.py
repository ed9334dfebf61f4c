"""An SME on a 375-px phone: signs up, registers its profile (size class and why), submits a financing
need, sees ranked matches with reasons and the indicative rate, switches to English, withdraws."""

from __future__ import annotations

import re
from typing import Any

from smefin.reference import make_uscc
from tests.browser.conftest import Site, publish_to_docs, screenshot
from tests.e2e.journey import product_body

USCC = make_uscc("150602", "WEBKM0001")


def test_sme_signs_up_gets_matches_and_withdraws_on_a_phone(site: Site, browser: Any) -> None:
    bank = site.bank("bank-web")
    site.publish(bank, product_body("羊绒流动资金贷", "credit_only"))

    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{site.url}/signup")
    assert page.locator("h1").inner_text() == "中小企业注册"

    # A wrong credit code: the API's refusal, in Chinese, next to the field; what was typed stays.
    page.fill("#f-uscc", "12345")
    page.fill("#f-enterprise_name", "鄂尔多斯绒纺有限公司")
    page.fill("#f-display_name", "王经理")
    page.fill("#f-email", "cfo@rongfang.example")
    page.fill("#f-password", "a-long-sme-password")
    page.click("#signup-form button[type=submit]")
    page.wait_for_selector("#err-uscc")
    assert "统一社会信用代码" in page.inner_text("#err-uscc")
    assert page.input_value("#f-enterprise_name") == "鄂尔多斯绒纺有限公司"
    assert page.input_value("#f-email") == "cfo@rongfang.example"

    page.fill("#f-uscc", USCC)
    page.fill("#f-password", "a-long-sme-password")
    page.click("#signup-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/sme$"))

    # The profile: a number that is not one is refused next to its field, the rest kept.
    page.fill("#f-name", "鄂尔多斯绒纺有限公司")
    page.fill("#f-county_code", "150602")
    page.fill("#f-industry", "C17")
    page.fill("#f-employees", "六十")
    page.fill("#f-revenue", "1500")
    page.fill("#f-assets", "1800")
    page.click("#enterprise-form button[type=submit]")
    page.wait_for_selector("#err-employees")
    assert "从业人员" in page.inner_text("#err-employees")
    assert page.input_value("#f-revenue") == "1500"
    page.fill("#f-employees", "60")
    page.click("#enterprise-form button[type=submit]")
    page.wait_for_selector("#size-class")
    assert "小型企业" in page.inner_text("#size-class")

    # The need: until loan-matching has heard of the enterprise over the broker the page says so.
    for _ in range(40):
        page.fill("#f-amount", "300000.00")
        page.fill("#f-term_months", "12")
        page.fill("#f-purpose", "羊绒收购流动资金")
        # htmx swaps the answer in: the old sentence goes first so the wait sees only the new page.
        page.evaluate("document.querySelectorAll('.error').forEach(e => e.remove())")
        page.click("#request-form button[type=submit]")
        page.wait_for_selector("#request, #request-form .error.general")
        if page.locator("#request").count():
            break
        assert "匹配服务" in page.inner_text("#request-form .error.general")
        page.wait_for_timeout(500)
    page.wait_for_url(re.compile(r".*/sme/requests/[0-9a-f-]{36}$"))

    # htmx refreshes the panel until the ranked matches arrive.
    page.wait_for_selector("li.match", timeout=45_000)
    head = page.inner_text("li.match .match-head")
    assert "#1" in head
    assert "bank-web" in page.inner_text("#matches")  # other tests' banks may rank too
    assert re.search(r"参考利率（年化%）: \d+\.\d+", head), head
    page.click("li.match summary")
    assert page.locator("li.match .r-met").count() > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375-px phone"
    shot = screenshot(page, "sme-matches")
    publish_to_docs(shot)

    # English on request, then back to Chinese; the choice follows the person.
    assert "金额不低于产品最低额" in page.inner_text("li.match .reasons")  # the rules, in Chinese too
    page.click("#lang-switch")
    page.wait_for_selector("text=Matched loan products (ranked)")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("li.match summary")
    assert "amount at least the product's minimum" in page.inner_text("li.match .reasons")
    page.click("#lang-switch")
    page.wait_for_selector("text=匹配的贷款产品（按综合排序）")

    # Withdrawing is irreversible: it asks first.
    asked: list[str] = []

    def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    page.click("#withdraw")
    page.wait_for_selector("#request-status:has-text('已撤回')")
    assert asked
    assert "不能恢复" in asked[0]
    screenshot(page, "sme-withdrawn")

    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto(f"{site.url}/sme")
    assert page.url.endswith("/login")
    context.close()
