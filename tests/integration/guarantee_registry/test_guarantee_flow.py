"""guarantee-registry end to end against real PostgreSQL and the real broker: registration →
injection → coverage change → guarantee issued → refused beyond capacity → released → claimed, one
step per test in order on one running registry; then refusals, bad input, uploads and concurrency."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from guarantee_registry.domain import guarantees
from guarantee_registry.domain.rules import OfferStatus
from guarantee_registry.main import MIGRATIONS, create_app
from guarantee_registry.settings import Settings
from smefin.contracts import EventPayload, Topic, make_envelope
from smefin.contracts.financing import LoanDefaulted, LoanRepaid, OfferAccepted
from smefin.kafka import ensure_topics, make_producer
from smefin.reference import make_uscc
from tests.support.infra import Infra
from tests.support.services import RunningService, bearer, eventually, run_service

OFFICE = bearer("office", "office-1")
GUARANTOR = bearer("guarantor", "gco-1")
OTHER_GUARANTOR = bearer("guarantor", "gco-2")
BANK = bearer("bank", "bank-1")
CLIENT_1 = make_uscc("150102", "C1")
CLIENT_2 = make_uscc("150103", "C2")
M = Decimal("1000000")


class Broker:
    """Publishes financing events and collects what the service puts on the guarantees topic."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.bootstrap, self.prefix = bootstrap, prefix
        self.seen: list[dict[str, Any]] = []
        self.producer = make_producer(bootstrap, client_id="gr-test")

    async def publish(self, payload: EventPayload, subject: str) -> None:
        env = make_envelope(payload, subject=subject, source="loan-matching")
        await self.producer.send_and_wait(
            self.prefix + Topic.FINANCING, env.model_dump_json().encode(), key=subject.encode()
        )

    def of(self, type_: str, **match: Any) -> list[dict[str, Any]]:
        return [
            e["payload"]
            for e in self.seen
            if e["type"] == type_ and all(e["payload"].get(k) == v for k, v in match.items())
        ]

    async def wait_for(self, type_: str, **match: Any) -> dict[str, Any]:
        found = await eventually(lambda: self.of(type_, **match), timeout=20)
        return found[-1]  # type: ignore[no-any-return]


@asynccontextmanager
async def broker(infra: Infra, prefix: str) -> AsyncIterator[Broker]:
    b = Broker(infra.bootstrap, prefix)
    topics = [prefix + Topic.FINANCING, prefix + Topic.GUARANTEES]
    await ensure_topics(infra.bootstrap, topics)
    consumer = AIOKafkaConsumer(
        prefix + Topic.GUARANTEES, bootstrap_servers=infra.bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    await b.producer.start()

    async def collect() -> None:
        async for record in consumer:
            b.seen.append(json.loads(record.value or b"{}"))

    task = asyncio.create_task(collect())
    try:
        yield b
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
        await b.producer.stop()


def offer(
    company_ids: list[str], amount: str, uscc: str = CLIENT_1, bank_org_id: str = "bank-1", **extra: Any
) -> OfferAccepted:
    return OfferAccepted(
        offer_id=uuid4(),
        request_id=uuid4(),
        uscc=uscc,
        bank_org_id=bank_org_id,
        product_id=uuid4(),
        amount=Decimal(amount),
        rate=Decimal("5.2"),
        term_months=12,
        guaranteed=True,
        guarantee_company_ids=company_ids,
        **extra,
    )


def company_body(serial: str, county: str, registered: Any, net: str, **extra: Any) -> dict[str, Any]:
    return {
        "uscc": make_uscc(county, serial),
        "name": f"担保公司{serial}",
        "county_code": county,
        "licence_number": f"L-{serial}",
        "registered_capital": registered,
        "paid_in_capital": registered,
        "net_assets": net,
        "ownership": "government",
    } | extra


async def known_offer(
    svc: RunningService, company_id: str, amount: str, uscc: str = CLIENT_1, bank: str = "bank-1"
) -> OfferAccepted:
    """An accepted guaranteed offer the registry has learnt of, as offer.accepted would record it."""
    o = offer([company_id], amount, uscc=uscc, bank_org_id=bank)
    async with svc.app.state.db.unit_of_work() as session:
        await guarantees.record_offer(session, o, OfferStatus.ACCEPTED)
    return o


async def guarantee_of(client: httpx.AsyncClient, offer_id: UUID, status: str) -> dict[str, Any] | None:
    page = (await client.get("/api/v1/guarantees?limit=500", headers=OFFICE)).json()
    hits = [g for g in page["items"] if g["offer_id"] == str(offer_id) and g["status"] == status]
    return hits[0] if hits else None


@dataclass
class Registry:
    """The running registry, the broker, and what earlier steps learnt (one journey, one step per test)."""

    c: httpx.AsyncClient
    bus: Broker
    ids: dict[str, str] = field(default_factory=dict)
    offers: dict[str, OfferAccepted] = field(default_factory=dict)
    loans: dict[str, UUID] = field(default_factory=dict)

    async def league(self, code: str = "150100") -> dict[str, Any]:
        cov = (await self.c.get("/api/v1/coverage", headers=OFFICE)).json()
        return dict(next(lg for lg in cov["leagues"] if lg["code"] == code))


@pytest.fixture(scope="module")
async def registry(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Registry]:
    async with (
        broker(infra, module_topic_prefix) as bus,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=module_topic_prefix) as svc,
    ):
        yield Registry(svc.client, bus)


