"""Hostile callers at the real gateway process: authentication bypass, request smuggling, oversized and
malformed bodies, wrong content types, login floods. Each refusal is a clear 4xx, never a 500, and the
services behind stay ready."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from gateway.routes import ROUTES
from smefin.auth import Principal, Role, issue_internal_token
from smefin.settings import DEV_SECRET
from tests.support.platform import OFFICE_EMAIL, OFFICE_PASSWORD, PlatformUnderTest
from tests.support.services import bearer

OFFICE = Principal(subject="intruder", role=Role.OFFICE, org_id="office-nm")


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def unsigned_token() -> str:
    """An `alg: none` token claiming the office (no signature at all)."""
    valid = issue_internal_token(OFFICE, DEV_SECRET)
    claims = json.loads(base64.urlsafe_b64decode(valid.split(".")[1] + "=="))
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def other_audience_token() -> str:
    """Signed with the right secret but for another audience and issuer."""
    import jwt

    valid = issue_internal_token(OFFICE, DEV_SECRET)
    claims = jwt.decode(valid, options={"verify_signature": False})
    return jwt.encode(claims | {"aud": "another-system", "iss": "elsewhere"}, DEV_SECRET, algorithm="HS256")


BAD_CREDENTIALS = {
    "none": {},
    "empty bearer": {"Authorization": "Bearer"},
    "basic": {"Authorization": "Basic b2ZmaWNlOm9mZmljZQ=="},
    "garbage": {"Authorization": "Bearer not-a-token-at-all"},
    "alg none": {"Authorization": f"Bearer {unsigned_token()}"},
    "forged": {"Authorization": f"Bearer {issue_internal_token(OFFICE, 'x' * 40)}"},
    "expired": {
        "Authorization": f"Bearer {issue_internal_token(OFFICE, DEV_SECRET, ttl=timedelta(seconds=-5))}"
    },
    "other audience": {"Authorization": f"Bearer {other_audience_token()}"},
    "unknown api key": {"Authorization": "Bearer smk_live_0000000000000000000000000000"},
    "forged session cookie": {"Cookie": "smefin_session=forged-session-value"},
}


@pytest.mark.parametrize("credential", sorted(BAD_CREDENTIALS))
def test_every_resource_refuses_a_bad_credential(platform: PlatformUnderTest, credential: str) -> None:
    headers = BAD_CREDENTIALS[credential]
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        for resource in sorted(ROUTES):
            r = c.get(f"/api/v1/{resource}", headers=headers)
            assert r.status_code == 401, (credential, resource, r.status_code, r.text)
            assert r.json()["detail"], r.text
            r = c.post(f"/api/v1/{resource}", json={}, headers=headers)
            assert r.status_code in (401, 405), (credential, resource, r.status_code, r.text)


def test_a_revoked_api_key_is_refused_at_once(platform: PlatformUnderTest) -> None:
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        login = c.post("/api/v1/auth/login", json={"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD})
        assert login.status_code == 200, login.text
        c.cookies.clear()
        office = {"Authorization": f"Bearer {login.json()['access_token']}"}
        org = c.post(
            "/api/v1/organisations",
            json={
                "kind": "bank",
                "name": "revoked-bank",
                "admin_email": "a@revoked.example",
                "admin_name": "A",
            },
            headers=office,
        )
        assert org.status_code == 201, org.text
        accepted = c.post(
            "/api/v1/invitations/accept",
            json={"invitation_token": org.json()["admin"]["invitation_token"], "password": "revoked-pw-long"},
        )
        assert accepted.status_code == 200, accepted.text
        admin_login = c.post(
            "/api/v1/auth/login", json={"email": "a@revoked.example", "password": "revoked-pw-long"}
        )
        c.cookies.clear()
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        key = c.post("/api/v1/api-keys", json={"name": "core", "scopes": ["lending:read"]}, headers=admin)
        assert key.status_code == 201, key.text
        as_key = {"Authorization": f"Bearer {key.json()['key']}"}
        c.cookies.clear()  # the key alone, no browser session beside it
        assert c.get("/api/v1/products", headers=as_key).status_code == 200
        assert c.delete(f"/api/v1/api-keys/{key.json()['id']}", headers=admin).status_code == 200
        # At once: the revocation is committed before its 200 leaves (it once was committed after).
        refused = c.get("/api/v1/products", headers=as_key)
        assert refused.status_code == 401, refused.text
        assert "revoked" in refused.json()["detail"]
        # Logged out: the session token is refused too.
        assert c.post("/api/v1/auth/logout", headers=admin).status_code in (200, 204)
        assert c.get("/api/v1/api-keys", headers=admin).status_code == 401


def raw(platform: PlatformUnderTest, request: bytes) -> list[bytes]:
    """Send raw bytes on one connection; the status lines of every response that comes back."""
    with socket.create_connection(("127.0.0.1", platform.gateway.port), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return [line for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def test_request_smuggling_is_refused_and_nothing_rides_along(platform: PlatformUnderTest) -> None:
    token = bearer(Role.OFFICE, "office-nm")["Authorization"].encode()
    smuggled = b"GET /api/v1/audit-events HTTP/1.1\r\nHost: x\r\nAuthorization: " + token + b"\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    cl_te = (
        b"POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    )
    # Refused (400), or read as chunked and the connection closed (401 for the unauthenticated POST):
    # either way the smuggled office request behind the body is never answered.
    lines = raw(platform, cl_te)
    assert lines, "no answer"
    assert lines[0].split(b" ")[1] in (b"400", b"401"), lines
    assert len(lines) == 1, f"a second request rode along: {lines}"
    two_lengths = (
        b"POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nContent-Length: " + str(2 + len(smuggled)).encode() + b"\r\n\r\n{}" + smuggled
    )
    lines = raw(platform, two_lengths)
    assert lines, "no answer"
    assert lines[0].startswith(b"HTTP/1.1 400"), lines
    assert len(lines) == 1, lines
    obfuscated_te = (
        b"POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: xchunked\r\n\r\n" + body
    )
    lines = raw(platform, obfuscated_te)
    assert lines, "no answer"
    assert lines[0].split(b" ")[1] in (b"400", b"501"), lines
    assert len(lines) == 1, lines
    assert platform.all_ready()


def test_oversized_bodies_are_refused_with_413(platform: PlatformUnderTest) -> None:
    office = bearer(Role.OFFICE, "office-nm")
    big = b'{"name": "' + b"x" * 200_000 + b'"}'
    with httpx.Client(base_url=platform.gateway.url, timeout=30) as c:
        declared = c.post(
            "/api/v1/products", content=big, headers=office | {"content-type": "application/json"}
        )
        assert declared.status_code == 413, declared.text
        assert "limit" in declared.json()["detail"]

        def chunks() -> Iterator[bytes]:
            for _ in range(40):
                yield b"x" * 8192

        streamed = c.post(
            "/api/v1/products",
            content=chunks(),
            headers=office | {"content-type": "application/json"},
        )
        assert streamed.status_code == 413, streamed.text
        huge_header = c.get("/api/v1/products", headers=office | {"X-Filler": "y" * 70_000})
        # uvicorn (httptools) has no header-size cap of its own: not a server error, but see the README.
        assert huge_header.status_code < 500, huge_header.status_code
    assert platform.all_ready()


MALFORMED = {
    "truncated json": (b'{"name": "a', "application/json"),
    "not json": (b"<xml/>", "application/json"),
    "json array": (b"[1, 2, 3]", "application/json"),
    "nan": (b'{"min_amount": NaN}', "application/json"),
    "deeply nested": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "bad utf-8": (b'{"name": "\xff\xfe"}', "application/json"),
    "text/plain": (b'{"name": "x"}', "text/plain"),
    "form": (b"name=x", "application/x-www-form-urlencoded"),
    "multipart": (b"--b\r\n\r\nx\r\n--b--\r\n", "multipart/form-data; boundary=b"),
    "no content type": (b'{"name": "x"}', ""),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/enterprises", "/api/v1/organisations"])
def test_malformed_bodies_and_wrong_content_types_get_a_clear_4xx(
    platform: PlatformUnderTest, case: str, path: str
) -> None:
    content, content_type = MALFORMED[case]
    who = bearer(Role.BANK, "bank-x") if "products" in path else bearer(Role.OFFICE, "office-nm")
    headers = who | ({"content-type": content_type} if content_type else {})
    r = httpx.post(f"{platform.gateway.url}{path}", content=content, headers=headers, timeout=10)
    assert 400 <= r.status_code < 500, (case, path, r.status_code, r.text)
    assert r.json()["detail"], r.text


def test_a_login_flood_is_cut_off_with_429_and_retry_after(platform: PlatformUnderTest) -> None:
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        codes = [
            c.post("/api/v1/auth/login", json={"email": "flood@x.example", "password": "guess"}).status_code
            for _ in range(8)
        ]
        assert 401 in codes, codes
        assert codes[-1] == 429, codes
        r = c.post("/api/v1/auth/login", json={"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD})
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= 60
