"""`make run`'s demo logins: made through the gateway's own API, repeatable, and they work."""

from __future__ import annotations

import httpx
from smefin_dev import demo

from gateway.bootstrap import bootstrap_office
from tests.integration.gateway.door import door
from tests.support.infra import Infra


async def test_demo_logins_are_repeatable_and_usable(infra: Infra, topic_prefix: str) -> None:
    async with door(infra, topic_prefix, services=()) as gw:
        url = gw.app.state.settings.database_url
        assert await bootstrap_office(url, email=demo.DEMO_OFFICE_EMAIL, password="x" * 20) is False  # exists
        # The door fixture bootstrapped its own office admin; the demo one is added beside it.
        office = await gw.office()
        r = await gw.client.post(
            "/api/v1/organisations/office-nm/users",
            json={"email": demo.DEMO_OFFICE_EMAIL, "display_name": "demo", "is_admin": True},
            headers=office,
        )
        token = r.json()["invitation_token"]
        await gw.client.post(
            "/api/v1/invitations/accept",
            json={"invitation_token": token, "password": demo.DEMO_OFFICE_PASSWORD},
        )
        transport = httpx.ASGITransport(app=gw.app)
        first = await demo.demo_logins("http://gw", enterprises=50, transport=transport)
        second = await demo.demo_logins("http://gw", enterprises=50, transport=transport)
        assert first.bank_api_key != second.bank_api_key
        for key in (first.bank_api_key, second.bank_api_key):  # two live keys: rotation without downtime
            me = await gw.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
            assert me.json()["org_id"] == "bank-icbc-nm"
        third = await demo.demo_logins("http://gw", enterprises=50, transport=transport)
        gone = await gw.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {first.bank_api_key}"}
        )
        assert gone.status_code == 401  # the oldest was revoked to make room
        sme = await gw.login(third.sme_email, third.sme_password)
        me = (await gw.client.get("/api/v1/auth/me", headers=sme)).json()
        assert me["uscc"] == third.sme_uscc == demo.enterprise_bodies(50)[0]["uscc"]
        # The guarantor owns the demo's Ordos company; the organizer runs the demo's Ordos fair.
        assert third.guarantor_org_id == demo.demo_guarantor().body["owner_org_id"] == first.guarantor_org_id
        for email, password, role, org in (
            (third.guarantor_email, third.guarantor_password, "guarantor", third.guarantor_org_id),
            (third.organizer_email, third.organizer_password, "organizer", "organizer-150600"),
        ):
            who = (await gw.client.get("/api/v1/auth/me", headers=await gw.login(email, password))).json()
            assert (who["role"], who["org_id"]) == (role, org)