async def test_a_county_above_5bn_of_revenue_needs_a_company_of_its_own(registry: Registry) -> None:
    r = await registry.c.put(
        "/api/v1/divisions/counties/150102/fiscal-revenue/2025",
        json={"fiscal_revenue": "6200000000.00"},
        headers=OFFICE,
    )
    assert r.status_code == 200, r.text
    await registry.bus.wait_for("coverage.changed", scope="county", code="150102", compliant=False)


async def test_a_company_below_the_100m_target_leaves_its_league_short(registry: Registry) -> None:
    body = company_body("G1", "150102", "80000000", "50000000")
    r = await registry.c.post("/api/v1/guarantee-companies", json=body, headers=GUARANTOR)
    assert r.status_code == 201, r.text
    company = r.json()
    registry.ids["g1"] = company["id"]
    assert company["league_code"] == "150100"
    assert company["owner_org_id"] == "gco-1"
    assert company["capacity"]["capacity_limit"] == "500000000.00"
    await registry.bus.wait_for("guarantee_company.registered", company_id=company["id"])
    hohhot = await registry.league()
    assert not hohhot["compliant"]
    assert Decimal(hohhot["shortfall"]) == 20 * M


async def test_an_injection_from_the_regional_fund_brings_the_league_into_compliance(
    registry: Registry,
) -> None:
    cid, bus = registry.ids["g1"], registry.bus
    injection = {
        "company_id": cid,
        "amount": "30000000.00",
        "injected_on": date.today().isoformat(),
        "source": "regional_special_fund",
    }
    r = await registry.c.post("/api/v1/capital-injections", json=injection, headers=OFFICE)
    assert r.status_code == 201, r.text
    changed = await bus.wait_for("coverage.changed", scope="league", code="150100")
    assert changed["compliant"] is True
    assert changed["previous_compliant"] is False
    assert changed["counting_company_ids"] == [cid]
    await bus.wait_for("coverage.changed", scope="county", code="150102", compliant=True)
    await bus.wait_for("capital.injected", company_id=cid)
    hohhot = await registry.league()
    assert hohhot["compliant"]
    assert hohhot["status"] == "met"
    assert Decimal(hohhot["shortfall"]) == 0


async def test_the_regional_fund_summary_counts_the_injection(registry: Registry) -> None:
    summary = (await registry.c.get("/api/v1/capital-injections/summary", headers=OFFICE)).json()
    assert Decimal(summary["regional_fund"]["used"]) == 30 * M
    assert Decimal(summary["regional_fund"]["remaining"]) == 1970 * M
    assert summary["counties"][0]["county_code"] == "150102"


async def test_capacity_follows_net_assets(registry: Registry) -> None:
    # Net assets are now 80M: limit 800M, one client at most 8M of liability (80% of the loan).
    company = (await registry.c.get(f"/api/v1/guarantee-companies/{registry.ids['g1']}", headers=BANK)).json()
    assert company["capacity"]["capacity_limit"] == "800000000.00"
    assert company["capacity"]["single_client_limit"] == "8000000.00"


