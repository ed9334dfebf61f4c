"""The fast paths keep their meaning: a read session opens no transaction and refuses writes, a cached
verified token still expires, and the metrics middleware counts per route template."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from loan_matching.db.tables import Enterprise
from smefin.auth import Principal, Role, issue_internal_token, verify_internal_token
from smefin.db import Database
from smefin.errors import Unauthorized
from smefin.settings import DEV_SECRET
from tests.integration.test_service_apps import service_parts
from tests.support.infra import Infra
from tests.support.services import bearer, create_database, run_service


async def test_a_read_session_runs_each_statement_alone_and_refuses_writes(infra: Infra) -> None:
    db = Database(await create_database(infra, "fast"))
    try:
        async with db.read_session() as session:
            first = (await session.exec(text("SELECT now()"))).scalar_one()  # type: ignore[call-overload]
            await asyncio.sleep(0.02)
            second = (await session.exec(text("SELECT now()"))).scalar_one()  # type: ignore[call-overload]
            # now() is the transaction's start: it moves only when no transaction spans the statements.
            assert second > first
            session.add(
                Enterprise(uscc="X" * 18, name="n", league_code="150100", industry="C", size_class="micro")
            )
            with pytest.raises(RuntimeError, match="read session cannot write"):
                await session.flush()
        async with db.unit_of_work() as session:
            first = (await session.exec(text("SELECT now()"))).scalar_one()  # type: ignore[call-overload]
            await asyncio.sleep(0.02)
            assert (await session.exec(text("SELECT now()"))).scalar_one() == first  # type: ignore[call-overload]
    finally:
        await db.dispose()


def test_a_cached_token_is_refused_once_it_expires() -> None:
    principal = Principal(subject="s", role=Role.BANK, org_id="bank-1")
    token = issue_internal_token(principal, DEV_SECRET, ttl=timedelta(seconds=1))
    assert verify_internal_token(token, DEV_SECRET) == principal
    assert verify_internal_token(token, DEV_SECRET) == principal  # from the cache
    with pytest.raises(Unauthorized):
        verify_internal_token(token, "another-secret-that-is-long-enough-for-hs256")
    time.sleep(2.05)
    with pytest.raises(Unauthorized, match="expired"):
        verify_internal_token(token, DEV_SECRET)


async def test_metrics_count_requests_by_route_template(infra: Infra, topic_prefix: str) -> None:
    create_app, settings_cls, migrations = service_parts("loan_matching")
    async with run_service(create_app, settings_cls, migrations, infra, topic_prefix=topic_prefix) as svc:
        bank = bearer(Role.BANK, "bank-metrics")
        missing = "00000000-0000-4000-8000-000000000000"
        assert (await svc.client.get(f"/api/v1/products/{missing}", headers=bank)).status_code == 404
        assert (await svc.client.get("/api/v1/products", headers=bank)).status_code == 200
        assert (await svc.client.get("/healthz")).status_code == 200
        body = (await svc.client.get("/metrics")).text
        assert (
            'http_requests_total{handler="/api/v1/products/{product_id}",method="GET",status="4xx"} 1.0'
            in body
        )
        assert 'http_requests_total{handler="/api/v1/products",method="GET",status="2xx"} 1.0' in body
        assert 'http_request_duration_seconds_count{handler="/api/v1/products",method="GET"} 1.0' in body
        assert 'handler="/healthz"' not in body
