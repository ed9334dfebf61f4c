"""A whole fair across loan-matching and events over the broker.

loan-matching runs in-process and produces real `financing_request.submitted` and `match.proposed`
events; events invites from them, takes registrations and meeting requests (one expires), builds the
final schedule from the match scores, records the day, and its `intention.signed` becomes a label on
the right match in loan-matching. The loan that follows shows in the fair's report. One step per
test, in order, on the same two running services: a failure names the step that broke.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from icalendar import Calendar

from loan_matching.main import MIGRATIONS as MATCHING_MIGRATIONS
from loan_matching.main import create_app as matching_app
from loan_matching.settings import Settings as MatchingSettings
from smefin.auth import Role
from smefin.contracts import EventPayload, make_envelope
from smefin.contracts.enterprises import EnterpriseRegistered, RatingChanged
from smefin.reference import make_uscc
from tests.integration.fairs.support import events_service, fair_body, fair_events, ok
from tests.support.infra import Infra
from tests.support.services import RunningService, bearer, eventually, run_service

SME1_USCC = make_uscc("150602", "FMB000001")  # Ordos
SME2_USCC = make_uscc("150602", "FMB000002")  # Ordos
FAR_USCC = make_uscc("150102", "FMB000003")  # Hohhot: outside the fair's scope
SME1 = bearer(Role.SME, "ent-f1", SME1_USCC)
SME2 = bearer(Role.SME, "ent-f2", SME2_USCC)
FAR = bearer(Role.SME, "ent-f3", FAR_USCC)
BANK_A, BANK_B, BANK_C = bearer(Role.BANK, "bank-a"), bearer(Role.BANK, "bank-b"), bearer(Role.BANK, "bank-c")
ORG = bearer(Role.ORGANIZER, "org-ordos")
OTHER_ORG = bearer(Role.ORGANIZER, "org-hohhot")
OFFICE = bearer(Role.OFFICE, "office-1")
PRODUCT: dict[str, Any] = {
    "kind": "credit_only",
    "min_amount": "50000.00",
    "max_amount": "3000000.00",
    "min_term_months": 3,
    "max_term_months": 36,
    "industries": ["C"],
    "size_classes": ["micro", "small"],
    "base_rate": "3.4500",
    "grade_spreads": {"AAA": "0.3", "AA": "0.6", "A": "0.9", "BBB": "1.4"},
    "quota_count": 10,
}


async def publish(infra: Infra, prefix: str, payloads: list[tuple[EventPayload, str]]) -> None:
    """credit-info's events, as it would publish them."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for payload, subject in payloads:
            env = make_envelope(payload, subject=subject, source="credit-info")
            await producer.send_and_wait(
                prefix + payload.topic, env.model_dump_json().encode(), key=subject.encode()
            )
    finally:
        await producer.stop()


def enterprise(uscc: str, league: str) -> list[tuple[EventPayload, str]]:
    profile = EnterpriseRegistered(
        uscc=uscc,
        name=f"羊绒制品厂 {uscc[-5:]}",
        league_code=league,
        industry="C1713",
        employees=40,
        revenue=Decimal("3000"),
        assets=Decimal("2500"),
        size_class="small",
    )
    rating = RatingChanged(
        uscc=uscc, score=720, probability_of_default=Decimal("0.012"), grade="A", model_version="t"
    )
    return [(profile, uscc), (rating, uscc)]


@dataclass
class Fair:
    """loan-matching and the events service running, and what earlier steps learnt (one step per test)."""

    infra: Infra
    prefix: str
    lm: RunningService
    ev: RunningService
    s: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def fair(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Fair]:
    async with AsyncExitStack() as stack:
        lm = await stack.enter_async_context(
            run_service(
                matching_app, MatchingSettings, MATCHING_MIGRATIONS, infra, topic_prefix=module_topic_prefix
            )
        )
        ev = await stack.enter_async_context(events_service(infra, module_topic_prefix))
        yield Fair(infra, module_topic_prefix, lm, ev)