async def test_a_guarantee_within_capacity_is_issued_and_shares_the_risk(registry: Registry) -> None:
    cid, bus = registry.ids["g1"], registry.bus
    r = await registry.c.post(
        "/api/v1/guarantee-companies",
        json=company_body("G2", "150203", "20000000", "1000000"),
        headers=OFFICE,
    )
    assert r.status_code == 201, r.text
    registry.ids["g2"] = r.json()["id"]  # a small second company whose 10x leverage is 10M
    first = registry.offers["first"] = offer([cid], "5000000")
    await bus.publish(first, str(first.offer_id))
    issued = await bus.wait_for("guarantee.issued", offer_id=str(first.offer_id))
    assert issued["company_id"] == cid
    assert Decimal(issued["guarantor_share"]) == 80
    assert Decimal(issued["bank_share"]) == 20
    cap = await bus.wait_for("capacity.changed", company_id=cid, outstanding="4000000.00")
    assert Decimal(cap["remaining"]) == 796 * M


async def test_a_guarantee_beyond_leverage_is_refused(registry: Registry) -> None:
    beyond = offer([registry.ids["g2"]], "20000000", uscc=CLIENT_2)  # 16M liability > 10M
    await registry.bus.publish(beyond, str(beyond.offer_id))
    refused = await registry.bus.wait_for("guarantee.refused", offer_id=str(beyond.offer_id))
    assert refused["reason_code"] == "leverage_limit"
    assert "10x net assets" in refused["reason"]


async def test_a_guarantee_beyond_the_single_client_limit_is_refused(registry: Registry) -> None:
    concentrated = offer([registry.ids["g1"]], "6000000")  # 4M + 4.8M > 8M for one client
    await registry.bus.publish(concentrated, str(concentrated.offer_id))
    refused = await registry.bus.wait_for("guarantee.refused", offer_id=str(concentrated.offer_id))
    assert refused["reason_code"] == "single_client_limit"


async def test_unguaranteed_offers_are_ignored_and_unknown_guarantors_refused(registry: Registry) -> None:
    bus = registry.bus
    plain = offer([registry.ids["g1"]], "100000").model_copy(update={"guaranteed": False})
    await bus.publish(plain, str(plain.offer_id))
    ghost = offer([str(uuid4())], "100000")
    await bus.publish(ghost, str(ghost.offer_id))
    refused = await bus.wait_for("guarantee.refused", offer_id=str(ghost.offer_id))
    assert refused["reason_code"] == "company_not_found"
    assert not bus.of("guarantee.issued", offer_id=str(plain.offer_id))


async def test_repayment_releases_the_liability(registry: Registry) -> None:
    cid, bus, first = registry.ids["g1"], registry.bus, registry.offers["first"]
    loan = uuid4()
    repaid = LoanRepaid(
        loan_id=loan, offer_id=first.offer_id, uscc=CLIENT_1, bank_org_id="bank-1", amount=Decimal("5000000")
    )
    await bus.publish(repaid, str(loan))
    await bus.wait_for("guarantee.released", offer_id=str(first.offer_id))
    await bus.wait_for("capacity.changed", company_id=cid, outstanding="0.00")
    assert await eventually(lambda: guarantee_of(registry.c, first.offer_id, "released"))


async def test_a_default_is_claimed_and_the_risk_fund_pays_half_of_a_micro_loan(registry: Registry) -> None:
    cid, bus = registry.ids["g1"], registry.bus
    micro = offer([cid], "200000", uscc=CLIENT_2, startup_micro_loan=True)
    await bus.publish(micro, str(micro.offer_id))
    await bus.wait_for("guarantee.issued", offer_id=str(micro.offer_id))
    loan = registry.loans["micro"] = uuid4()
    defaulted = LoanDefaulted(
        loan_id=loan, offer_id=micro.offer_id, uscc=CLIENT_2, bank_org_id="bank-1", amount=Decimal("150000")
    )
    await bus.publish(defaulted, str(loan))
    claimed = await bus.wait_for("guarantee.claimed", offer_id=str(micro.offer_id))
    assert Decimal(claimed["guarantor_paid"]) == Decimal("120000")  # 80% of 150k outstanding
    assert Decimal(claimed["risk_compensation"]) == Decimal("60000")
    assert claimed["startup_micro_loan"]
    # The guarantor's own loss (60k) comes off net assets, and the new capacity is published.
    await bus.wait_for("capacity.changed", company_id=cid, net_assets="79940000.00")
    g = await guarantee_of(registry.c, micro.offer_id, "claimed")
    assert g is not None
    assert g["loan_id"] == str(loan)
    registry.ids["claimed"] = g["id"]


