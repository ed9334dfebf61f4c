"""Accounts at the door: SME signup, password logins with lock-out, sessions, invitations, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from smefin.reference import make_uscc
from tests.integration.gateway.door import OFFICE_EMAIL, OFFICE_PASSWORD, Door, door
from tests.support.infra import Infra

SME_USCC = make_uscc("150602", "GWEM00001")


@pytest.fixture
async def gw(infra: Infra, topic_prefix: str) -> AsyncIterator[Door]:
    async with door(infra, topic_prefix, services=(), max_failed_logins=3) as d:
        yield d


async def sign_up(gw: Door, uscc: str = SME_USCC, email: str = "cfo@rongfang.example") -> Any:
    r = await gw.client.post(
        "/api/v1/signup",
        json={
            "uscc": uscc,
            "enterprise_name": "鄂尔多斯绒纺有限公司",
            "email": email,
            "display_name": "王经理",
            "password": "cashmere-and-wool-2026",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_sme_signs_up_logs_in_and_is_its_enterprise(gw: Door) -> None:
    body = await sign_up(gw)
    assert body["organisation"] == body["organisation"] | {"id": SME_USCC, "kind": "sme", "uscc": SME_USCC}
    assert "password" not in str(body) or "password_hash" not in str(body)

    again = await gw.client.post(
        "/api/v1/signup",
        json={
            "uscc": SME_USCC,
            "enterprise_name": "冒名公司",
            "email": "other@x.example",
            "display_name": "x",
            "password": "another-long-password",
        },
    )
    assert again.status_code == 409
    assert "already has an account" in again.json()["detail"]
    bad = await gw.client.post(
        "/api/v1/signup",
        json={
            "uscc": SME_USCC[:-1] + ("0" if SME_USCC[-1] != "0" else "1"),
            "enterprise_name": "x",
            "email": "bad@x.example",
            "display_name": "x",
            "password": "another-long-password",
        },
    )
    assert bad.status_code == 422
    assert "check character" in bad.json()["detail"]

    login = await gw.client.post(
        "/api/v1/auth/login", json={"email": "CFO@rongfang.example", "password": "cashmere-and-wool-2026"}
    )
    assert login.status_code == 200, login.text
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "smefin_session=" in cookie
    # The browser's cookie works...
    me = await gw.client.get("/api/v1/auth/me")
    assert me.json() | {"subject": ""} == {
        "subject": "",
        "role": "sme",
        "org_id": SME_USCC,
        "uscc": SME_USCC,
        "league_code": None,
        "credential": "session",
        "scopes": None,
        "is_admin": True,
    }
    # A change with the cookie from another site is refused; from our own origin it goes through.
    evil = await gw.client.post(
        "/api/v1/auth/password",
        json={"current_password": "cashmere-and-wool-2026", "new_password": "attacker-chosen-pass"},
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    assert "another site" in evil.json()["detail"]
    same = await gw.client.post(
        "/api/v1/auth/password",
        json={"current_password": "wrong-one-here", "new_password": "attacker-chosen-pass"},
        headers={"Origin": "http://gw"},
    )
    assert same.status_code == 422  # reached the endpoint (and its own check)
    gw.client.cookies.clear()
    # ... and so does the access token a script sends.
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await gw.client.get("/api/v1/auth/me", headers=token)).json()["role"] == "sme"

    # Logout ends it at once.
    assert (await gw.client.post("/api/v1/auth/logout", headers=token)).status_code == 204
    after = await gw.client.get("/api/v1/auth/me", headers=token)
    assert after.status_code == 401
    assert "log in again" in after.json()["detail"]


async def test_wrong_password_is_401_and_repeated_failures_lock_the_account(gw: Door) -> None:
    await sign_up(gw)
    wrong = {"email": "cfo@rongfang.example", "password": "not-the-password"}
    first = await gw.client.post("/api/v1/auth/login", json=wrong)
    assert first.status_code == 401
    assert first.json()["detail"] == "email or password is wrong"
    assert first.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = await gw.client.post("/api/v1/auth/login", json={"email": "nobody@x.example", "password": "x"})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == first.json()["detail"]  # no telling which emails exist
    for _ in range(2):
        last = await gw.client.post("/api/v1/auth/login", json=wrong)
    assert "now locked" in last.json()["detail"]
    right = {"email": "cfo@rongfang.example", "password": "cashmere-and-wool-2026"}
    locked = await gw.client.post("/api/v1/auth/login", json=right)
    assert locked.status_code == 423
    assert "locked" in locked.json()["detail"]

    office = await gw.office()
    audit = (await gw.client.get("/api/v1/audit-events", params={"limit": 20}, headers=office)).json()
    kinds = [e["kind"] for e in audit["items"]]
    assert kinds.count("login.failed") == 4
    assert "login.locked" in kinds
    failed = next(e for e in audit["items"] if e["kind"] == "login.failed")
    assert failed["client_ip"] == "127.0.0.1"
    assert failed["actor"]


async def test_password_change_ends_other_sessions(gw: Door) -> None:
    await sign_up(gw)
    creds = {"email": "cfo@rongfang.example", "password": "cashmere-and-wool-2026"}
    one = await gw.login(**creds)
    two = await gw.login(**creds)
    wrong = await gw.client.post(
        "/api/v1/auth/password",
        json={"current_password": "guess-guess-guess", "new_password": "a-new-long-passphrase"},
        headers=one,
    )
    assert wrong.status_code == 422
    changed = await gw.client.post(
        "/api/v1/auth/password",
        json={"current_password": creds["password"], "new_password": "a-new-long-passphrase"},
        headers=one,
    )
    assert changed.status_code == 204, changed.text
    assert (await gw.client.get("/api/v1/auth/me", headers=one)).status_code == 200
    assert (await gw.client.get("/api/v1/auth/me", headers=two)).status_code == 401
    old = await gw.client.post("/api/v1/auth/login", json=creds)
    assert old.status_code == 401
    await gw.login(creds["email"], "a-new-long-passphrase")


async def test_office_creates_organisations_and_admins_invite_their_users(gw: Door) -> None:
    office = await gw.office()
    bank = await gw.create_org(office, "bank", "bonm", org_id="bank-bonm")
    assert bank["organisation"]["id"] == "bank-bonm"
    admin = bank["admin_headers"]
    me = (await gw.client.get("/api/v1/auth/me", headers=admin)).json()
    assert (me["role"], me["org_id"], me["is_admin"]) == ("bank", "bank-bonm", True)

    invited = await gw.client.post(
        "/api/v1/organisations/bank-bonm/users",
        json={"email": "loans@bonm.example", "display_name": "信贷员"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["invitation_token"]
    # Not yet usable: no password until the invitation is accepted.
    pending = await gw.client.post(
        "/api/v1/auth/login", json={"email": "loans@bonm.example", "password": "x" * 12}
    )
    assert pending.status_code == 401
    accepted = await gw.client.post(
        "/api/v1/invitations/accept", json={"invitation_token": token, "password": "loan-officer-pass"}
    )
    assert accepted.status_code == 200
    reused = await gw.client.post(
        "/api/v1/invitations/accept", json={"invitation_token": token, "password": "loan-officer-pass"}
    )
    assert reused.status_code == 404
    officer = await gw.login("loans@bonm.example", "loan-officer-pass")
    me = (await gw.client.get("/api/v1/auth/me", headers=officer)).json()
    assert (me["org_id"], me["is_admin"]) == ("bank-bonm", False)

    # Refusals: a non-admin invites, an admin invites into another organisation, a bank creates one.
    r = await gw.client.post(
        "/api/v1/organisations/bank-bonm/users",
        json={"email": "a@b.example", "display_name": "x"},
        headers=officer,
    )
    assert r.status_code == 403
    other = await gw.create_org(office, "guarantor", "ordos-guarantee")
    r = await gw.client.post(
        f"/api/v1/organisations/{other['organisation']['id']}/users",
        json={"email": "a@b.example", "display_name": "x"},
        headers=admin,
    )
    assert r.status_code == 404
    r = await gw.client.post(
        "/api/v1/organisations",
        json={"kind": "bank", "name": "fake", "admin_email": "f@f.example", "admin_name": "f"},
        headers=admin,
    )
    assert r.status_code == 403
    assert "financial office" in r.json()["detail"]

    # Nothing is half-created: an organisation whose admin email is taken is not created either.
    r = await gw.client.post(
        "/api/v1/organisations",
        json={
            "kind": "bank",
            "name": "dup",
            "org_id": "bank-dup",
            "admin_email": "loans@bonm.example",
            "admin_name": "x",
        },
        headers=office,
    )
    assert r.status_code == 409
    assert "already exists" in r.json()["detail"]
    assert (await gw.client.get("/api/v1/organisations/bank-dup", headers=office)).status_code == 404

    # A league office needs a real league.
    r = await gw.client.post(
        "/api/v1/organisations",
        json={"kind": "league_office", "name": "x", "admin_email": "l@l.example", "admin_name": "l"},
        headers=office,
    )
    assert r.status_code == 422
    assert "league_code" in r.json()["detail"]
    league = await gw.create_org(office, "league_office", "ordos-office", league_code="150600")
    me = (await gw.client.get("/api/v1/auth/me", headers=league["admin_headers"])).json()
    assert (me["role"], me["league_code"]) == ("league_office", "150600")

    # Audit: the bank admin reads its own organisation's events only; the office reads all.
    own = (await gw.client.get("/api/v1/audit-events", headers=admin)).json()["items"]
    assert own
    assert {e["org_id"] for e in own} == {"bank-bonm"}
    everything = (await gw.client.get("/api/v1/audit-events", params={"limit": 200}, headers=office)).json()
    assert {"bank-bonm", other["organisation"]["id"]} <= {e["org_id"] for e in everything["items"]}
    assert (await gw.client.get("/api/v1/audit-events", headers=officer)).status_code == 403


async def test_private_routes_need_credentials_public_ones_do_not(gw: Door) -> None:
    r = await gw.client.get("/api/v1/products")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="smefin"')
    assert "POST /api/v1/auth/login" in r.json()["detail"]
    for bad in ("Basic abc", "Bearer nonsense", "Bearer a.b.c"):
        r = await gw.client.get("/api/v1/products", headers={"Authorization": bad})
        assert r.status_code == 401, bad
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    leagues = await gw.client.get("/api/v1/reference/leagues")
    assert leagues.status_code == 200
    assert len(leagues.json()) == 12
    for path in ("/healthz", "/docs", "/openapi.json", "/asyncapi.json", "/api/v1"):
        assert (await gw.client.get(path)).status_code == 200, path
    headers = (await gw.client.get("/healthz")).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]  # JSON: no script at all
    docs = (await gw.client.get("/docs")).headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs
    assert "http" not in docs  # nothing from a CDN
    office = await gw.office()
    audit = (
        await gw.client.get("/api/v1/audit-events", params={"kind": "call.refused"}, headers=office)
    ).json()
    refused = audit["items"]
    assert len(refused) >= 4
    assert all(e["path"] == "/api/v1/products" for e in refused)
    assert OFFICE_EMAIL
    assert OFFICE_PASSWORD
