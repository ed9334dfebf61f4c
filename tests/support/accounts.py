"""Accounts of every role, made through the gateway's public API the way a new user makes them.

The office logs in (bootstrapped admin); an SME signs itself up; the office creates a bank, a guarantee
company, a fair organizer and a league office, each admin accepts its invitation and logs in; the bank and
the guarantor also get an API key from their admin. No operator token is used anywhere here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import httpx

from smefin.auth import Role
from smefin.reference import make_uscc
from tests.support.platform import OFFICE_EMAIL, OFFICE_PASSWORD

PASSWORD = "a long test passphrase"
LEAGUE = "150600"  # Ordos (鄂尔多斯市)
ORG_KINDS = {
    Role.BANK: "bank",
    Role.GUARANTOR: "guarantor",
    Role.ORGANIZER: "organizer",
    Role.LEAGUE_OFFICE: "league_office",
}
ROLES = (Role.SME, Role.BANK, Role.GUARANTOR, Role.OFFICE, Role.LEAGUE_OFFICE, Role.ORGANIZER)


@dataclass(frozen=True)
class Account:
    """One signed-in person of an organisation: their session token, and an API key where the role has one."""

    role: Role
    org_id: str
    email: str
    token: str
    api_key: str | None = None
    uscc: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def key_headers(self) -> dict[str, str]:
        assert self.api_key is not None, f"{self.role} has no API key"
        return {"Authorization": f"Bearer {self.api_key}"}


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, (r.request.method, r.request.url.path, r.status_code, r.text)
    return r.json()


def log_in(client: httpx.Client, email: str, password: str) -> str:
    """A fresh session's access token (cookies are dropped: the token alone is the credential)."""
    body = _ok(client.post("/api/v1/auth/login", json={"email": email, "password": password}))
    client.cookies.clear()
    return str(body["access_token"])


def _invited(client: httpx.Client, office: dict[str, str], role: Role, tag: str) -> tuple[str, str]:
    """The office creates an organisation of `role`; its admin accepts the invitation. (org id, email)."""
    email = f"admin@{role.value.replace('_', '-')}-{tag}.example.cn"
    body: dict[str, object] = {
        "kind": ORG_KINDS[role],
        "name": f"{role.value} {tag}",
        "org_id": f"{role.value.replace('_', '-')}-{tag}",
        "admin_email": email,
        "admin_name": "管理员",
    }
    if role == Role.LEAGUE_OFFICE:
        body["league_code"] = LEAGUE
    created = _ok(client.post("/api/v1/organisations", json=body, headers=office), 201)
    accept = {"invitation_token": created["admin"]["invitation_token"], "password": PASSWORD}
    _ok(client.post("/api/v1/invitations/accept", json=accept))
    return str(created["organisation"]["id"]), email


def _api_key(client: httpx.Client, admin: dict[str, str], scopes: list[str]) -> str:
    body = {"name": "integration", "scopes": scopes, "expires_in_days": 30}
    return str(_ok(client.post("/api/v1/api-keys", json=body, headers=admin), 201)["key"])


def make_accounts(gateway_url: str, tag: str, county: str = "150602") -> dict[Role, Account]:
    """One account of every role in `ROLES`, all made through the public API; `tag` keeps runs apart."""
    accounts: dict[Role, Account] = {}
    with httpx.Client(base_url=gateway_url, timeout=30) as c:
        office = log_in(c, OFFICE_EMAIL, OFFICE_PASSWORD)
        who = _ok(c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {office}"}))
        accounts[Role.OFFICE] = Account(Role.OFFICE, str(who["org_id"]), OFFICE_EMAIL, office)
        uscc = make_uscc(county, f"H{zlib.crc32(tag.encode()) % 10**8:08d}")
        sme_email = f"owner@sme-{tag}.example.cn"
        signup = {
            "uscc": uscc,
            "enterprise_name": "鄂尔多斯绒纺有限公司",
            "email": sme_email,
            "display_name": "王经理",
            "password": PASSWORD,
        }
        _ok(c.post("/api/v1/signup", json=signup), 201)
        accounts[Role.SME] = Account(Role.SME, uscc, sme_email, log_in(c, sme_email, PASSWORD), uscc=uscc)
        for role in (Role.BANK, Role.GUARANTOR, Role.ORGANIZER, Role.LEAGUE_OFFICE):
            org_id, email = _invited(c, {"Authorization": f"Bearer {office}"}, role, tag)
            token = log_in(c, email, PASSWORD)
            key = None
            if role == Role.BANK:
                key = _api_key(c, {"Authorization": f"Bearer {token}"}, ["lending:write", "credit:read"])
            elif role == Role.GUARANTOR:
                key = _api_key(c, {"Authorization": f"Bearer {token}"}, ["guarantees:write"])
            accounts[role] = Account(role, org_id, email, token, key)
    return accounts