async def test_the_company_s_life_is_an_audited_trail(registry: Registry) -> None:
    cid = registry.ids["g1"]
    history = (await registry.c.get(f"/api/v1/guarantee-companies/{cid}/history", headers=GUARANTOR)).json()
    assert [v["action"] for v in history] == ["guarantee_claimed", "capital_injected", "registered"]
    assert history[1]["changes"]["registered_capital"] == {"from": "80000000.00", "to": "110000000.00"}
    assert history[1]["changed_by"] == "user-office-1"


async def test_guarantees_are_seen_only_by_their_own_parties(registry: Registry) -> None:
    c = registry.c
    mine = (await c.get("/api/v1/guarantees", headers=bearer("sme", "sme-2", CLIENT_2))).json()
    assert {x["uscc"] for x in mine["items"]} == {CLIENT_2}
    theirs = (await c.get("/api/v1/guarantees", headers=OTHER_GUARANTOR)).json()
    assert theirs["total"] == 0
    hidden = await c.get(f"/api/v1/guarantees/{registry.ids['claimed']}", headers=bearer("bank", "bank-9"))
    assert hidden.status_code == 404


async def test_the_office_exports_coverage_as_csv_and_a_map_page(registry: Registry) -> None:
    c = registry.c
    csv_text = (await c.get("/api/v1/coverage/export.csv", headers=OFFICE)).text
    assert "league,150100,呼和浩特市" in csv_text
    assert "county,150102" in csv_text
    page = await c.get("/api/v1/coverage/page", headers=OFFICE)
    assert page.status_code == 200
    assert "static/echarts.min.js" in page.text
    assert "担保公司G1" in page.text
    assert (await c.get("/api/v1/coverage/static/neimenggu.json")).status_code == 200
    assert (await c.get("/api/v1/coverage/static/secrets.txt")).status_code == 404


@asynccontextmanager
async def _with_company(infra: Infra, topic_prefix: str) -> AsyncIterator[tuple[RunningService, str]]:
    """A registry with a small regional fund and one company A1 in county 150202."""
    async with run_service(
        create_app,
        Settings,
        MIGRATIONS,
        infra,
        topic_prefix=topic_prefix,
        regional_fund_total=Decimal("1000000"),
    ) as svc:
        r = await svc.client.post(
            "/api/v1/guarantee-companies",
            json=company_body("A1", "150202", "10000000", "5000000"),
            headers=GUARANTOR,
        )
        assert r.status_code == 201, r.text
        yield svc, r.json()["id"]


async def test_other_organisations_are_refused(infra: Infra, topic_prefix: str) -> None:
    """Another guarantor, a bank or an SME may not act on or read what is not theirs."""
    async with _with_company(infra, topic_prefix) as (svc, cid):
        c = svc.client
        # Authorization: another guarantor may not edit, inject into or read the trail of this company.
        assert (
            await c.patch(
                f"/api/v1/guarantee-companies/{cid}", json={"name": "mine"}, headers=OTHER_GUARANTOR
            )
        ).status_code == 403
        inj = {
            "company_id": cid,
            "amount": "100.00",
            "injected_on": date.today().isoformat(),
            "source": "private_capital",
        }
        assert (
            await c.post("/api/v1/capital-injections", json=inj, headers=OTHER_GUARANTOR)
        ).status_code == 403
        assert (
            await c.get(f"/api/v1/guarantee-companies/{cid}/history", headers=OTHER_GUARANTOR)
        ).status_code == 403
        # … nor register a company for someone else; SMEs and banks register none; only the office sees coverage.
        assert (
            await c.post(
                "/api/v1/guarantee-companies",
                headers=GUARANTOR,
                json=company_body("A2", "150202", "1", "1", owner_org_id="gco-9"),
            )
        ).status_code == 403
        assert (
            await c.post(
                "/api/v1/guarantee-companies",
                json=company_body("A3", "150202", "1", "1"),
                headers=bearer("sme", "s1"),
            )
        ).status_code == 403
        assert (await c.get("/api/v1/coverage", headers=BANK)).status_code == 403
        assert (
            await c.put(
                "/api/v1/divisions/counties/150102/fiscal-revenue/2025",
                json={"fiscal_revenue": "1.00"},
                headers=GUARANTOR,
            )
        ).status_code == 403
        assert (await c.get("/api/v1/coverage")).status_code == 401
        # A guarantor only moves its own company; the owner may, and the change is versioned.
        r = await c.patch(
            f"/api/v1/guarantee-companies/{cid}", json={"net_assets": "6000000.00"}, headers=GUARANTOR
        )
        assert r.status_code == 200
        assert r.json()["version"] == 2
        assert (
            await c.patch(
                f"/api/v1/guarantee-companies/{cid}", json={"owner_org_id": "gco-2"}, headers=GUARANTOR
            )
        ).status_code == 403
        # A bank asks only for its own offers.
        known = await known_offer(svc, cid, "100000.00")
        gbody = {
            "company_id": cid,
            "offer_id": str(known.offer_id),
            "uscc": CLIENT_1,
            "bank_org_id": "bank-2",
            "amount": "100000.00",
        }
        assert (await c.post("/api/v1/guarantees", json=gbody, headers=BANK)).status_code == 403
        ok = await c.post("/api/v1/guarantees", json=gbody | {"bank_org_id": "bank-1"}, headers=BANK)
        assert ok.status_code == 201, ok.text
        assert ok.json()["status"] == "issued"