async def test_live_requests_are_matched_by_loan_matching(fair: Fair) -> None:
    # live data: two banks' products, three SMEs with open requests, matched by loan-matching.
    m, infra, topic_prefix = fair.lm.client, fair.infra, fair.prefix
    products = {}
    for bank, headers in (("bank-a", BANK_A), ("bank-b", BANK_B)):
        p = ok(
            await m.post("/api/v1/products", json={**PRODUCT, "name": f"{bank} 信用贷"}, headers=headers),
            201,
        )
        ok(await m.post(f"/api/v1/products/{p['id']}/publish", headers=headers))
        products[bank] = p["id"]
    await publish(
        infra,
        topic_prefix,
        [
            *enterprise(SME1_USCC, "150600"),
            *enterprise(SME2_USCC, "150600"),
            *enterprise(FAR_USCC, "150100"),
        ],
    )
    requests = {}
    for name, headers in (("sme1", SME1), ("sme2", SME2), ("far", FAR)):
        body = {"amount": "800000.00", "term_months": 12, "purpose": "羊绒收购流动资金"}

        async def submit(h: dict[str, str] = headers, b: dict[str, Any] = body) -> Any:
            r = await m.post("/api/v1/financing-requests", json=b, headers=h)
            return r.json() if r.status_code == 201 else None

        requests[name] = (await eventually(submit))["id"]
    lm_matches: dict[str, dict[str, Any]] = {}
    for name, headers in (("sme1", SME1), ("sme2", SME2)):

        async def matched(rid: str = requests[name], h: dict[str, str] = headers) -> Any:
            ms = (await m.get(f"/api/v1/financing-requests/{rid}/matches", headers=h)).json()
            return ms if len(ms) == 2 else None

        for match in await eventually(matched):
            lm_matches[f"{name}/{match['bank_org_id']}"] = match
    fair.s["products"] = products
    fair.s["requests"] = requests
    fair.s["lm_matches"] = lm_matches


async def test_the_organizer_drafts_and_announces_the_fair(fair: Fair) -> None:
    # the fair: drafted and announced by its organizer.
    c = fair.ev.client
    created = ok(await c.post("/api/v1/fairs", json=fair_body(), headers=ORG), 201)
    fid = created["id"]
    ok(await c.post(f"/api/v1/fairs/{fid}/publish", headers=ORG))
    base = f"/api/v1/fairs/{fid}"
    fair.s["base"] = base


async def test_invitations_come_from_the_projection_with_reasons(fair: Fair) -> None:
    # invitations from the projection of requests and matches, with reasons, in one action.
    c = fair.ev.client
    base = fair.s["base"]

    async def invited() -> Any:
        inv = ok(await c.post(f"{base}/invitations", headers=ORG))
        return inv if len(inv) == 4 and all(i["matches"] == 2 for i in inv) else None

    invitations = {i["participant_id"]: i for i in await eventually(invited)}
    assert set(invitations) == {
        SME1_USCC,
        SME2_USCC,
        "bank-a",
        "bank-b",
    }  # the Hohhot SME is out of scope
    assert (
        "open financing request of 800,000.00 yuan (C1713, league 150600); 2 bank match(es)"
        in invitations[SME1_USCC]["reasons"][0]
    )
    assert invitations["bank-a"]["reasons"] == [
        f"published products matched 2 open request(s) in scope, best score {Decimal(invitations['bank-a']['best_score']):.2f}"
    ]
    assert (await c.post(f"{base}/invitations", headers=OTHER_ORG)).status_code == 403
    assert (await c.get(f"{base}/invitations", headers=BANK_A)).status_code == 403


