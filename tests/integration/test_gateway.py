"""The gateway forwards /api/v1 to the owning service and reports every service's readiness."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
from asgi_lifespan import LifespanManager

from gateway.main import create_app
from gateway.routes import ROUTES, service_for
from gateway.settings import Settings
from tests.integration.test_service_apps import SERVICES, service_parts
from tests.support.infra import Infra
from tests.support.services import run_service

UPSTREAM = {
    "credit_info": "credit-info",
    "loan_matching": "loan-matching",
    "guarantee_registry": "guarantee-registry",
    "fairs": "events",
}


def test_every_resource_routes_to_a_known_service() -> None:
    assert set(ROUTES.values()) == set(UPSTREAM.values())
    assert service_for("/api/v1/enterprises/91150100MA0000000X") == "credit-info"
    assert service_for("/api/v1/fairs") == "events"
    assert service_for("/api/v2/enterprises") is None
    assert service_for("/docs") is None


async def test_gateway_forwards_and_reports_readiness(infra: Infra, topic_prefix: str) -> None:
    async with AsyncExitStack() as stack:
        mounts: dict[str, httpx.AsyncBaseTransport] = {}
        for package in SERVICES:
            create_app_, settings_cls, migrations = service_parts(package)
            svc = await stack.enter_async_context(
                run_service(create_app_, settings_cls, migrations, infra, topic_prefix=topic_prefix)
            )
            mounts[f"http://{UPSTREAM[package]}"] = httpx.ASGITransport(app=svc.app)
        settings = Settings(
            credit_info_url="http://credit-info",
            loan_matching_url="http://loan-matching",
            guarantee_registry_url="http://guarantee-registry",
            events_url="http://events",
            log_json=False,
        )
        gateway = create_app(settings, mounts=mounts)
        manager = await stack.enter_async_context(LifespanManager(gateway))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://gw")
        )
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["services"] == dict.fromkeys(UPSTREAM.values(), "ok")

        # Forwarded with the request id: the service answers (here, its 404 for an unknown id path).
        forwarded = await client.get("/api/v1/fairs/no-such-route/x", headers={"X-Request-ID": "rid-7"})
        assert forwarded.status_code == 404
        assert forwarded.headers["X-Request-ID"] == "rid-7"

        unknown = await client.get("/api/v1/nothing-here")
        assert unknown.status_code == 404
        assert "GET /api/v1 lists the resources" in unknown.json()["detail"]


async def test_gateway_answers_503_when_a_service_is_down() -> None:
    settings = Settings(credit_info_url="http://127.0.0.1:9", log_json=False)
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://gw") as c,
    ):
        r = await c.get("/api/v1/enterprises")
        assert r.status_code == 503
        assert "credit-info is unavailable" in r.json()["detail"]
        ready = await c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["services"]["credit-info"].startswith("unreachable")
