"""A fair organizer on a desk: a fair drafted (a missing venue and a past date refused next to their
fields, the rest kept), edited, announced; SMEs and banks invited from live matches; the registrations
validated; a preliminary then a final schedule; a participant's agenda; check-in, the meeting held and the
signed intention recorded; the fair closed as held with its report, and the page read in English."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from smefin.reference import make_uscc
from tests.browser.conftest import Site, confirming, log_in, screenshot, submit
from tests.e2e.journey import product_body

ORGANIZER = "organizer-journey"
BANK = "bank-fair"
SME_USCC = make_uscc("150621", "FAR000001")
SME_EMAIL, SME_PASSWORD = "owner@organizer-journey.example", "a-long-sme-password"


def _fill_fair(page: Any, day: str) -> None:
    page.fill("#f-fair_name", "鄂尔多斯市银企对接会（春季）")
    page.check("input[name=fair_leagues][value='150600']")
    page.fill("#f-fair_industries", "C17")
    page.fill("#f-fair_date", day)
    page.fill("#f-fair_s1_start", "09:00")
    page.fill("#f-fair_s1_end", "12:00")
    page.fill("#f-fair_s2_start", "14:00")
    page.fill("#f-fair_s2_end", "17:00")
    page.select_option("#f-fair_slot_minutes", "20")
    page.fill("#f-fair_tables", "10")


def _invited(site: Site, organizer: dict[str, str], fair_id: str) -> None:
    """The events service hears of requests and matches over the broker: invite until the bank is in."""
    deadline = time.monotonic() + 40
    while True:
        r = site.api.post(f"/api/v1/fairs/{fair_id}/invitations", headers=organizer)
        assert r.status_code == 200, r.text
        if {BANK, SME_USCC} <= {i["participant_id"] for i in r.json()}:
            return
        assert time.monotonic() < deadline, r.text
        time.sleep(0.5)


def test_organizer_sets_up_schedules_and_closes_a_fair(site: Site, browser: Any) -> None:
    organizer = site.organisation("organizer", ORGANIZER)
    email = f"admin@{ORGANIZER}.example"  # as Site.organisation makes it
    # The scene: an Ordos wool-textile SME with an open request matched to a bank's product.
    bank = site.bank(BANK)
    site.publish(bank, product_body("对接会信用贷", "credit_only"))
    sme = site.sme(SME_USCC, SME_EMAIL, SME_PASSWORD)
    site.request_financing(sme, {"amount": "800000.00", "term_months": 12, "purpose": "流动资金"})

    context, page = log_in(browser, site.url, email, f"{email}-pw-long")
    asked = confirming(page)
    assert page.url.endswith("/organizer")
    assert "尚未创建对接会" in page.inner_text("#fairs .empty")

    # No venue, then a past date: each refused next to its field, the rest kept.
    _fill_fair(page, (datetime.now(UTC) - timedelta(days=3)).date().isoformat())
    submit(page, "#fair-form button[type=submit]")
    assert page.inner_text("#err-fair_venue") == "请填写会场或线上会议链接。"
    assert page.input_value("#f-fair_name") == "鄂尔多斯市银企对接会（春季）"
    assert page.is_checked("input[name=fair_leagues][value='150600']")
    page.fill("#f-fair_venue", "鄂尔多斯国际会展中心B厅")
    submit(page, "#fair-form button[type=submit]")
    assert "不能早于现在" in page.inner_text("#err-fair_date")
    assert page.input_value("#f-fair_s2_end") == "17:00"
    page.fill("#f-fair_date", (datetime.now(UTC) + timedelta(days=10)).date().isoformat())
    submit(page, "#fair-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/organizer/fairs/[0-9a-f-]{36}$"))
    fair_id = page.url.rsplit("/", 1)[-1]
    assert page.inner_text("#fair .fair-status") == "草稿"
    assert "18个时段" in page.inner_text("#fair")  # two 3-hour sessions of 20-minute meetings
    assert "发布后开放报名" in page.inner_text("#registrations .empty")

    # Edited while a draft, then announced after a confirmation.
    page.click("#edit summary")
    page.fill("#edit-form #f-fair_tables", "12")
    submit(page, "#edit-form button[type=submit]")
    assert "12张桌" in page.inner_text("#fair")
    submit(page, "#fair .publish")
    assert page.inner_text("#fair .fair-status") == "已发布"

    # Invitations from live matches: the SME with the open request and the bank matched to it.
    _invited(site, organizer, fair_id)
    page.goto(f"{site.url}/organizer/fairs/{fair_id}")
    invited = page.inner_text("#invitations tbody")
    assert SME_USCC in invited
    assert BANK in invited

    # Both register; the organizer validates them.
    for who, body in ((sme, {}), (bank, {"tables": 1, "capacity_per_session": 6})):
        r = site.api.post(f"/api/v1/fairs/{fair_id}/registrations", json=body, headers=who)
        assert r.status_code == 201, r.text
    page.goto(f"{site.url}/organizer/fairs/{fair_id}")
    assert page.locator("#registrations .validate").count() == 2
    submit(page, "#registrations .reg-bank .validate")
    submit(page, "#registrations .reg-sme .validate")
    assert page.locator("#registrations .reg-status", has_text="已通过").count() == 2
    assert "1" in page.inner_text("#registrations .reg-bank")  # the bank's venue table

    # A preliminary schedule from the match scores, then the final one (asked first).
    submit(page, "#schedule .solve")
    assert page.inner_text("#fair .schedule-status") == "初步日程"
    assert page.locator("#meetings tr.meeting").count() == 1
    assert "系统推荐" in page.inner_text("#meetings tr.meeting")
    submit(page, "#schedule .solve-final")
    assert page.inner_text("#fair .schedule-status") == "正式日程"

    # The SME's agenda: its meeting with the bank, time and table.
    page.click("#registrations .reg-sme .agenda-link")
    page.wait_for_selector("#agenda")
    assert page.inner_text("#agenda-status") == "正式日程"
    assert page.locator("#agenda tr.agenda-item").count() == 1
    page.goto(f"{site.url}/organizer/fairs/{fair_id}")

    # On the day: held before check-in is refused on that meeting's row; both checked in, held.
    submit(page, "#meetings .held")
    assert "签到" in page.inner_text("#meetings tr.meeting .error")
    submit(page, "#registrations .reg-sme .check-in")
    submit(page, "#registrations .reg-bank .check-in")
    submit(page, "#meetings .held")
    assert page.inner_text("#meetings .meeting-status") == "已洽谈"

    # The signed intention: an amount that is not one is refused next to it; then recorded.
    page.fill("#meetings input[name=fair_intention_amount]", "八十万")
    submit(page, "#meetings .intention")
    assert "意向金额" in page.inner_text("#meetings tr.meeting .error")
    assert page.input_value("#meetings input[name=fair_intention_amount]") == "八十万"
    page.fill("#meetings input[name=fair_intention_amount]", "800000")
    submit(page, "#meetings .intention")
    assert "800000.00" in page.inner_text("#meetings .intention-amount")

    submit(page, "#fair .close-fair")
    assert page.inner_text("#fair .fair-status") == "已举办"
    assert "已洽谈1场" in page.inner_text("#report-meetings")
    assert "800000.00" in page.inner_text("#report-intentions")
    assert len(asked) == 3  # publish, final schedule, close
    csv = page.request.get(f"{site.url}/organizer/fairs/{fair_id}/report.csv")
    assert csv.status == 200
    assert SME_USCC in csv.text()

    # The same page in English.
    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("#fair .fair-status") == "held"
    assert "1 held" in page.inner_text("#report-meetings")
    screenshot(page, "organizer-fair")
    context.close()
