"""Every service starts on a migrated database, reports ready, and refuses bad requests clearly."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from tests.support.infra import Infra
from tests.support.services import run_service

SERVICES = ["credit_info", "loan_matching", "guarantee_registry", "fairs"]


def service_parts(package: str) -> tuple[Any, Any, Path]:
    """(create_app, Settings, migrations dir) of a service package."""
    main = importlib.import_module(f"{package}.main")
    settings = importlib.import_module(f"{package}.settings")
    return main.create_app, settings.Settings, main.MIGRATIONS


@pytest.mark.parametrize("package", SERVICES)
async def test_service_is_healthy_and_ready(package: str, infra: Infra, topic_prefix: str) -> None:
    create_app, settings_cls, migrations = service_parts(package)
    async with run_service(create_app, settings_cls, migrations, infra, topic_prefix=topic_prefix) as svc:
        assert (await svc.client.get("/healthz")).json()["status"] == "ok"
        ready = await svc.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
        metrics = await svc.client.get("/metrics")
        assert metrics.status_code == 200
        schema = (await svc.client.get("/openapi.json")).json()
        assert "/metrics" not in schema["paths"]
        # A request id given is echoed back, so logs across services can be joined on it.
        echoed = await svc.client.get("/healthz", headers={"X-Request-ID": "abc123"})
        assert echoed.headers["X-Request-ID"] == "abc123"


async def test_body_guards_answer_413_and_415(infra: Infra, topic_prefix: str) -> None:
    create_app, settings_cls, migrations = service_parts("credit_info")
    async with run_service(
        create_app, settings_cls, migrations, infra, topic_prefix=topic_prefix, max_body_bytes=1000
    ) as svc:
        big = await svc.client.post(
            "/anything", content=b"x" * 5000, headers={"content-type": "application/json"}
        )
        assert big.status_code == 413
        assert "limit" in big.json()["detail"]
        xml = await svc.client.post("/anything", content=b"<a/>", headers={"content-type": "application/xml"})
        assert xml.status_code == 415
        assert "application/json" in xml.json()["detail"]
