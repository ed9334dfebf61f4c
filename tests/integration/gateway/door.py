"""The gateway in front of in-process services, on its own migrated identity database."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from gateway.db.tables import Base as GatewayBase
from gateway.domain.accounts import ensure_office_admin
from gateway.main import MIGRATIONS, create_app
from gateway.settings import Settings
from smefin.db import Database
from tests.support.infra import Infra
from tests.support.services import create_database, migrate, run_service

OFFICE_EMAIL = "office@test.smefin"
OFFICE_PASSWORD = "office-password-long"
UPSTREAM = {
    "credit_info": "credit-info",
    "loan_matching": "loan-matching",
    "guarantee_registry": "guarantee-registry",
    "fairs": "events",
}


@dataclass
class Door:
    """A running gateway: its client (as the outside world) and the services behind it."""

    client: httpx.AsyncClient
    app: FastAPI
    services: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    service_apps: dict[str, FastAPI] = field(default_factory=dict)

    async def login(self, email: str, password: str) -> dict[str, str]:
        """Bearer headers of a fresh password login."""
        r = await self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        # A script sends the access token; the cookie is for browsers.
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def office(self) -> dict[str, str]:
        """The bootstrapped office admin, logged in."""
        return await self.login(OFFICE_EMAIL, OFFICE_PASSWORD)

    async def create_org(self, office: dict[str, str], kind: str, name: str, **extra: Any) -> dict[str, Any]:
        """The office creates an organisation; its admin accepts the invitation (password = email+pw)."""
        email = extra.pop("admin_email", f"admin@{name}.example")
        r = await self.client.post(
            "/api/v1/organisations",
            json={"kind": kind, "name": name, "admin_email": email, "admin_name": "Admin"} | extra,
            headers=office,
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        accepted = await self.client.post(
            "/api/v1/invitations/accept",
            json={"invitation_token": body["admin"]["invitation_token"], "password": f"{email}-pw-long"},
        )
        assert accepted.status_code == 200, accepted.text
        body["admin_headers"] = await self.login(email, f"{email}-pw-long")
        return body

    async def api_key(self, admin: dict[str, str], scopes: list[str], **extra: Any) -> dict[str, Any]:
        """A new API key of the admin's organisation; `headers` carries it."""
        r = await self.client.post(
            "/api/v1/api-keys", json={"name": "core system", "scopes": scopes} | extra, headers=admin
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        body["headers"] = {"Authorization": f"Bearer {body['key']}"}
        return body


async def gateway_database(infra: Infra) -> str:
    """A migrated gateway database with the office admin bootstrapped."""
    url = await create_database(infra, "gw")
    await migrate(MIGRATIONS, url)
    assert GatewayBase.metadata.tables  # the tables the migration created
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            await ensure_office_admin(
                session=session,
                org_id="office-nm",
                name="内蒙古金融办",
                email=OFFICE_EMAIL,
                password=OFFICE_PASSWORD,
            )
    finally:
        await db.dispose()
    return url


@asynccontextmanager
async def door(
    infra: Infra,
    topic_prefix: str,
    *,
    services: tuple[str, ...] = ("credit_info", "loan_matching", "guarantee_registry", "fairs"),
    **overrides: Any,
) -> AsyncIterator[Door]:
    """Start `services` in-process (sharing `topic_prefix`) and the gateway in front of them."""
    async with AsyncExitStack() as stack:
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        clients: dict[str, httpx.AsyncClient] = {}
        apps: dict[str, FastAPI] = {}
        for package in services:
            main = importlib.import_module(f"{package}.main")
            settings_cls = importlib.import_module(f"{package}.settings").Settings
            svc = await stack.enter_async_context(
                run_service(main.create_app, settings_cls, main.MIGRATIONS, infra, topic_prefix=topic_prefix)
            )
            mounts[f"http://{UPSTREAM[package]}"] = httpx.ASGITransport(app=svc.app)
            clients[UPSTREAM[package]] = svc.client
            apps[UPSTREAM[package]] = svc.app
        settings = Settings(
            environment="test",
            database_url=await gateway_database(infra),
            credit_info_url="http://credit-info",
            loan_matching_url="http://loan-matching",
            guarantee_registry_url="http://guarantee-registry",
            events_url="http://events",
            log_json=False,
            **overrides,
        )
        app = create_app(settings, mounts=mounts)
        manager = await stack.enter_async_context(LifespanManager(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://gw")
        )
        yield Door(client=client, app=app, services=clients, service_apps=apps)
