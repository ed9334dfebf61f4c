"""The ceiling for the service benchmarks: a bare FastAPI + asyncpg app on the same database.

No auth, no middlewares, no ORM: the `SELECT` loan-matching runs for a bank reading one product, and
the insert of a financing request with its outbox row (and the relay's NOTIFY) in one transaction.
`bench.gateway` runs it under the same uvicorn as the services (`uvicorn --factory
bench.bare_app:create_app`), configured by BENCH_BARE_DSN, BENCH_BARE_BANK and BENCH_BARE_USCC.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from fastapi import FastAPI, Request

# What `access.get_readable(session, Product, bank, id)` sends (the bank sees published ones and its own).
READ = """
SELECT id, bank_org_id, name, kind, min_amount, max_amount, min_term_months, max_term_months, leagues,
       industries, size_classes, min_grade, requires_collateral, requires_guarantee,
       accepted_guarantee_company_ids, base_rate, grade_spreads, quota_period, quota_amount, quota_count,
       status, version, created_at, updated_at
FROM product WHERE (status = 'published' OR bank_org_id = $1) AND id = $2
"""
INSERT_REQUEST = """
INSERT INTO financing_request (id, uscc, amount, term_months, purpose, collateral_available,
    collateral_description, accepts_guarantee, status, misses, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', '[]', $9)
"""
INSERT_OUTBOX = """
WITH outbox_row AS (
    INSERT INTO outbox (event_id, topic, key, event_type, body, headers)
    VALUES ($1, 'smefin.financing', $2, 'financing_request.submitted', $3, $4) RETURNING id
)
SELECT pg_notify('outbox_insert', '') FROM outbox_row
"""


def create_app() -> FastAPI:
    """The bare app (a uvicorn factory)."""
    dsn = os.environ["BENCH_BARE_DSN"]
    bank = os.environ.get("BENCH_BARE_BANK", "bank-bench")
    uscc = os.environ.get("BENCH_BARE_USCC", "")
    pool_size = int(os.environ.get("BENCH_BARE_POOL", "20"))

    async def init(conn: asyncpg.Connection) -> None:
        for kind in ("json", "jsonb"):
            await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=pool_size, init=init)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/products/{product_id}")
    async def read(product_id: uuid.UUID, request: Request) -> dict[str, Any]:
        row = await request.app.state.pool.fetchrow(READ, bank, product_id)
        return dict(row)

    @app.post("/api/v1/financing-requests", status_code=201)
    async def write(body: dict[str, Any], request: Request) -> dict[str, Any]:
        rid, event_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
        event = {
            "event_id": str(event_id),
            "type": "financing_request.submitted",
            "version": 1,
            "source": "loan-matching",
            "occurred_at": now.isoformat(),
            "subject": str(rid),
            "payload": {"request_id": str(rid), "uscc": uscc} | body,
        }
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                INSERT_REQUEST,
                rid,
                uscc,
                Decimal(body["amount"]),
                body["term_months"],
                body["purpose"],
                body.get("collateral_available", False),
                body.get("collateral_description"),
                body.get("accepts_guarantee", False),
                now,
            )
            await conn.execute(
                INSERT_OUTBOX,
                event_id,
                str(rid),
                event,
                {"event_type": event["type"], "source": "loan-matching"},
            )
        return {"id": str(rid), "status": "submitted", **body}

    return app