async def test_bad_input_is_a_4xx_with_a_reason(infra: Infra, topic_prefix: str) -> None:
    """Bad input is a 4xx with a reason, never a 500."""
    async with _with_company(infra, topic_prefix) as (svc, cid):
        c = svc.client
        gbody = {
            "company_id": cid,
            "offer_id": str(uuid4()),
            "uscc": CLIENT_1,
            "bank_org_id": "bank-1",
            "amount": "100000.00",
        }
        inj = {
            "company_id": cid,
            "amount": "100.00",
            "injected_on": date.today().isoformat(),
            "source": "private_capital",
        }
        bad: list[tuple[str, str, Any, int]] = [
            ("post", "/api/v1/guarantee-companies", company_body("A1", "150202", "1", "1"), 409),  # same USCC
            (
                "post",
                "/api/v1/guarantee-companies",
                company_body("B1", "150202", "1", "1") | {"uscc": "91150202XXXXXXXXX1"},
                422,
            ),
            (
                "post",
                "/api/v1/guarantee-companies",
                company_body("B2", "150202", "5", "1") | {"paid_in_capital": "9"},
                422,
            ),
            (
                "post",
                "/api/v1/guarantee-companies",
                company_body("B3", "150202", "1", "1") | {"county_code": "150102"},
                422,
            ),
            (
                "post",
                "/api/v1/guarantee-companies",
                company_body("B4", "150202", "1", "1") | {"league_code": "110000"},
                422,
            ),
            ("post", "/api/v1/guarantee-companies", company_body("B5", "150202", "abc", "1"), 422),
            ("post", "/api/v1/guarantee-companies", company_body("B6", "150202", 1e30, "1"), 422),
            (
                "post",
                "/api/v1/guarantee-companies",
                company_body("B7", "150202", "1", "1") | {"serves_small_micro_agri": "yes"},
                422,
            ),
            ("post", "/api/v1/guarantee-companies", [], 422),
            ("patch", f"/api/v1/guarantee-companies/{uuid4()}", {"name": "x"}, 404),
            ("patch", "/api/v1/guarantee-companies/not-a-uuid", {"name": "x"}, 422),
            ("patch", f"/api/v1/guarantee-companies/{cid}", {"uscc": make_uscc("150202", "Q1")}, 422),
            ("patch", f"/api/v1/guarantee-companies/{cid}", {"paid_in_capital": "99999999.00"}, 422),
            (
                "post",
                "/api/v1/capital-injections",
                inj | {"injected_on": (date.today() + timedelta(days=1)).isoformat()},
                422,
            ),
            ("post", "/api/v1/capital-injections", inj | {"amount": "0"}, 422),
            ("post", "/api/v1/capital-injections", inj | {"source": "lottery"}, 422),
            ("post", "/api/v1/capital-injections", inj | {"company_id": str(uuid4())}, 404),
            ("post", "/api/v1/capital-injections", inj | {"county_code": "159999"}, 422),
            (
                "post",
                "/api/v1/capital-injections",
                inj | {"source": "regional_special_fund", "amount": "2000000.00"},
                409,
            ),
            ("put", "/api/v1/divisions/counties/999999/fiscal-revenue/2025", {"fiscal_revenue": "1.00"}, 422),
            ("put", "/api/v1/divisions/counties/150102/fiscal-revenue/1800", {"fiscal_revenue": "1.00"}, 422),
            ("put", "/api/v1/divisions/zones/Z1/annual-sales/2025", {"annual_sales": "1.00"}, 404),
            (
                "put",
                "/api/v1/divisions/zones/Z1",
                {"name": "z", "league_code": "150100", "county_code": "150202"},
                422,
            ),
            ("post", "/api/v1/guarantees", gbody | {"guarantor_share": "120"}, 422),
            ("get", "/api/v1/coverage?year=abc", None, 422),
            ("get", "/api/v1/guarantee-companies?limit=100000", None, 422),
        ]
        for method, path, body, expected in bad:
            r = await c.request(method, path, json=body, headers=OFFICE)
            assert r.status_code == expected, (method, path, body, r.status_code, r.text)
            assert "detail" in r.json()
        r = await c.post(
            "/api/v1/guarantee-companies",
            content=b"{not json",
            headers=OFFICE | {"content-type": "application/json"},
        )
        assert r.status_code == 422