async def test_registrations_are_checked_and_validated_by_the_organizer(fair: Fair) -> None:
    # registration, validated by the organizer.
    c = fair.ev.client
    base = fair.s["base"]
    reg = {}
    reg["sme1"] = ok(await c.post(f"{base}/registrations", json={}, headers=SME1), 201)
    reg["sme2"] = ok(
        await c.post(f"{base}/registrations", json={"display_name": "二号羊绒厂"}, headers=SME2), 201
    )
    assert reg["sme1"]["display_name"] == f"羊绒制品厂 {SME1_USCC[-5:]}"  # from the enterprise projection
    for name, headers in (("bank-a", BANK_A), ("bank-b", BANK_B), ("bank-c", BANK_C)):
        reg[name] = ok(
            await c.post(
                f"{base}/registrations", json={"tables": 1, "capacity_per_session": 3}, headers=headers
            ),
            201,
        )
    far = await c.post(f"{base}/registrations", json={}, headers=FAR)
    assert far.status_code == 422
    assert "league 150100" in far.json()["detail"]
    assert (await c.post(f"{base}/registrations", json={}, headers=SME1)).status_code == 409
    assert (
        await c.post(f"{base}/registrations", json={}, headers=bearer(Role.BANK, "bank-z"))
    ).status_code == 422
    over = await c.post(
        f"{base}/registrations",
        json={"tables": 1, "capacity_per_session": 4},
        headers=bearer(Role.BANK, "bank-z"),
    )
    assert over.status_code == 422
    assert "at most 3 meetings per session" in over.json()["detail"]
    assert (await c.post(f"{base}/registrations", json={"tables": 1}, headers=ORG)).status_code == 403

    # Not validated yet: invisible to others, and cannot request meetings.
    assert [r["participant_id"] for r in ok(await c.get(f"{base}/registrations", headers=SME2))] == [
        SME2_USCC
    ]
    early = await c.post(
        f"{base}/meeting-requests",
        json={"to_registration_id": reg["bank-a"]["id"], "slot": 0},
        headers=SME1,
    )
    assert early.status_code == 403
    decision = {"approve": True}
    assert (
        await c.post(f"{base}/registrations/{reg['sme1']['id']}/decision", json=decision, headers=OTHER_ORG)
    ).status_code == 403
    assert (
        await c.post(f"{base}/registrations/{reg['sme1']['id']}/decision", json=decision, headers=SME1)
    ).status_code == 403
    for name in reg:
        reg[name] = ok(
            await c.post(f"{base}/registrations/{reg[name]['id']}/decision", json=decision, headers=ORG)
        )
    assert [reg[b]["table_numbers"] for b in ("bank-a", "bank-b", "bank-c")] == [[1], [2], [3]]
    assert (
        await c.post(f"{base}/registrations/{reg['sme1']['id']}/decision", json=decision, headers=ORG)
    ).status_code == 409
    # bank-c withdraws: a request to it is refused.
    ok(await c.post(f"{base}/registrations/{reg['bank-c']['id']}/withdraw", headers=BANK_C))
    assert len(ok(await c.get(f"{base}/registrations", headers=SME2))) == 4
    fair.s["reg"] = reg


async def test_meeting_requests_hold_slots_without_double_booking(fair: Fair) -> None:
    # meeting requests: slots held, no double booking, one will expire.
    c = fair.ev.client
    base = fair.s["base"]
    reg = fair.s["reg"]

    def request(to: str, slot: int) -> dict[str, Any]:
        return {"to_registration_id": reg[to]["id"], "slot": slot, "note": "流动资金"}

    r1 = ok(await c.post(f"{base}/meeting-requests", json=request("bank-a", 0), headers=SME1), 201)
    full = await c.post(f"{base}/meeting-requests", json=request("bank-a", 0), headers=SME2)
    assert full.status_code == 409
    assert "every table of the bank is booked in slot 0" in full.json()["detail"]
    twice = await c.post(f"{base}/meeting-requests", json=request("bank-b", 0), headers=SME1)
    assert twice.status_code == 409
    assert "the SME is already booked in slot 0" in twice.json()["detail"]
    outside = await c.post(f"{base}/meeting-requests", json=request("bank-b", 6), headers=SME1)
    assert outside.status_code == 422
    assert "outside the fair's 6 slots" in outside.json()["detail"]
    assert (
        await c.post(f"{base}/meeting-requests", json=request("bank-b", 64), headers=SME1)
    ).status_code == 422
    assert (
        await c.post(f"{base}/meeting-requests", json=request("bank-c", 2), headers=SME1)
    ).status_code == 409
    assert (
        await c.post(f"{base}/meeting-requests", json=request("sme1", 2), headers=SME2)
    ).status_code == 409
    r2 = ok(await c.post(f"{base}/meeting-requests", json=request("sme2", 1), headers=BANK_B), 201)
    assert (await c.post(f"{base}/meeting-requests/{r1['id']}/accept", headers=SME1)).status_code == 403
    assert (await c.post(f"{base}/meeting-requests/{r1['id']}/accept", headers=BANK_B)).status_code == 404
    assert (
        ok(await c.post(f"{base}/meeting-requests/{r1['id']}/accept", headers=BANK_A))["status"] == "accepted"
    )
    assert (await c.post(f"{base}/meeting-requests/{r1['id']}/decline", headers=BANK_A)).status_code == 409
    fair.s["r1"] = r1
    fair.s["r2"] = r2


