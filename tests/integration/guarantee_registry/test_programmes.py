"""Re-guarantee (再担保) and the risk-compensation funds over the broker, one step per test in order:
a cession frees a guarantor's capacity and shares a claim; a small or micro client's claim draws the 2013
fund, which never goes below zero; the office tops a fund up; the refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from guarantee_registry.main import MIGRATIONS, create_app
from guarantee_registry.settings import Settings
from smefin.contracts.financing import LoanDefaulted, LoanRepaid
from smefin.reference import make_uscc
from tests.integration.guarantee_registry.test_guarantee_flow import Broker, broker, company_body, offer
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

OFFICE = bearer("office", "office-1")
GUARANTOR = bearer("guarantor", "gco-a")
REGUARANTOR = bearer("guarantor", "nm-reguarantee")
STRANGER = bearer("guarantor", "gco-z")
BANK = bearer("bank", "bank-1")
CLIENT = make_uscc("150102", "PG1")
SMALL_FUND = Decimal("150000")  # small enough to run out within this module


@dataclass
class Books:
    """The running registry and broker, and what earlier steps learnt."""

    c: httpx.AsyncClient
    bus: Broker
    ids: dict[str, str] = field(default_factory=dict)

    async def capacity(self, company: str) -> dict[str, Any]:
        r = await self.c.get(f"/api/v1/guarantee-companies/{self.ids[company]}", headers=BANK)
        assert r.status_code == 200, r.text
        return dict(r.json()["capacity"])

    async def guarantee(self, name: str, amount: str, **extra: Any) -> dict[str, Any]:
        """Publish an accepted guaranteed offer to the company and wait for the registry's answer."""
        o = offer([self.ids["company"]], amount, uscc=CLIENT, **extra)
        self.ids[f"offer:{name}"] = str(o.offer_id)
        await self.bus.publish(o, str(o.offer_id))

        def answered() -> dict[str, Any] | None:
            issued = self.bus.of("guarantee.issued", offer_id=str(o.offer_id))
            refused = self.bus.of("guarantee.refused", offer_id=str(o.offer_id))
            if not issued and not refused:
                return None
            return {"issued": issued[-1] if issued else None, "refused": refused[-1] if refused else None}

        return dict(await eventually(answered, timeout=20))

    async def default(self, name: str, principal: str) -> dict[str, Any]:
        loan = uuid4()
        event = LoanDefaulted(
            loan_id=loan,
            offer_id=UUID(self.ids[f"offer:{name}"]),
            uscc=CLIENT,
            bank_org_id="bank-1",
            amount=Decimal(principal),
        )
        await self.bus.publish(event, str(loan))
        return await self.bus.wait_for("guarantee.claimed", offer_id=self.ids[f"offer:{name}"])

    async def fund(self, name: str) -> dict[str, Any]:
        funds = (await self.c.get("/api/v1/compensation-funds", headers=OFFICE)).json()
        return dict(next(f for f in funds if f["fund"] == name))


@pytest.fixture(scope="module")
async def books(infra: Infra, module_topic_prefix: str) -> AsyncIterator[Books]:
    async with (
        broker(infra, module_topic_prefix) as bus,
        run_service(
            create_app,
            Settings,
            MIGRATIONS,
            infra,
            topic_prefix=module_topic_prefix,
            small_micro_fund_total=SMALL_FUND,
        ) as svc,
    ):
        b = Books(svc.client, bus)
        # A county company with 10M of net assets (one client ≤ 1M of liability) and a regional
        # re-guarantor with 100M.
        for key, body, who in (
            ("company", company_body("PA", "150102", "100000000", "10000000"), GUARANTOR),
            ("reguarantor", company_body("PR", "150102", "500000000", "100000000"), REGUARANTOR),
        ):
            r = await svc.client.post("/api/v1/guarantee-companies", json=body, headers=who)
            assert r.status_code == 201, r.text
            b.ids[key] = r.json()["id"]
        yield b


async def test_without_a_re_guarantee_a_2m_loan_breaks_the_single_client_limit(books: Books) -> None:
    result = await books.guarantee("alone", "2000000")  # 1.6M of liability > 1M for one client
    assert result["refused"] is not None
    assert result["refused"]["reason_code"] == "single_client_limit"


async def test_only_the_office_or_the_re_guarantor_signs_and_only_within_bounds(books: Books) -> None:
    body = {"company_id": books.ids["company"], "reguarantor_id": books.ids["reguarantor"], "share": "50"}
    refused = await books.c.post("/api/v1/reguarantee-agreements", json=body, headers=STRANGER)
    assert refused.status_code == 403
    too_much = await books.c.post(
        "/api/v1/reguarantee-agreements", json=body | {"share": "95"}, headers=OFFICE
    )
    assert too_much.status_code == 422
    assert "at most 90" in too_much.json()["detail"]
    itself = body | {"reguarantor_id": books.ids["company"]}
    assert (
        await books.c.post("/api/v1/reguarantee-agreements", json=itself, headers=OFFICE)
    ).status_code == 422
    r = await books.c.post("/api/v1/reguarantee-agreements", json=body, headers=REGUARANTOR)
    assert r.status_code == 201, r.text
    books.ids["agreement"] = r.json()["id"]
    again = await books.c.post("/api/v1/reguarantee-agreements", json=body, headers=OFFICE)
    assert again.status_code == 409


async def test_each_party_sees_its_agreements_and_a_stranger_none(books: Books) -> None:
    for who in (GUARANTOR, REGUARANTOR, OFFICE):
        listed = (await books.c.get("/api/v1/reguarantee-agreements", headers=who)).json()
        assert [a["id"] for a in listed] == [books.ids["agreement"]]
    assert (await books.c.get("/api/v1/reguarantee-agreements", headers=STRANGER)).json() == []
    assert (await books.c.get("/api/v1/reguarantee-agreements", headers=BANK)).status_code == 403


