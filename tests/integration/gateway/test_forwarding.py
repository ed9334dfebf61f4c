"""The gateway forwards /api/v1 to the owning service with the signed internal token, and reports
every service's readiness; a service that is down is a fast 503."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gateway.main import create_app
from gateway.routes import GATEWAY_RESOURCES, ROUTES, service_for
from gateway.settings import Settings
from tests.integration.gateway.door import UPSTREAM, door, gateway_database
from tests.support.infra import Infra


def test_every_resource_routes_to_a_known_service() -> None:
    assert set(ROUTES.values()) == set(UPSTREAM.values())
    assert not set(GATEWAY_RESOURCES) & set(ROUTES)
    assert service_for("/api/v1/enterprises/91150100MA0000000X") == "credit-info"
    assert service_for("/api/v1/fairs") == "events"
    assert service_for("/api/v2/enterprises") is None
    assert service_for("/docs") is None


async def test_gateway_forwards_with_the_internal_token_and_reports_readiness(
    infra: Infra, topic_prefix: str
) -> None:
    async with door(infra, topic_prefix) as gw:
        ready = await gw.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["services"] == dict.fromkeys(UPSTREAM.values(), "ok")
        assert ready.json()["checks"] == {"database": "ok"}

        office = await gw.office()
        # The service saw the office principal (it answers its own 404 for an unknown path, not 401).
        forwarded = await gw.client.get(
            "/api/v1/fairs/no-such-route/x", headers=office | {"X-Request-ID": "rid-7"}
        )
        assert forwarded.status_code == 404
        assert forwarded.headers["X-Request-ID"] == "rid-7"
        coverage = await gw.client.get("/api/v1/coverage", headers=office)
        assert coverage.status_code == 200, coverage.text

        unknown = await gw.client.get("/api/v1/nothing-here", headers=office)
        assert unknown.status_code == 404
        assert "GET /api/v1 lists the resources" in unknown.json()["detail"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_service_that_is_down_is_503_and_the_breaker_answers_fast(infra: Infra, method: str) -> None:
    settings = Settings(
        environment="test",
        database_url=await gateway_database(infra),
        credit_info_url="http://127.0.0.1:9",
        log_json=False,
        breaker_failures=2,
        breaker_reset_seconds=30,
    )
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://gw") as c,
    ):
        from tests.integration.gateway.door import OFFICE_EMAIL, OFFICE_PASSWORD

        login = await c.post("/api/v1/auth/login", json={"email": OFFICE_EMAIL, "password": OFFICE_PASSWORD})
        office = {"Authorization": f"Bearer {login.json()['access_token']}"}
        c.cookies.clear()
        for _ in range(2):
            r = await c.request(
                method, "/api/v1/enterprises", headers=office, json={} if method == "POST" else None
            )
            assert r.status_code == 503
            assert "credit-info is unavailable" in r.json()["detail"]
        # Open: refused at once, with a time to come back.
        fast = await c.get("/api/v1/enterprises", headers=office)
        assert fast.status_code == 503
        assert "recent calls failed" in fast.json()["detail"]
        assert int(fast.headers["Retry-After"]) > 0
        ready = await c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["services"]["credit-info"].startswith("unreachable")