async def test_the_schedule_turns_requests_into_meetings_from_the_match_scores(fair: Fair) -> None:
    # preliminary schedule: the accepted request is a meeting, the pending one holds its slot.
    c = fair.ev.client
    base = fair.s["base"]
    r2 = fair.s["r2"]
    lm_matches = fair.s["lm_matches"]
    products = fair.s["products"]
    prelim = ok(await c.post(f"{base}/schedule", json={}, headers=ORG), 201)
    assert prelim["kind"] == "preliminary"
    meetings = ok(await c.get(f"{base}/meetings", headers=ORG))
    pairs = {(x["uscc"], x["bank_org_id"]): x for x in meetings}
    assert pairs[(SME1_USCC, "bank-a")]["source"] == "request"
    assert pairs[(SME1_USCC, "bank-a")]["slot"] == 0
    assert (SME2_USCC, "bank-b") not in pairs  # its request is pending
    assert all(x["slot"] != 1 for x in meetings if x["uscc"] == SME2_USCC or x["bank_org_id"] == "bank-b")
    final = await c.post(f"{base}/schedule", json={"final": True}, headers=ORG)
    assert final.status_code == 409
    assert "still pending" in final.json()["detail"]
    assert (await c.post(f"{base}/schedule", json={}, headers=OTHER_ORG)).status_code == 403

    ok(await c.post(f"{base}/close-requests", headers=ORG))
    expired = ok(await c.get(f"{base}/meeting-requests?status=expired", headers=SME2))
    assert [x["id"] for x in expired] == [r2["id"]]
    run = ok(await c.post(f"{base}/schedule", json={"final": True}, headers=ORG), 201)
    assert (run["kind"], run["meetings"], run["fixed"], run["gap"]) == ("final", 4, 1, 0.0)
    assert run["objective"] == run["bound"] > 0

    meetings = ok(await c.get(f"{base}/meetings", headers=ORG))
    assert len(meetings) == 4
    assert len({(x["slot"], x["table_no"]) for x in meetings}) == 4
    assert len({(x["slot"], x["uscc"]) for x in meetings}) == 4
    assert len({(x["uscc"], x["bank_org_id"]) for x in meetings}) == 4
    for x in meetings:
        match = lm_matches[f"{'sme1' if x['uscc'] == SME1_USCC else 'sme2'}/{x['bank_org_id']}"]
        assert (x["match_id"], x["product_id"]) == (match["id"], products[x["bank_org_id"]])
    # Each side sees only its own meetings.
    assert {x["uscc"] for x in ok(await c.get(f"{base}/meetings", headers=SME2))} == {SME2_USCC}
    fair.s["meetings"] = meetings
    fair.s["pairs"] = pairs


async def test_a_meeting_pinned_by_hand_stays_as_the_rest_is_re_solved(fair: Fair) -> None:
    # pin and move by hand; the rest is re-solved around it.
    c = fair.ev.client
    base = fair.s["base"]
    meetings = fair.s["meetings"]
    mv = next(x for x in meetings if x["uscc"] == SME2_USCC and x["bank_org_id"] == "bank-a")
    busy = await c.patch(f"{base}/meetings/{mv['id']}", json={"slot": 0}, headers=ORG)
    assert busy.status_code == 409
    assert "every table of the bank is booked in slot 0" in busy.json()["detail"]
    assert (
        await c.patch(f"{base}/meetings/{mv['id']}", json={"slot": 5, "table_no": 2}, headers=ORG)
    ).status_code == 409
    assert (
        await c.patch(f"{base}/meetings/{mv['id']}", json={"slot": 5}, headers=OTHER_ORG)
    ).status_code == 403
    moved = ok(await c.patch(f"{base}/meetings/{mv['id']}", json={"slot": 5}, headers=ORG))
    assert (moved["slot"], moved["pinned"]) == (5, True)
    ok(await c.post(f"{base}/schedule", json={"final": True}, headers=ORG), 201)
    meetings = ok(await c.get(f"{base}/meetings", headers=ORG))
    assert next(x for x in meetings if x["id"] == mv["id"])["slot"] == 5
    assert len(meetings) == 4
    fair.s["meetings"] = meetings