async def test_csv_uploads_are_all_or_nothing_and_feed_coverage(infra: Infra, topic_prefix: str) -> None:
    """CSV uploads: all rows or none, with line numbers; the figures drive coverage (A1 is short of 100M)."""
    async with _with_company(infra, topic_prefix) as (svc, _company):
        c = svc.client
        csv_ok = "county_code,year,fiscal_revenue\n150202,2025,5600000000.00\n150203,2025,1000.00\n"
        r = await c.post(
            "/api/v1/divisions/fiscal-revenues/import",
            content=csv_ok.encode(),
            headers=OFFICE | {"content-type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"rows": 2}
        csv_bad = "county_code,year,fiscal_revenue\n150202,2025,abc\n999999,2025,1\n"
        r = await c.post(
            "/api/v1/divisions/fiscal-revenues/import",
            content=csv_bad.encode(),
            headers=OFFICE | {"content-type": "text/csv"},
        )
        assert r.status_code == 422, r.text
        assert {d["line"] for d in r.json()["details"]} == {2, 3}
        r = await c.post(
            "/api/v1/divisions/fiscal-revenues/import",
            content=b"a,b\n1,2\n",
            headers=OFFICE | {"content-type": "text/csv"},
        )
        assert r.status_code == 422
        zones = "zone_code,name,league_code,county_code,year,annual_sales\nBT-HZ,包头高新区,150200,,2025,12000000000\n"
        r = await c.post(
            "/api/v1/divisions/zones/import",
            content=zones.encode(),
            headers=OFFICE | {"content-type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        cov = (await c.get("/api/v1/coverage?year=2025", headers=OFFICE)).json()
        east = next(o for o in cov["counties"] if o["code"] == "150202")
        assert east["obligated"]
        assert not east["compliant"]
        assert Decimal(east["shortfall"]) == 90 * M
        assert next(o for o in cov["counties"] if o["code"] == "150203")["obligated"] is False
        assert next(o for o in cov["zones"] if o["code"] == "BT-HZ")["compliant"] is False
        assert next(lg for lg in cov["leagues"] if lg["code"] == "150200")["status"] == "unmet"


async def test_concurrent_requests_never_exceed_capacity(infra: Infra, topic_prefix: str) -> None:
    # Leverage 1x net assets and one client up to 100%: ten 100k liabilities fit in 1M, no more.
    async with run_service(
        create_app,
        Settings,
        MIGRATIONS,
        infra,
        topic_prefix=topic_prefix,
        leverage_multiple=Decimal("1"),
        single_client_ratio=Decimal("1"),
        relay_enabled=False,
    ) as svc:
        c = svc.client
        r = await c.post(
            "/api/v1/guarantee-companies",
            json=company_body("K1", "150402", "1000000", "1000000"),
            headers=OFFICE,
        )
        cid = r.json()["id"]

        async def ask(i: int) -> str:
            uscc = make_uscc("150402", f"K{i:03d}")
            known = await known_offer(svc, cid, "125000.00", uscc=uscc)
            body = {
                "company_id": cid,
                "offer_id": str(known.offer_id),
                "uscc": uscc,
                "bank_org_id": "bank-1",
                "amount": "125000.00",
            }
            resp = await c.post("/api/v1/guarantees", json=body, headers=OFFICE)
            assert resp.status_code == 201, resp.text
            return str(resp.json()["status"])

        outcomes = await asyncio.gather(*(ask(i) for i in range(16)))
        assert outcomes.count("issued") == 10
        assert outcomes.count("refused") == 6
        company = (await c.get(f"/api/v1/guarantee-companies/{cid}", headers=OFFICE)).json()
        assert company["capacity"]["outstanding"] == "1000000.00"
        assert company["capacity"]["remaining"] == "0.00"
