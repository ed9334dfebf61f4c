"""The door's rules without I/O: scopes, key format, breaker, idempotency keys, league scope, documents."""

from __future__ import annotations

import time
from typing import Any

import pytest

from gateway.docs import merge
from gateway.domain.credentials import digest, new_api_key, parse_api_key, same_digest
from gateway.domain.scopes import ALL_SCOPES, FAMILY_OF, allows, needed_scope
from gateway.protection import CircuitBreaker, checked_idempotency_key, request_fingerprint
from gateway.routes import ROUTES
from smefin.auth import Principal, Role, issue_internal_token, league_scope, verify_internal_token
from smefin.errors import Forbidden, Unprocessable
from smefin.settings import DEV_SECRET


def test_every_forwarded_resource_belongs_to_a_scope_family_except_reference() -> None:
    assert set(ROUTES) - set(FAMILY_OF) == {"reference"}
    assert needed_scope("GET", "products") == "lending:read"
    assert needed_scope("POST", "offers") == "lending:write"
    assert needed_scope("DELETE", "consents") == "credit:write"
    assert needed_scope("GET", "nothing") is None
    assert allows(["lending:write"], "lending:read")
    assert not allows(["lending:read"], "lending:write")
    assert not allows(["credit:write"], "lending:read")
    assert "guarantees:write" in ALL_SCOPES


def test_api_keys_parse_and_compare_in_constant_time() -> None:
    key = new_api_key()
    parsed = parse_api_key(key.value)
    assert parsed == key
    assert parse_api_key("smk_short_x") is None
    assert parse_api_key(key.value + "x") is None
    assert same_digest(key.secret, digest(key.secret))
    assert not same_digest(key.secret + "x", digest(key.secret))


def test_breaker_opens_after_failures_and_half_opens_after_the_pause() -> None:
    breaker = CircuitBreaker(failures=2, reset_seconds=0.05)
    assert breaker.retry_after() is None
    breaker.failed()
    assert breaker.retry_after() is None
    breaker.failed()
    assert breaker.is_open
    assert breaker.retry_after() == 1
    time.sleep(0.06)
    assert breaker.retry_after() is None  # one trial goes through
    assert breaker.retry_after() is not None  # the others wait for it
    breaker.failed()
    assert breaker.is_open
    time.sleep(0.06)
    assert breaker.retry_after() is None
    breaker.succeeded()
    assert not breaker.is_open
    assert breaker.retry_after() is None


def test_idempotency_keys_are_checked_and_requests_fingerprinted() -> None:
    assert checked_idempotency_key("3f2b8c1e-0d4a-4d55-9f0b-4c1b2a7d9e10")
    for bad in ("short", "has space in it", "x" * 256, "naïve-key-value"):
        with pytest.raises(Unprocessable):
            checked_idempotency_key(bad)
    one = request_fingerprint("POST", "/api/v1/products", "", b'{"a":1}')
    assert one == request_fingerprint("post", "/api/v1/products", "", b'{"a":1}')
    assert one != request_fingerprint("POST", "/api/v1/products", "", b'{"a":2}')
    assert one != request_fingerprint("POST", "/api/v1/products", "x=1", b'{"a":1}')


def test_league_office_claim_travels_and_scopes_reads() -> None:
    ordos = Principal(subject="u", role=Role.LEAGUE_OFFICE, org_id="lo-ordos", league_code="150600")
    back = verify_internal_token(issue_internal_token(ordos, DEV_SECRET), DEV_SECRET)
    assert back == ordos
    assert league_scope(back) == "150600"
    assert league_scope(back, "150600") == "150600"
    with pytest.raises(Forbidden, match="only its own league"):
        league_scope(back, "150100")
    office = Principal(subject="o", role=Role.OFFICE, org_id="office")
    assert league_scope(office) is None
    assert league_scope(office, "150100") == "150100"
    with pytest.raises(Forbidden):
        league_scope(Principal(subject="x", role=Role.LEAGUE_OFFICE, org_id="x"))


def test_merge_keeps_each_service_to_its_own_resources_and_renames_clashing_schemas() -> None:
    def doc(schema: dict[str, object], paths: dict[str, object]) -> dict[str, object]:
        return {"paths": paths, "components": {"schemas": {"Page": schema}}}

    ref = {"$ref": "#/components/schemas/Page"}
    op = {"get": {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}}
    merged = merge(
        doc({"type": "object"}, {"/api/v1/auth/me": op}),
        {
            "credit-info": doc(
                {"type": "array"}, {"/api/v1/enterprises": op, "/api/v1/products": op, "/healthz": op}
            ),
            "loan-matching": doc({"type": "object"}, {"/api/v1/products": op}),
        },
    )
    assert set(merged["paths"]) == {"/api/v1/auth/me", "/api/v1/enterprises", "/api/v1/products"}
    ent = merged["paths"]["/api/v1/enterprises"]["get"]
    assert ent["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("CreditInfoPage")
    assert merged["components"]["schemas"]["CreditInfoPage"] == {"type": "array"}
    assert merged["paths"]["/api/v1/products"]["get"]["x-service"] == "loan-matching"
    assert set(ent["responses"]) >= {"401", "403", "429"}
    assert set(merged["components"]["securitySchemes"]) == {"apiKey", "accessToken", "sessionCookie"}


def test_the_door_allows_exactly_the_documented_methods_of_a_path() -> None:
    from gateway.docs import DocumentedMethods

    document: dict[str, Any] = {
        "paths": {
            "/api/v1/matches": {"get": {}},
            "/api/v1/matches/{match_id}": {"get": {}, "patch": {}},
            "/api/v1/matches/expire-due": {"post": {}},
            "/api/v1/auth/me": {"get": {}},
        }
    }
    documented = DocumentedMethods(document)
    assert documented.allowed("/api/v1/matches") == ["GET"]
    assert documented.allowed("/api/v1/matches/123") == ["GET", "PATCH"]
    # A static path wins over a template that also matches it (as each service's router decides).
    assert documented.allowed("/api/v1/matches/expire-due") == ["POST"]
    assert documented.allowed("/api/v1/auth/me") == ["GET"]
    assert documented.allowed("/api/v1/matches/1/2") is None
    assert documented.allowed("/api/v1/nothing") is None
    # The committed document lists every operation of the platform.
    published = DocumentedMethods.published()
    assert published.allowed("/api/v1/api-keys/abc") == ["DELETE"]
    assert published.allowed("/api/v1/products") == ["GET", "POST"]