async def test_the_cession_frees_capacity_and_the_same_loan_is_guaranteed(books: Books) -> None:
    result = await books.guarantee("ceded", "2000000", size_class="small")
    issued = result["issued"]
    assert issued is not None, result
    assert Decimal(issued["ceded_liability"]) == Decimal("800000")
    assert issued["reguarantor_id"] == books.ids["reguarantor"]
    await books.bus.wait_for("capacity.changed", company_id=books.ids["company"], outstanding="800000.00")
    await books.bus.wait_for("capacity.changed", company_id=books.ids["reguarantor"], outstanding="800000.00")


async def test_the_capacity_views_show_both_sides(books: Books) -> None:
    own = await books.capacity("company")
    assert (own["outstanding"], own["ceded_liability"], own["reguarantee_share"]) == (
        "800000.00",
        "800000.00",
        "50.0000",
    )
    theirs = await books.capacity("reguarantor")
    assert (theirs["outstanding"], theirs["assumed_liability"]) == ("800000.00", "800000.00")


async def test_a_small_client_s_default_is_shared_and_draws_the_2013_fund(books: Books) -> None:
    claimed = await books.default("ceded", "1000000")
    # 80% of 1M is 800k: the re-guarantor pays its 50%, the guarantor 400k, of which the fund pays 30%.
    assert Decimal(claimed["guarantor_paid"]) == Decimal("800000")
    assert Decimal(claimed["reguarantor_paid"]) == Decimal("400000")
    assert Decimal(claimed["risk_compensation"]) == Decimal("120000")
    assert claimed["compensation_fund"] == "small_micro_guaranteed"
    fund = await books.fund("small_micro_guaranteed")
    assert Decimal(fund["balance"]) == SMALL_FUND - Decimal("120000")
    # Both books are clear again, and each lost its own part of the payment.
    await books.bus.wait_for("capacity.changed", company_id=books.ids["company"], net_assets="9720000.00")
    await books.bus.wait_for(
        "capacity.changed", company_id=books.ids["reguarantor"], net_assets="99600000.00"
    )


async def test_a_fund_never_pays_more_than_it_holds(books: Books) -> None:
    second = await books.guarantee("second", "1000000", size_class="micro")
    assert second["issued"] is not None, second
    claimed = await books.default("second", "1000000")
    # 800k paid, 400k the guarantor's own: 30% would be 120k but only 30k is left.
    assert Decimal(claimed["risk_compensation"]) == Decimal("30000")
    assert Decimal((await books.fund("small_micro_guaranteed"))["balance"]) == 0
    third = await books.guarantee("third", "500000", size_class="small")
    assert third["issued"] is not None, third
    assert Decimal((await books.default("third", "500000"))["risk_compensation"]) == 0


async def test_the_office_tops_a_fund_up_and_the_ledger_shows_every_line(books: Books) -> None:
    path = "/api/v1/compensation-funds/small_micro_guaranteed"
    top_up = {"amount": "2000000.00", "year": 2026, "note": "2026 budget"}
    assert (await books.c.post(f"{path}/appropriations", json=top_up, headers=GUARANTOR)).status_code == 403
    bad = top_up | {"amount": "-5.00"}
    assert (await books.c.post(f"{path}/appropriations", json=bad, headers=OFFICE)).status_code == 422
    unknown = "/api/v1/compensation-funds/lottery/appropriations"
    assert (await books.c.post(unknown, json=top_up, headers=OFFICE)).status_code == 422
    r = await books.c.post(f"{path}/appropriations", json=top_up, headers=OFFICE)
    assert r.status_code == 201, r.text
    assert Decimal(r.json()["balance"]) == Decimal("2000000")
    ledger = (await books.c.get(f"{path}/entries", headers=OFFICE)).json()
    assert [(e["kind"], e["amount"]) for e in ledger["items"]] == [
        ("appropriation", "2000000.00"),
        ("payout", "30000.00"),
        ("payout", "120000.00"),
    ]
    assert (await books.c.get(f"{path}/entries", headers=BANK)).status_code == 403


async def test_repayment_releases_both_sides_and_an_ended_agreement_cedes_no_more(books: Books) -> None:
    ceded = await books.guarantee("repaid", "1000000", size_class="small")
    assert ceded["issued"] is not None
    assert Decimal(ceded["issued"]["ceded_liability"]) == Decimal("400000")
    loan = uuid4()
    repaid = LoanRepaid(
        loan_id=loan,
        offer_id=UUID(books.ids["offer:repaid"]),
        uscc=CLIENT,
        bank_org_id="bank-1",
        amount=Decimal("1000000"),
    )
    await books.bus.publish(repaid, str(loan))
    await books.bus.wait_for("guarantee.released", offer_id=books.ids["offer:repaid"])
    await books.bus.wait_for("capacity.changed", company_id=books.ids["reguarantor"], outstanding="0.00")
    assert (await books.capacity("company"))["outstanding"] == "0.00"
    stranger = await books.c.post(
        f"/api/v1/reguarantee-agreements/{books.ids['agreement']}/end", headers=STRANGER
    )
    assert stranger.status_code == 403
    ended = await books.c.post(f"/api/v1/reguarantee-agreements/{books.ids['agreement']}/end", headers=OFFICE)
    assert ended.json()["status"] == "ended"
    alone = await books.guarantee("after", "1000000")
    assert alone["issued"] is not None
    assert Decimal(alone["issued"]["ceded_liability"]) == 0
