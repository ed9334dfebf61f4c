"""Hostile callers at the real gateway process: authentication bypass, request smuggling, oversized and
malformed bodies, wrong content types, login floods. Each refusal is a clear 4xx, never a 500, and the
services behind stay ready."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import httpx
import pytest

from gateway.domain.credentials import digest
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
    "made-up session token": {"Authorization": "Bearer sms_" + "A" * 43},
    "api key header, made up": {"X-API-Key": "smk_000000000000_" + "B" * 43},
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


@dataclass(frozen=True)
class BankAdmin:
    """A bank made through the public API: the office's token, and its admin's session token."""

    office: dict[str, str]
    admin: dict[str, str]
    email: str


def _token(c: httpx.Client, email: str, password: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    c.cookies.clear()  # the token alone, no browser session beside it
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def bank_admin(platform: PlatformUnderTest) -> BankAdmin:
    """Two logins in all (the login limit is low here, and the flood test below needs what is left)."""
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        office = _token(c, OFFICE_EMAIL, OFFICE_PASSWORD)
        body = {"kind": "bank", "name": "door-bank", "admin_email": "a@door.example", "admin_name": "A"}
        org = c.post("/api/v1/organisations", json=body, headers=office)
        assert org.status_code == 201, org.text
        invitation = org.json()["admin"]["invitation_token"]
        accepted = c.post(
            "/api/v1/invitations/accept", json={"invitation_token": invitation, "password": "door-pw-long"}
        )
        assert accepted.status_code == 200, accepted.text
        return BankAdmin(office, _token(c, "a@door.example", "door-pw-long"), "a@door.example")


def _new_key(c: httpx.Client, admin: dict[str, str]) -> tuple[str, str]:
    """A fresh lending key (at most two live per organisation: the oldest is revoked to make room)."""
    keys = c.get("/api/v1/api-keys", headers=admin)
    assert keys.status_code == 200, keys.text
    live = [k for k in keys.json() if k["revoked_at"] is None]
    for old in live[: max(0, len(live) - 1)]:
        assert c.delete(f"/api/v1/api-keys/{old['id']}", headers=admin).status_code == 200
    key = c.post("/api/v1/api-keys", json={"name": "door", "scopes": ["lending:read"]}, headers=admin)
    assert key.status_code == 201, key.text
    return key.json()["id"], key.json()["key"]


def _gateway_sql(platform: PlatformUnderTest, sql: str, *args: object) -> None:
    """Age a credential in the gateway's own database: the clock cannot be moved for a running process."""

    async def run() -> None:
        conn = await asyncpg.connect(platform.gateway.database_url.replace("+asyncpg", ""))
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()

    asyncio.run(run())


def test_a_forged_key_secret_and_an_expired_key_are_refused(
    platform: PlatformUnderTest, bank_admin: BankAdmin
) -> None:
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        key_id, key = _new_key(c, bank_admin.admin)
        assert c.get("/api/v1/products", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        # The real key id with another secret: a forged signature, in API-key form.
        secret = key.rsplit("_", 1)[1]
        forged = key[: -len(secret)] + ("A" if secret[0] != "A" else "B") + secret[1:]
        for headers in ({"Authorization": f"Bearer {forged}"}, {"X-API-Key": forged}):
            r = c.get("/api/v1/products", headers=headers)
            assert r.status_code == 401, r.text
            assert "not valid" in r.json()["detail"]
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        _gateway_sql(
            platform, "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", key_id
        )
        expired = c.get("/api/v1/products", headers={"Authorization": f"Bearer {key}"})
        assert expired.status_code == 401, expired.text
        assert "expired" in expired.json()["detail"]


def test_an_expired_session_is_refused(platform: PlatformUnderTest, bank_admin: BankAdmin) -> None:
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        session = _token(c, bank_admin.email, "door-pw-long")
        assert c.get("/api/v1/products", headers=session).status_code == 200
        token = session["Authorization"].removeprefix("Bearer ")
        _gateway_sql(
            platform,
            "UPDATE login_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1",
            digest(token),
        )
        for path in ("/api/v1/products", "/api/v1/auth/me"):
            r = c.get(path, headers=session)
            assert r.status_code == 401, r.text
            assert "expired" in r.json()["detail"]
        # The same token as the site's cookie: refused the same way.
        r = c.get("/api/v1/products", cookies={"smefin_session": token})
        assert r.status_code == 401, r.text
        # Another session of the same person is untouched.
        assert c.get("/api/v1/products", headers=bank_admin.admin).status_code == 200


def test_the_api_rate_limit_answers_429_with_retry_after_per_credential(
    platform: PlatformUnderTest, bank_admin: BankAdmin
) -> None:
    """40 calls a minute per credential here: the key's 41st is refused, another credential is not."""
    with httpx.Client(base_url=platform.gateway.url, timeout=10) as c:
        _, key = _new_key(c, bank_admin.admin)
        as_key = {"Authorization": f"Bearer {key}"}
        answers = [c.get("/api/v1/products", headers=as_key) for _ in range(45)]
        codes = [r.status_code for r in answers]
        assert codes[0] == 200, codes
        assert 429 in codes, codes
        first = codes.index(429)
        assert set(codes[:first]) == {200}, codes
        assert set(codes[first:]) == {429}, codes  # once over, every call until the window moves
        refused = answers[first]
        assert 0 < int(refused.headers["Retry-After"]) <= 60, refused.headers
        assert "rate" in refused.json()["detail"].lower() or "too many" in refused.json()["detail"].lower()
        # Writes are held back too, and never reach the service.
        w = c.post("/api/v1/products/x/publish", headers=as_key)
        assert w.status_code == 429, w.text
        # Per credential: the same organisation's person is still served.
        assert c.get("/api/v1/products", headers=bank_admin.admin).status_code == 200
    assert platform.all_ready()


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


@pytest.mark.parametrize(
    "path", ["/api/v1/matches/%01%1a", "/api/v1/fairs/7%12%02/meetings", "/api/v1/products/a%2Fb"]
)
def test_escaped_control_characters_in_a_path_get_a_4xx_not_a_500(
    platform: PlatformUnderTest, path: str
) -> None:
    """The gateway forwards the path as the caller encoded it (it once decoded it and failed with a 500)."""
    bank = bearer(Role.BANK, "bank-x")
    for method in ("GET", "POST"):
        r = httpx.request(method, f"{platform.gateway.url}{path}", headers=bank, json={}, timeout=10)
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text)
        assert r.json()["detail"], r.text


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
        # 10 a minute from one address; a few were spent by the tests above.
        codes = [
            c.post("/api/v1/auth/login", json={"email": "flood@x.example", "password": "guess"}).status_code
            for _ in range(14)
        ]
        assert 401 in codes, codes
        assert codes[-1] == 429, codes
        r = c.post("/api/v1/auth/login", json={"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD})
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= 60
