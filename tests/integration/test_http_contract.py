"""What every service answers at the HTTP level, whatever the route: 401 says how to authenticate,
405 lists what is allowed, a 500 names its request id."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from guarantee_registry.main import MIGRATIONS, create_app
from guarantee_registry.settings import Settings
from tests.support.infra import Infra
from tests.support.services import run_service

boom = APIRouter()


@boom.get("/api/v1/boom")
async def explode() -> None:
    raise RuntimeError("a bug")


async def test_401_405_and_500_tell_the_caller_what_to_do(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        c = svc.client
        r = await c.get("/api/v1/guarantees")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = await c.options("/api/v1/guarantee-companies/00000000-0000-0000-0000-000000000000")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, PATCH"
        assert "allowed: GET, PATCH" in r.json()["detail"]
        svc.app.include_router(boom)
        # Starlette re-raises after answering; a real server would log it, the client sees the answer.
        transport = httpx.ASGITransport(svc.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as raw:
            r = await raw.get("/api/v1/boom", headers={"X-Request-ID": "req-42"})
        assert r.status_code == 500
        assert r.json()["request_id"] == "req-42"
        assert r.headers["x-request-id"] == "req-42"
        assert "a bug" not in r.text


async def test_the_document_describes_our_errors_and_the_token(infra: Infra, topic_prefix: str) -> None:
    async with run_service(create_app, Settings, MIGRATIONS, infra, topic_prefix=topic_prefix) as svc:
        doc = (await svc.client.get("/openapi.json")).json()
        assert "HTTPValidationError" not in doc["components"]["schemas"]
        op = doc["paths"]["/api/v1/guarantees"]["post"]
        assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ValidationProblem"
        )
        assert {"401", "403", "404", "409", "413", "415"} <= set(op["responses"])
        assert op["security"] == [{"internalToken": []}]
        assert "security" not in doc["paths"]["/healthz"]["get"]
        amount = doc["components"]["schemas"]["GuaranteeCreate"]["properties"]["amount"]
        assert amount["type"] == "string"
        assert "pattern" in amount