async def test_agendas_come_as_json_and_ics_to_their_own_party_only(fair: Fair) -> None:
    # agendas as JSON and ICS.
    c = fair.ev.client
    base = fair.s["base"]
    reg = fair.s["reg"]
    agenda = ok(await c.get(f"{base}/agenda", headers=SME1))
    assert agenda["schedule_status"] == "final"
    assert agenda["items"][0]["counterpart"] == reg["bank-a"]["display_name"]
    ics = await c.get(f"{base}/agenda.ics", headers=SME1)
    assert ics.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == len(agenda["items"]) == 2
    assert (
        await c.get(f"{base}/agenda?registration_id={reg['sme1']['id']}", headers=BANK_B)
    ).status_code == 404
    assert (
        len(ok(await c.get(f"{base}/agenda?registration_id={reg['sme1']['id']}", headers=ORG))["items"]) == 2
    )


async def test_the_day_is_recorded_check_in_outcomes_feedback_and_an_intention(fair: Fair) -> None:
    # on the day: check-in, held / no-show, feedback, a signed intention.
    c = fair.ev.client
    base = fair.s["base"]
    reg = fair.s["reg"]
    pairs = fair.s["pairs"]
    meetings = fair.s["meetings"]
    lm_matches = fair.s["lm_matches"]
    products = fair.s["products"]
    held = pairs[(SME1_USCC, "bank-a")]["id"]
    missed = next(x["id"] for x in meetings if x["uscc"] == SME2_USCC and x["bank_org_id"] == "bank-b")
    early_held = await c.post(f"{base}/meetings/{held}/outcome", json={"held": True}, headers=ORG)
    assert early_held.status_code == 409
    assert "check in" in early_held.json()["detail"]
    ok(await c.post(f"{base}/registrations/{reg['sme1']['id']}/check-in", headers=SME1))
    assert (
        await c.post(f"{base}/registrations/{reg['bank-a']['id']}/check-in", headers=SME2)
    ).status_code == 404
    ok(await c.post(f"{base}/registrations/{reg['bank-a']['id']}/check-in", headers=ORG))
    assert (
        await c.post(f"{base}/meetings/{held}/outcome", json={"held": True}, headers=SME2)
    ).status_code == 404
    assert (
        ok(await c.post(f"{base}/meetings/{held}/outcome", json={"held": True}, headers=BANK_A))["status"]
        == "held"
    )
    assert (
        await c.post(f"{base}/meetings/{held}/outcome", json={"held": False}, headers=ORG)
    ).status_code == 409
    ok(await c.post(f"{base}/meetings/{missed}/outcome", json={"held": False}, headers=ORG))
    fb = {"outcome": "cooperation_possible", "comment": "资料齐全"}
    ok(await c.post(f"{base}/meetings/{held}/feedback", json=fb, headers=SME1), 201)
    assert (await c.post(f"{base}/meetings/{held}/feedback", json=fb, headers=SME1)).status_code == 409
    assert (
        await c.post(f"{base}/meetings/{held}/feedback", json={"outcome": "great"}, headers=BANK_A)
    ).status_code == 422
    assert (await c.post(f"{base}/meetings/{held}/feedback", json=fb, headers=ORG)).status_code == 403
    amount = {"amount": "800000.00"}
    assert (await c.post(f"{base}/meetings/{held}/intention", json=amount, headers=SME1)).status_code == 403
    assert (
        await c.post(f"{base}/meetings/{held}/intention", json={"amount": "-1"}, headers=BANK_A)
    ).status_code == 422
    assert (
        await c.post(f"{base}/meetings/{missed}/intention", json=amount, headers=BANK_B)
    ).status_code == 409
    intention = ok(await c.post(f"{base}/meetings/{held}/intention", json=amount, headers=BANK_A), 201)
    the_match = lm_matches["sme1/bank-a"]["id"]
    assert (intention["match_id"], intention["product_id"]) == (the_match, products["bank-a"])
    assert (await c.post(f"{base}/meetings/{held}/intention", json=amount, headers=BANK_A)).status_code == 409
    fair.s["held"] = held
    fair.s["missed"] = missed
    fair.s["the_match"] = the_match


