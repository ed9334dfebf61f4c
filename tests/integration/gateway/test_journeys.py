"""Journeys through the gateway only: a bank's system with API keys, an SME with a password login;
and every refusal of the issue's 'bad input and attacks' list."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from smefin.auth import Principal, Role, issue_internal_token
from smefin.reference import make_uscc
from smefin.settings import DEV_SECRET
from tests.e2e.journey import enterprise_body, ok, product_body
from tests.integration.gateway.door import door
from tests.support.infra import Infra
from tests.support.services import eventually

SME_USCC = make_uscc("150602", "GWJRN0001")
OTHER_USCC = make_uscc("150102", "GWJRN0002")


async def sign_up_and_log_in(gw: Any, uscc: str, email: str) -> dict[str, str]:
    ok(
        await gw.client.post(
            "/api/v1/signup",
            json={
                "uscc": uscc,
                "enterprise_name": f"企业{uscc[-4:]}",
                "email": email,
                "display_name": "负责人",
                "password": "a-long-sme-password",
            },
        ),
        201,
    )
    return dict(await gw.login(email, "a-long-sme-password"))


async def test_bank_with_api_key_and_sme_with_password_through_the_gateway_only(
    infra: Infra, topic_prefix: str
) -> None:
    async with door(infra, topic_prefix, services=("credit_info", "loan_matching")) as gw:
        c = gw.client
        office = await gw.office()
        bank_a = await gw.create_org(office, "bank", "bank-a", org_id="bank-a")
        bank_b = await gw.create_org(office, "bank", "bank-b", org_id="bank-b")
        key_a = (await gw.api_key(bank_a["admin_headers"], ["lending:write", "credit:read"]))["headers"]
        key_b = (await gw.api_key(bank_b["admin_headers"], ["lending:write"]))["headers"]
        read_only_a = (await gw.api_key(bank_a["admin_headers"], ["lending:read"]))["headers"]

        # The SME signs up, logs in and registers its enterprise, retried safely with an Idempotency-Key.
        sme = await sign_up_and_log_in(gw, SME_USCC, "cfo@sme.example")
        body = enterprise_body(SME_USCC, "鄂尔多斯绒纺有限公司", "150602")
        keyed = sme | {"Idempotency-Key": "register-enterprise-0001"}
        first = ok(await c.post("/api/v1/enterprises", json=body, headers=keyed), 201)
        replay = await c.post("/api/v1/enterprises", json=body, headers=keyed)
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == first
        other_body = await c.post("/api/v1/enterprises", json=body | {"employees": 61}, headers=keyed)
        assert other_body.status_code == 422
        assert "different request" in other_body.json()["detail"]
        malformed = await c.post(
            "/api/v1/enterprises", json=body, headers=sme | {"Idempotency-Key": "bad key!"}
        )
        assert malformed.status_code == 422
        assert "Idempotency-Key must be" in malformed.json()["detail"]
        office_audit = ok(
            await c.get("/api/v1/audit-events", params={"kind": "call.refused"}, headers=office)
        )
        refused_keys = [e for e in office_audit["items"] if e["org_id"] == SME_USCC and e["status"] == 422]
        assert len(refused_keys) == 2
        assert {e["path"] for e in refused_keys} == {"/api/v1/enterprises"}
        # Without the key the service itself refuses the duplicate: the replay did not act twice.
        assert (await c.post("/api/v1/enterprises", json=body, headers=sme)).status_code == 409

        # Bank A's system publishes a credit-only product; a read-only key cannot, and nothing is created.
        refused = await c.post(
            "/api/v1/products", json=product_body("只读", "credit_only"), headers=read_only_a
        )
        assert refused.status_code == 403
        assert "lending:write" in refused.json()["detail"]
        product = ok(
            await c.post("/api/v1/products", json=product_body("信用贷", "credit_only"), headers=key_a), 201
        )
        assert product["bank_org_id"] == "bank-a"
        ok(await c.post(f"/api/v1/products/{product['id']}/publish", headers=key_a))
        mine = ok(await c.get("/api/v1/products", headers=read_only_a))
        items = mine["items"] if isinstance(mine, dict) else mine
        assert [p["name"] for p in items if p["bank_org_id"] == "bank-a"] == ["信用贷"]

        # The SME asks for financing (once loan-matching has heard of it over the broker).
        request_body = {"amount": "300000.00", "term_months": 12, "purpose": "羊绒收购流动资金"}

        async def submitted() -> Any:
            r = await c.post("/api/v1/financing-requests", json=request_body, headers=sme)
            return r.json() if r.status_code == 201 else None

        request = await eventually(submitted)

        async def matched() -> Any:
            rows = ok(await c.get("/api/v1/matches", headers=key_a))
            return rows[0] if rows else None

        match = await eventually(matched)
        assert match["product_id"] == product["id"]
        # Bank B's key is for bank B's objects: bank A's match does not exist for it.
        assert (await c.get(f"/api/v1/matches/{match['id']}", headers=key_b)).status_code == 404
        assert (
            await c.post(f"/api/v1/matches/{match['id']}/offer", json={}, headers=key_b)
        ).status_code == 404

        offer = ok(await c.post(f"/api/v1/matches/{match['id']}/offer", json={}, headers=key_a), 201)
        accepted = ok(await c.post(f"/api/v1/offers/{offer['id']}/accept", headers=sme))
        assert accepted["status"] == "accepted", accepted
        loan = ok(await c.post("/api/v1/loans", json={"offer_id": offer["id"]}, headers=key_a), 201)
        ok(await c.post(f"/api/v1/loans/{loan['id']}/repaid", headers=key_a))
        assert ok(await c.get(f"/api/v1/financing-requests/{request['id']}", headers=sme))["status"] in (
            "disbursed",
            "repaid",
        )

        # Another SME's login is refused the first SME's enterprise and request.
        other = await sign_up_and_log_in(gw, OTHER_USCC, "boss@other.example")
        assert (await c.get(f"/api/v1/enterprises/{SME_USCC}", headers=other)).status_code == 403
        assert (await c.get(f"/api/v1/financing-requests/{request['id']}", headers=other)).status_code == 404
        # Bank A's key reads the credit report only with the SME's consent (the service decides).
        assert (await c.get(f"/api/v1/credit-reports/{SME_USCC}", headers=key_a)).status_code == 403

        # The refusals were recorded: bank A's admin sees its own, with when and from where.
        audit = ok(
            await c.get(
                "/api/v1/audit-events", params={"kind": "call.refused"}, headers=bank_a["admin_headers"]
            )
        )
        paths = {(e["path"], e["status"]) for e in audit["items"]}
        assert ("/api/v1/products", 403) in paths
        assert (f"/api/v1/credit-reports/{SME_USCC}", 403) in paths
        assert all(e["client_ip"] and e["at"] for e in audit["items"])


async def test_forged_or_expired_internal_tokens_straight_at_a_service_are_refused(
    infra: Infra, topic_prefix: str
) -> None:
    async with door(infra, topic_prefix, services=("loan_matching",)) as gw:
        service = gw.services["loan-matching"]
        who = Principal(subject="attacker", role=Role.OFFICE, org_id="office-nm")
        forged = issue_internal_token(who, "not-the-secret-but-long-enough-to-sign-with")
        r = await service.get("/api/v1/products", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401
        assert "invalid internal token" in r.json()["detail"]
        expired = issue_internal_token(who, DEV_SECRET, ttl=timedelta(seconds=-5))
        r = await service.get("/api/v1/products", headers={"Authorization": f"Bearer {expired}"})
        assert r.status_code == 401
        assert "expired" in r.json()["detail"].lower()
        # Nor does the gateway accept internal tokens from outside (operator tokens are off by default).
        good = issue_internal_token(who, DEV_SECRET)
        r = await gw.client.get("/api/v1/products", headers={"Authorization": f"Bearer {good}"})
        assert r.status_code == 401
        assert "not accepted at the gateway" in r.json()["detail"]
        # And a caller's own Authorization never reaches a service: the gateway signs its own.
        office = await gw.office()
        seen: list[str] = []
        original = gw.app.state.forwarder.headers_for

        def spy(request: Any, caller: Any) -> dict[str, str]:
            headers: dict[str, str] = original(request, caller)
            seen.append(headers["authorization"])
            return headers

        gw.app.state.forwarder.headers_for = spy
        ok(await gw.client.get("/api/v1/products", headers=office | {"Cookie": "smefin_session=x"}))
        assert seen
        assert seen[0] != office["Authorization"]
        assert seen[0].startswith("Bearer ey")


async def test_rate_limits_answer_429_with_retry_after(infra: Infra, topic_prefix: str) -> None:
    async with door(
        infra, topic_prefix, services=(), rate_limit_per_credential="3/minute", rate_limit_login="4/minute"
    ) as gw:
        office = await gw.office()
        codes = [(await gw.client.get("/api/v1/products", headers=office)).status_code for _ in range(4)]
        assert codes[:3] == [503, 503, 503]  # through the door (no service runs here)
        assert codes[3] == 429
        r = await gw.client.get("/api/v1/products", headers=office)
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= 60
        assert "rate limit" in r.json()["detail"]
        # Logins per address: the fifth within the minute is refused before any password is checked.
        for _ in range(3):
            await gw.client.post("/api/v1/auth/login", json={"email": "x@x.example", "password": "y"})
        r = await gw.client.post("/api/v1/auth/login", json={"email": "x@x.example", "password": "y"})
        assert r.status_code == 429
        assert "Retry-After" in r.headers


async def test_request_size_limit_and_security_headers_on_forwarded_calls(
    infra: Infra, topic_prefix: str
) -> None:
    async with door(infra, topic_prefix, services=(), max_body_bytes=2048) as gw:
        office = await gw.office()
        big = await gw.client.post(
            "/api/v1/products",
            content=b"{" + b" " * 4096 + b"}",
            headers=office | {"content-type": "application/json"},
        )
        assert big.status_code == 413
        assert "limit" in big.json()["detail"]
        r = await gw.client.get("/api/v1/products", headers=office)
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
        assert isinstance(r, httpx.Response)


async def test_concurrent_retries_with_one_idempotency_key_act_once(infra: Infra, topic_prefix: str) -> None:
    async with door(infra, topic_prefix, services=("credit_info",)) as gw:
        uscc = make_uscc("150602", "GWJRN0003")
        sme = await sign_up_and_log_in(gw, uscc, "race@sme.example")
        body = enterprise_body(uscc, "并发测试企业", "150602")
        keyed = sme | {"Idempotency-Key": "race-0000000001"}
        answers = await asyncio.gather(
            *(gw.client.post("/api/v1/enterprises", json=body, headers=keyed) for _ in range(4))
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses.count(201) >= 1, [r.text for r in answers]
        assert set(statuses) <= {201, 409}
        for r in answers:
            if r.status_code == 409:  # the gateway's "in progress", never the service's duplicate
                assert "still being processed" in r.json()["detail"], r.text
        # Once settled, the key replays the one registration.
        again = await gw.client.post("/api/v1/enterprises", json=body, headers=keyed)
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"


async def test_rate_limits_stay_open_when_redis_is_away() -> None:
    from gateway.protection import RateLimits

    limits = RateLimits({"credential": "1/minute"}, "redis://127.0.0.1:9/0")
    for _ in range(3):
        await limits.hit("credential", "key:x")  # no 429 and no 500: logged, let through
