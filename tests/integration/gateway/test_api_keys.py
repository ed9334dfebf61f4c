"""API keys of bank and guarantor systems: shown once, hashed, scoped, expiring, revocable, rotatable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from smefin.db import Database, utcnow
from smefin.reference import make_uscc
from tests.integration.gateway.door import Door, door
from tests.support.infra import Infra


@pytest.fixture
async def gw(infra: Infra, topic_prefix: str) -> AsyncIterator[Door]:
    async with door(infra, topic_prefix, services=()) as d:
        yield d


async def test_key_lifecycle_rotation_and_refusals(gw: Door) -> None:
    office = await gw.office()
    bank = await gw.create_org(office, "bank", "icbc", org_id="bank-icbc-nm")
    admin = bank["admin_headers"]

    first = await gw.api_key(admin, ["lending:write", "credit:read"])
    assert first["key"].startswith(f"smk_{first['id']}_")
    me = (await gw.client.get("/api/v1/auth/me", headers=first["headers"])).json()
    assert (me["role"], me["org_id"], me["credential"]) == ("bank", "bank-icbc-nm", "api_key")
    assert me["scopes"] == ["credit:read", "lending:write"]
    # Also accepted as X-API-Key.
    assert (await gw.client.get("/api/v1/auth/me", headers={"X-API-Key": first["key"]})).status_code == 200

    # Shown once: the list never carries a secret; the stored form is a hash.
    listed = (await gw.client.get("/api/v1/api-keys", headers=admin)).json()
    assert [k["id"] for k in listed] == [first["id"]]
    assert "key" not in listed[0]
    assert first["key"] not in str(listed)
    db = Database(gw.app.state.settings.database_url)
    try:
        async with db.unit_of_work() as s:
            stored = (await s.execute(text("SELECT secret_hash FROM api_keys"))).scalar_one()
        assert first["key"].split("_")[-1] not in stored
        assert len(stored) == 64
    finally:
        await db.dispose()

    # Within scope the call goes on to the service (none runs here: 503, not a refusal).
    assert (await gw.client.get("/api/v1/products", headers=first["headers"])).status_code == 503
    assert (await gw.client.get("/api/v1/enterprises/x", headers=first["headers"])).status_code == 503
    # Beyond scope: 403 naming what is missing; and no key may manage keys or users.
    r = await gw.client.post("/api/v1/guarantees", json={}, headers=first["headers"])
    assert r.status_code == 403
    assert "guarantees:write" in r.json()["detail"]
    r = await gw.client.post("/api/v1/ingestion-batches", json={}, headers=first["headers"])
    assert r.status_code == 403
    assert "credit:write" in r.json()["detail"]
    r = await gw.client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["lending:read"]}, headers=first["headers"]
    )
    assert r.status_code == 403

    # Rotation: a second live key works next to the first; a third is refused until one is revoked.
    second = await gw.api_key(admin, ["lending:read"])
    for key in (first, second):
        assert (await gw.client.get("/api/v1/auth/me", headers=key["headers"])).status_code == 200
    third = await gw.client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["lending:read"]}, headers=admin
    )
    assert third.status_code == 409
    assert "revoke one" in third.json()["detail"]
    revoked = await gw.client.delete(f"/api/v1/api-keys/{first['id']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    r = await gw.client.get("/api/v1/products", headers=first["headers"])
    assert r.status_code == 401
    assert "revoked" in r.json()["detail"]
    assert (await gw.client.get("/api/v1/auth/me", headers=second["headers"])).status_code == 200
    await gw.api_key(admin, ["lending:read"])  # room again

    # Expired key: its own message.
    db = Database(gw.app.state.settings.database_url)
    try:
        async with db.unit_of_work() as s:
            await s.execute(
                text("UPDATE api_keys SET expires_at = :t WHERE id = :id"),
                {"t": utcnow() - timedelta(minutes=1), "id": second["id"]},
            )
    finally:
        await db.dispose()
    r = await gw.client.get("/api/v1/products", headers=second["headers"])
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]

    # A made-up key, and a real id with a wrong secret.
    fake = f"smk_{second['id']}_{'A' * 43}"
    r = await gw.client.get("/api/v1/products", headers={"Authorization": f"Bearer {fake}"})
    assert r.status_code == 401
    assert "not valid" in r.json()["detail"]

    # last_used_at is kept; other organisations' keys cannot be revoked.
    listed = {k["id"]: k for k in (await gw.client.get("/api/v1/api-keys", headers=admin)).json()}
    assert listed[first["id"]]["last_used_at"] is not None
    other = await gw.create_org(office, "guarantor", "ordos-gc")
    r = await gw.client.delete(
        f"/api/v1/api-keys/{listed[first['id']]['id']}", headers=other["admin_headers"]
    )
    assert r.status_code == 404

    # Unknown scopes, and an SME (people only) asking for a key.
    r = await gw.client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["everything:write"]}, headers=other["admin_headers"]
    )
    assert r.status_code == 422
    assert "unknown scopes" in r.json()["detail"]
    uscc = make_uscc("150102", "GWKEY0001")
    await gw.client.post(
        "/api/v1/signup",
        json={
            "uscc": uscc,
            "enterprise_name": "x",
            "email": "k@k.example",
            "display_name": "k",
            "password": "p" * 14,
        },
    )
    sme = await gw.login("k@k.example", "p" * 14)
    r = await gw.client.post("/api/v1/api-keys", json={"name": "x", "scopes": ["lending:read"]}, headers=sme)
    assert r.status_code == 422
    assert "bank and guarantee-company" in r.json()["detail"]

    audit = (await gw.client.get("/api/v1/audit-events", headers=admin, params={"limit": 100})).json()[
        "items"
    ]
    kinds = [e["kind"] for e in audit]
    assert kinds.count("api_key.created") == 3
    assert kinds.count("api_key.revoked") == 1
    assert "call.refused" in kinds