async def test_loan_matching_takes_the_intention_as_a_label_on_that_match(fair: Fair) -> None:
    # loan-matching sees the intention as a positive label on that match.
    lm = fair.lm
    the_match = fair.s["the_match"]

    async def labelled() -> Any:
        conn = await asyncpg.connect(lm.database_url)
        try:
            return await conn.fetch("SELECT match_id, label FROM outcome WHERE source = 'intention_signed'")
        finally:
            await conn.close()

    rows = await eventually(labelled)
    assert [(str(r["match_id"]), r["label"]) for r in rows] == [(the_match, 1)]


async def test_the_loan_that_followed_is_disbursed(fair: Fair) -> None:
    # the loan that followed: offer, acceptance, disbursement in loan-matching.
    m = fair.lm.client
    the_match = fair.s["the_match"]
    offer = ok(await m.post(f"/api/v1/matches/{the_match}/offer", json={}, headers=BANK_A), 201)
    ok(await m.post(f"/api/v1/offers/{offer['id']}/accept", headers=SME1))
    ok(await m.post("/api/v1/loans", json={"offer_id": offer["id"]}, headers=BANK_A), 201)


async def test_the_fair_closes_and_the_league_count_and_report_follow(fair: Fair) -> None:
    # the fair closes as held; the league's count and the report follow.
    c, lm, ev, infra, topic_prefix = fair.ev.client, fair.lm, fair.ev, fair.infra, fair.prefix
    base = fair.s["base"]
    held = fair.s["held"]
    the_match = fair.s["the_match"]
    products = fair.s["products"]
    assert (await c.post(f"{base}/close", headers=OTHER_ORG)).status_code == 403
    assert ok(await c.post(f"{base}/close", headers=ORG))["status"] == "held"
    ordos = next(
        r for r in ok(await c.get("/api/v1/fairs/monitoring", headers=OFFICE)) if r["league_code"] == "150600"
    )
    assert (ordos["fairs_held"], ordos["target"], ordos["target_met"]) == (1, 2, False)

    async def loan_seen() -> Any:
        rep = ok(await c.get(f"{base}/report", headers=OFFICE))
        return rep if rep["loans_within_90_days"] == 1 else None

    report = await eventually(loan_seen)
    assert (report["meetings_scheduled"], report["meetings_held"], report["no_shows"]) == (4, 1, 1)
    assert (report["intentions"], report["intention_amount"]) == (1, "800000.00")
    assert report["loan_amount_within_90_days"] == "800000.00"
    assert report["feedback"] == {"cooperation_possible": 1}
    assert report["schedule"]["gap"] == 0.0
    assert (await c.get(f"{base}/report", headers=BANK_A)).status_code == 403
    lines = list(csv.DictReader(io.StringIO((await c.get(f"{base}/report.csv", headers=ORG)).text)))
    assert len(lines) == 4
    assert next(ln for ln in lines if ln["meeting_id"] == held)["intention_amount"] == "800000.00"

    events = await fair_events(infra, topic_prefix, 6)
    assert Counter(e["type"] for e in events) == {
        "fair.published": 1,
        "fair.schedule_published": 2,
        "meeting.held": 1,
        "intention.signed": 1,
        "fair.held": 1,
    }
    held_event = next(e for e in events if e["type"] == "meeting.held")["payload"]
    assert (held_event["match_id"], held_event["product_id"]) == (the_match, products["bank-a"])
    assert ev.app.state.consumer.stats.dead_lettered == 0
    assert lm.app.state.consumer.stats.dead_lettered == 0
