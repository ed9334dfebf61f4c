"""A guarantee stands only on a real accepted offer; a company's own approval where its rules want one;
a guarantee issued in error can be cancelled, with its event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx

from guarantee_registry.main import MIGRATIONS, create_app
from guarantee_registry.settings import Settings
from smefin.contracts.financing import OfferMade
from tests.integration.guarantee_registry.test_guarantee_flow import (
    BANK,
    CLIENT_1,
    CLIENT_2,
    GUARANTOR,
    OFFICE,
    OTHER_GUARANTOR,
    broker,
    company_body,
    guarantee_of,
    known_offer,
    offer,
)
from tests.support.infra import Infra
from tests.support.services import bearer, eventually, run_service

OTHER_BANK = bearer("bank", "bank-9")


async def new_company(c: httpx.AsyncClient, serial: str, who: dict[str, str], **extra: Any) -> str:
    """A company of 100M registered capital and 50M net assets, owned by `who`; its id."""
    r = await c.post(
        "/api/v1/guarantee-companies",
        json=company_body(serial, "150202", "100000000", "50000000", **extra),
        headers=who,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def ask(company_id: str, offer_id: str, amount: str = "100000.00", uscc: str = CLIENT_1) -> dict[str, str]:
    return {
        "company_id": company_id,
        "offer_id": offer_id,
        "uscc": uscc,
        "bank_org_id": "bank-1",
        "amount": amount,
    }


async def test_a_guarantee_for_an_offer_nobody_made_is_refused_and_nothing_changes(
    infra: Infra, topic_prefix: str
) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        cid = await new_company(c, "J1", GUARANTOR)
        r = await c.post("/api/v1/guarantees", json=ask(cid, str(uuid4()), "1000000.00"), headers=BANK)
        assert r.status_code == 409, r.text
        assert "not known" in r.json()["detail"]
        assert r.json()["details"]["reason_code"] == "offer_unknown"
        company = (await c.get(f"/api/v1/guarantee-companies/{cid}", headers=OFFICE)).json()
        assert company["capacity"]["outstanding"] == "0.00"
        assert (await c.get("/api/v1/guarantees", headers=OFFICE)).json()["total"] == 0


async def test_a_direct_request_must_fit_the_offer(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        cid = await new_company(c, "J2", GUARANTOR)
        other = await new_company(c, "J3", OTHER_GUARANTOR)
        known = await known_offer(svc, cid, "200000.00")
        oid = str(known.offer_id)
        # Another bank naming itself: the offer is not its own.
        r = await c.post(
            "/api/v1/guarantees", json=ask(cid, oid) | {"bank_org_id": "bank-9"}, headers=OTHER_BANK
        )
        assert r.status_code == 403, r.text
        # Another SME than the offer's.
        r = await c.post("/api/v1/guarantees", json=ask(cid, oid, uscc=CLIENT_2), headers=BANK)
        assert r.status_code == 422
        assert CLIENT_1 in r.json()["detail"]
        # A company the offer's product does not accept.
        r = await c.post("/api/v1/guarantees", json=ask(other, oid), headers=BANK)
        assert r.status_code == 422
        assert "does not accept" in r.json()["detail"]
        # More than the offer.
        r = await c.post("/api/v1/guarantees", json=ask(cid, oid, "200000.01"), headers=BANK)
        assert r.status_code == 422
        assert "exceeds" in r.json()["detail"]
        assert (await c.get("/api/v1/guarantees", headers=OFFICE)).json()["total"] == 0
        # The offer as made fits: issued.
        r = await c.post("/api/v1/guarantees", json=ask(cid, oid, "200000.00"), headers=BANK)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "issued"
        assert r.json()["request_id"] == str(known.request_id)


async def test_an_offer_only_made_is_not_guaranteed_until_accepted(infra: Infra, topic_prefix: str) -> None:
    async with (
        broker(infra, topic_prefix) as b,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc,
    ):
        c = svc.client
        cid = await new_company(c, "J4", GUARANTOR)
        accepted = offer([cid], "300000.00")
        made = OfferMade(**accepted.model_dump())
        await b.publish(made, str(accepted.request_id))

        async def refused_as_not_accepted() -> bool:
            r = await c.post(
                "/api/v1/guarantees", json=ask(cid, str(made.offer_id), "300000.00"), headers=BANK
            )
            return r.status_code == 409 and "is made, not accepted" in r.json()["detail"]

        assert await eventually(refused_as_not_accepted, timeout=20)
        await b.publish(accepted, str(accepted.request_id))
        issued = await b.wait_for("guarantee.issued", offer_id=str(accepted.offer_id))
        assert issued["amount"] == "300000.00"
        # A late offer.made does not take the acceptance back: a repeated request answers the issued one.
        await b.publish(made, str(accepted.request_id))
        r = await c.post("/api/v1/guarantees", json=ask(cid, str(made.offer_id), "300000.00"), headers=BANK)
        assert r.status_code == 201
        assert r.json()["status"] == "issued"


async def test_a_company_that_approves_each_guarantee_holds_it_until_it_says_yes(
    infra: Infra, topic_prefix: str
) -> None:
    async with (
        broker(infra, topic_prefix) as b,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc,
    ):
        c = svc.client
        cid = await new_company(c, "J5", GUARANTOR, approval_required=True)
        first, second = offer([cid], "400000.00"), offer([cid], "500000.00", uscc=CLIENT_2)
        for o in (first, second):
            await b.publish(o, str(o.request_id))
        held = await eventually(lambda: guarantee_of(c, first.offer_id, "pending_approval"), timeout=20)
        held2 = await eventually(lambda: guarantee_of(c, second.offer_id, "pending_approval"), timeout=20)
        assert held["liability"] == "0.00"
        assert "approve" in held["reason"]
        company = (await c.get(f"/api/v1/guarantee-companies/{cid}", headers=OFFICE)).json()
        assert company["capacity"]["outstanding"] == "0.00"
        assert not b.of("guarantee.issued", offer_id=str(first.offer_id))
        # Nobody but the company's own guarantor (or the office) approves.
        for who in (BANK, OTHER_GUARANTOR):
            assert (await c.post(f"/api/v1/guarantees/{held['id']}/approve", headers=who)).status_code == 404
        r = await c.post(f"/api/v1/guarantees/{held['id']}/approve", headers=GUARANTOR)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "issued"
        assert (await b.wait_for("guarantee.issued", offer_id=str(first.offer_id)))["amount"] == "400000.00"
        again = await c.post(f"/api/v1/guarantees/{held['id']}/approve", headers=GUARANTOR)
        assert again.status_code == 409
        # Declined with a reason: refused, and loan-matching hears why.
        r = await c.post(
            f"/api/v1/guarantees/{held2['id']}/decline",
            json={"reason": "collateral too thin"},
            headers=GUARANTOR,
        )
        assert r.status_code == 200
        assert r.json()["status"] == "refused"
        refused = await b.wait_for("guarantee.refused", offer_id=str(second.offer_id))
        assert refused["reason_code"] == "declined_by_guarantor"
        assert "collateral too thin" in refused["reason"]


async def test_a_guarantee_issued_in_error_is_cancelled_by_its_guarantor(
    infra: Infra, topic_prefix: str
) -> None:
    async with (
        broker(infra, topic_prefix) as b,
        run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc,
    ):
        c = svc.client
        cid = await new_company(c, "J6", GUARANTOR)
        o = offer([cid], "1000000.00")
        await b.publish(o, str(o.request_id))
        g = await eventually(lambda: guarantee_of(c, o.offer_id, "issued"), timeout=20)
        company = (await c.get(f"/api/v1/guarantee-companies/{cid}", headers=OFFICE)).json()
        assert Decimal(company["capacity"]["outstanding"]) == Decimal(g["liability"]) > 0
        reason = {"reason": "issued for the wrong offer"}
        for who in (BANK, OTHER_GUARANTOR, bearer("sme", "sme-1", CLIENT_1)):
            assert (
                await c.post(f"/api/v1/guarantees/{g['id']}/cancel", json=reason, headers=who)
            ).status_code == 404
        assert (
            await c.post(f"/api/v1/guarantees/{g['id']}/cancel", json={"reason": ""}, headers=GUARANTOR)
        ).status_code == 422
        r = await c.post(f"/api/v1/guarantees/{g['id']}/cancel", json=reason, headers=GUARANTOR)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "cancelled"
        assert "wrong offer" in r.json()["reason"]
        cancelled = await b.wait_for("guarantee.cancelled", guarantee_id=g["id"])
        assert cancelled["reason"] == "issued for the wrong offer"
        assert cancelled["cancelled_by"] == "gco-1"
        company = (await c.get(f"/api/v1/guarantee-companies/{cid}", headers=OFFICE)).json()
        assert company["capacity"]["outstanding"] == "0.00"
        history = (await c.get(f"/api/v1/guarantee-companies/{cid}/history", headers=GUARANTOR)).json()
        assert history[0]["action"] == "guarantee_cancelled"
        assert (
            await c.post(f"/api/v1/guarantees/{g['id']}/cancel", json=reason, headers=OFFICE)
        ).status_code == 409
